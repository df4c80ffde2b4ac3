"""Shared test helpers: the processes a run leaves behind (Linux ``/proc``), a local
``dermasim serve`` process, and the browser of the browser tests."""

import signal
import subprocess
import time
from pathlib import Path

import pytest


class Processes:
    """Children and liveness of processes, read from ``/proc``."""

    @staticmethod
    def children(pid: int) -> set[int]:
        out: set[int] = set()
        for task in Path(f"/proc/{pid}/task").glob("*"):
            path = task / "children"
            text = path.read_text() if path.exists() else ""
            out |= {int(c) for c in text.split()}
        return out

    @staticmethod
    def alive(pid: int) -> bool:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (FileNotFoundError, ProcessLookupError):
            return False
        return state != "Z"

    def wait_for_children(self, pid: int, n: int, timeout: float = 120) -> set[int]:
        """The children of ``pid`` once there are at least ``n`` (or what there is by then)."""
        deadline = time.monotonic() + timeout
        found: set[int] = set()
        while len(found) < n and time.monotonic() < deadline:
            found = self.children(pid)
            time.sleep(0.2)
        return found

    def kill_and_survivors(
        self, proc: subprocess.Popen, workers: set[int], timeout: float = 30
    ) -> list[int]:
        """SIGKILL ``proc`` and return the ``workers`` still alive after ``timeout`` s."""
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + timeout
        while any(self.alive(w) for w in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        return [w for w in workers if self.alive(w)]


@pytest.fixture
def processes() -> Processes:
    return Processes()


class ValidationRun:
    """One ``dermasim --verbose validate --json --draws 40 --out DIR`` for the whole session
    (about 35 s): its stdout, its output folder, its log lines and the result object."""

    def __init__(self, folder: Path) -> None:
        import contextlib
        import io
        import logging

        import dermasim.calibration.validation as validation
        from dermasim.cli import main

        results = []
        original = validation.validate

        def keep(*args, **kwargs):
            results.append(original(*args, **kwargs))
            return results[-1]

        lines: list[str] = []

        class Collect(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                lines.append(record.getMessage())

        handler = Collect(level=logging.INFO)
        logger = logging.getLogger("dermasim")
        logger.addHandler(handler)
        out, err = io.StringIO(), io.StringIO()
        validation.validate = keep
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                self.rc = main(["--verbose", "validate", "--json", "--draws", "40", "--out",
                                str(folder)])  # fmt: skip
        finally:
            validation.validate = original
            logger.removeHandler(handler)
            logger.setLevel(logging.NOTSET)
        self.stdout = out.getvalue()
        self.stderr = err.getvalue()
        self.folder = folder
        self.log = lines
        self.result = results[0] if results else None


@pytest.fixture(scope="session")
def validation_run(tmp_path_factory) -> ValidationRun:
    run = ValidationRun(tmp_path_factory.mktemp("validate"))
    assert run.rc == 0, run.stderr
    return run


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalServer:
    """``dermasim serve`` on a free local port, in its own process, with Ctrl-C at its
    default so that :meth:`stop` stops it as a user's Ctrl-C would."""

    def __init__(self, cwd: Path) -> None:
        import sys

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        code = (
            "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "from dermasim.cli import main; sys.exit(main(sys.argv[1:]))"
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code, "serve", "--port", str(self.port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd,
        )

    def wait_ready(self, limit: float = 60.0) -> dict:
        import httpx

        started = time.monotonic()
        while time.monotonic() - started < limit and self.process.poll() is None:
            try:
                return httpx.get(f"{self.url}/api/health", timeout=1).json()
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(self.process.stderr.read() if self.process.poll() else "not ready")

    def rss_kib(self) -> int:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=30)
        finally:
            if self.process.poll() is None:
                self.process.kill()
        return err


@pytest.fixture
def serve(tmp_path):
    """Start ``dermasim serve`` processes (``serve()``); each is stopped after the test."""
    started: list[LocalServer] = []

    def start() -> LocalServer:
        started.append(LocalServer(tmp_path))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def module_server(tmp_path_factory):
    """One ready ``dermasim serve`` process for a module's tests."""
    server = LocalServer(tmp_path_factory.mktemp("serve"))
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium() -> str:
    """Debian's Chromium, for the tests that open a page in a real browser. Where it is missing
    they skip, except with ``DERMASIM_REQUIRE_BROWSER`` set (CI sets it): there they fail."""
    import os
    import shutil

    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("DERMASIM_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (DERMASIM_REQUIRE_BROWSER) but not installed")
        pytest.skip("Chromium is not installed (CI installs Debian's chromium package)")
    return found
