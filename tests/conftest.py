"""Shared test helpers: the processes a run leaves behind (Linux ``/proc``)."""

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
