"""Ctrl-C: exit code 130, one line on stderr, nothing on stdout, no process left, and a
calibration keeps every step it completed."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")


#: Runs ``dermasim`` with Ctrl-C at Python's default, as in a terminal's foreground job. A
#: test run started as a background job of a non-interactive shell inherits SIGINT ignored,
#: and Python keeps an ignored SIGINT ignored.
_AS_IN_A_TERMINAL = (
    "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "sys.argv = ['dermasim', *sys.argv[1:]]; runpy.run_module('dermasim', run_name='__main__')"
)


def _start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _AS_IN_A_TERMINAL, *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job is
    )


def _ctrl_c(proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    os.killpg(proc.pid, signal.SIGINT)  # a terminal sends Ctrl-C to the whole group
    try:
        out, err = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:  # still running: the interrupt was not acted on
        proc.kill()
        out, err = proc.communicate(timeout=20)
        pytest.fail(f"Ctrl-C was not acted on within 30 s: {err[-2000:]}")
    return proc.returncode, out, err


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(condition, proc: subprocess.Popen[str], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if proc.poll() is not None:
            pytest.fail(f"the command ended before the interrupt: {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the command never reached the point to interrupt")
        time.sleep(0.05)


def test_calibration_interrupted_keeps_every_completed_step(tmp_path):
    out = tmp_path / "cal"
    proc = _start(["--verbose", "calibrate", "--budget", "2000", "--out", str(out)], tmp_path)
    seen: list[str] = []

    def saved_once() -> bool:  # the first periodic save, after 25 steps
        assert proc.stderr is not None
        seen.append(proc.stderr.readline())
        return "saved to" in seen[-1]

    _wait_for(saved_once, proc)
    time.sleep(3.0)  # some steps past that save
    code, stdout, stderr = _ctrl_c(proc)
    assert code == 130, (code, stderr[-2000:])
    assert stdout == ""
    assert "Traceback" not in stderr and "Exception" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert lines[-1] == "dermasim: interrupted"
    found = re.search(r"interrupted: steps (\d+) to (\d+) saved", stderr)
    assert found, stderr
    completed = int(found.group(2))
    kept = np.load(out / "checkpoint.npz")["chain"]
    assert kept.shape[0] == completed > int(found.group(1)) > 25
    assert np.isfinite(kept).all()
    deadline = time.monotonic() + 10
    while _group_alive(proc.pid) and time.monotonic() < deadline:  # workers shut down
        time.sleep(0.1)
    assert not _group_alive(proc.pid), "a worker outlived the interrupted calibration"


def test_a_long_command_interrupted_exits_130_without_output(tmp_path):
    proc = _start(
        [
            "--verbose",
            "sensitivity",
            "4 x microneedling 1.5 mm every 30 days",
            "--n",
            "4096",
            "--out",
            str(tmp_path / "sens"),
        ],
        tmp_path,
    )
    seen: list[str] = []

    def simulating() -> bool:  # past its imports and checks, in the long part
        assert proc.stderr is not None
        seen.append(proc.stderr.readline())
        return "sensitivity:" in seen[-1]

    _wait_for(simulating, proc)
    time.sleep(0.5)
    code, stdout, stderr = _ctrl_c(proc)
    assert code == 130, (code, stderr[-2000:])
    assert stdout == ""
    assert stderr.strip().splitlines() == ["dermasim: interrupted"], stderr
    assert not (tmp_path / "sens").exists() or not any((tmp_path / "sens").iterdir())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_cluster_run_interrupted_leaves_no_worker(tmp_path, processes):
    """Ctrl-C of a cohort on a Dask LocalCluster: exit 130, one line, and the two worker
    processes (and whatever they started) end with it, whichever process group they are in."""
    pytest.importorskip("distributed")
    args = ["cohort", "microneedling-4-monthly", "--n", "20000", "--draws", "10"]
    args += ["--days", "365", "--cluster", "local", "--workers", "2", "--out", str(tmp_path / "c")]
    proc = _start(args, tmp_path)
    workers = processes.wait_for_children(proc.pid, 2)
    assert len(workers) >= 2, "the cluster never started"
    chunks = tmp_path / "c" / "cohort-chunks" / "chunks"
    # chunks arriving and being written (a Ctrl-C inside a write once hung the run)
    _wait_for(lambda: len(list(chunks.glob("chunk-*.nc"))) >= 3, proc)
    workers |= {g for w in workers for g in processes.children(w)}
    code, stdout, stderr = _ctrl_c(proc)
    assert code == 130, (code, stderr[-2000:])
    assert stdout == ""
    assert stderr.strip().splitlines()[-1] == "dermasim: interrupted", stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-2000:]
    deadline = time.monotonic() + 15
    while (
        any(processes.alive(w) for w in workers) or _group_alive(proc.pid)
    ) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [w for w in workers if processes.alive(w)], "a worker outlived Ctrl-C"
    assert not _group_alive(proc.pid), "a process of the run's group outlived Ctrl-C"
