"""Atomic writes: nothing half-written, and leftovers of killed writers cleaned."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dermasim.storage import _host, atomic_write, remove_stale_temporaries


def _dead_pid():
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True)  # fmt: skip
    return int(proc.stdout)


def test_a_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.json"

    def fail(tmp):
        with open(tmp, "w") as fh:
            fh.write("half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail)
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    target = tmp_path / "simulation.nc"
    host = _host()
    dead = tmp_path / f".simulation.nc.{host}-{_dead_pid()}.abc123.tmp"
    live = tmp_path / f".simulation.nc.{host}-{os.getppid()}.def456.tmp"
    elsewhere = tmp_path / f".simulation.nc.another-host-{_dead_pid()}.g7.tmp"
    other = tmp_path / f".other.nc.{host}-{_dead_pid()}.x.tmp"
    for path in (dead, live, elsewhere, other):
        path.write_text("partial")
    atomic_write(target, lambda tmp: Path(tmp).write_text("done"))
    assert target.read_text() == "done"
    assert not dead.exists()
    assert live.exists() and other.exists()
    assert elsewhere.exists()  # a writer on another host sharing the folder is left alone
    assert remove_stale_temporaries(tmp_path / "other.nc") == [other]
