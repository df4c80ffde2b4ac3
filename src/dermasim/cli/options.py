"""Options and formatting that the commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import DermasimError, SimulationError, invalid_value

__all__ = [
    "DISCLAIMER",
    "DaysOption",
    "DrawsOption",
    "JsonOption",
    "OutOption",
    "ParametersOption",
    "PatientOption",
    "ReportOption",
    "SeedOption",
    "format_interval",
    "load_patient",
    "read_quantity",
]

DISCLAIMER = "dermasim is a research and planning aid, not medical advice."

PatientOption = Annotated[
    Path | None,
    typer.Option(
        "--patient",
        "-p",
        help="Patient TOML file (default: female, 45, cheek, "
        "Fitzpatrick III, moderate UV, non-smoker).",
    ),
]
DaysOption = Annotated[
    str,
    typer.Option("--days", help="Horizon: days (1 to 3650) or a duration such as '2 years'."),
]
DrawsOption = Annotated[int, typer.Option("--draws", help="Parameter draws.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the parameter draws.")]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Folder for NetCDF, JSON and figures.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object to stdout.")]
ReportOption = Annotated[
    Path | None,
    typer.Option("--report", help="Also write one self-contained HTML report (FILE.html)."),
]
ParametersOption = Annotated[
    str,
    typer.Option(
        "--parameters",
        help="'posterior' (bundled calibrated draws), 'prior', or a posterior .npz file "
        "written by dermasim calibrate.",
    ),
]


def load_patient(path: Path | None) -> Any:
    from ..patient import Patient

    return Patient() if path is None else Patient.from_toml(path)


def format_interval(median: float, p05: float, p95: float, unit: str, sep: str = " ") -> str:
    if unit == "1":  # arbitrary-unit signals are small: significant digits, not decimals
        return f"{median:.3g}{sep}[{p05:.3g}, {p95:.3g}]"
    digits = 2 if unit == "mm" else 1
    return f"{median:.{digits}f}{sep}[{p05:.{digits}f}, {p95:.{digits}f}]"


def read_quantity(convert: Any, option: str, text: str, allowed: str, example: str) -> float:
    """``text`` read by a :mod:`dermasim.units` converter; a one-line error naming
    ``option`` with ``allowed`` and ``option example`` when it cannot be read."""
    try:
        return float(convert(text, field=option))
    except DermasimError:
        raise SimulationError(invalid_value(option, text, allowed, f"{option} {example}")) from None
