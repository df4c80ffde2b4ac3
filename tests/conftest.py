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
