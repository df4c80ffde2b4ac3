"""Every example script runs (the examples double as tests)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).parents[2] / "examples"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.py") if not p.name.startswith("_"))
#: Examples that take most of a minute run with ``make validate`` (the slow tests).
SLOW = {"validate_posterior.py": "a validation with leave-one-study-out scores, about 45 s"}


def test_there_are_examples():
    assert len(EXAMPLES) >= 3, [p.name for p in EXAMPLES]


@pytest.mark.parametrize(
    "script",
    [pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW else p for p in EXAMPLES],
    ids=[p.name for p in EXAMPLES],
)
def test_example_runs(script, tmp_path):
    env = {**os.environ, "DERMASIM_EXAMPLES_OUT": str(tmp_path / "out"), "MPLBACKEND": "Agg"}
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert all(p.is_relative_to(tmp_path / "out") for p in written), written
