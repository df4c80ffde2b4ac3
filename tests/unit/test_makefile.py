"""`make demo` and `make test` find a Python 3.11 or newer that is called plain `python3`."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def _make(tmp_path, path_dir, *targets):
    venv = tmp_path / "venv"
    return subprocess.run(
        [MAKE, "-n", "-f", str(ROOT / "Makefile"), f"VENV={venv}", f"{venv}/bin/python", *targets],
        cwd=tmp_path,
        env={"PATH": str(path_dir), "HOME": os.environ.get("HOME", "/tmp")},
        capture_output=True,
        text=True,
    )


def test_a_python3_of_3_11_or_newer_is_used_when_no_python3_11_binary_exists(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)  # the only interpreter on PATH
    proc = _make(tmp_path, bin_dir)
    assert proc.returncode == 0, proc.stderr
    assert "python3 -m venv" in proc.stdout


def test_without_a_recent_python_make_says_what_it_needs(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    venv = tmp_path / "v"
    proc = subprocess.run(
        [MAKE, "-f", str(ROOT / "Makefile"), f"VENV={venv}", f"{venv}/bin/python"],
        cwd=tmp_path, env={"PATH": str(empty)}, capture_output=True, text=True,
    )  # fmt: skip
    assert proc.returncode != 0
    assert "needs Python 3.11 or newer" in proc.stderr
