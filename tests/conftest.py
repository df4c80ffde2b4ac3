"""Shared test helpers: the processes a run leaves behind (Linux ``/proc``)."""

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


@pytest.fixture
def processes() -> Processes:
    return Processes()
