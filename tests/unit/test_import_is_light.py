"""``import dermasim`` stays light: heavy and optional libraries load on first use."""

import subprocess
import sys

HEAVY = (
    "matplotlib",
    "xarray",
    "scipy.integrate",
    "scipy.special",
    "typer",
    "rich",
    "pandas",
    "numba",
    "dermasim.calibration",
    "dermasim.cohort",
    "dermasim.plan.compare",
    "dermasim.plan",
    "dermasim.report",
    "jinja2",
)


def test_import_does_not_load_heavy_modules():
    code = f"import sys, dermasim; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "", f"loaded at import: {out}"
