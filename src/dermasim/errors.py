"""The one exception family of dermasim.

Every error a user can cause is a :class:`DermasimError`. Messages fit on one line and name
the field, the bad value, the allowed range and an example of valid input, so the command
line can print them as they are.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any

__all__ = [
    "ContraindicationError",
    "DermasimError",
    "ParameterError",
    "PatientError",
    "ProtocolError",
    "SimulationError",
    "SolverError",
    "check_integer",
    "invalid_value",
]


class DermasimError(Exception):
    """Base class of every error dermasim raises on purpose."""


class ProtocolError(DermasimError, ValueError):
    """A treatment protocol (string, TOML or object) is not valid."""


class PatientError(DermasimError, ValueError):
    """A patient description is not valid."""


class ContraindicationError(PatientError):
    """The patient has a contraindication for a treatment in the protocol."""


class ParameterError(DermasimError, ValueError):
    """A parameter record or parameter set is not valid."""


class SimulationError(DermasimError, ValueError):
    """Options of a simulation (horizon, output times, draws, seed) are not valid."""


class SolverError(DermasimError, RuntimeError):
    """The numerical integration failed."""


def invalid_value(field: str, value: Any, allowed: str, example: str) -> str:
    """Format the one-line message for a bad value.

    Parameters
    ----------
    field
        Dotted name of the offending field, e.g. ``"course[1].depth_mm"``.
    value
        The value received.
    allowed
        Human description of the allowed values, e.g. ``"0.1 to 3.0 mm"``.
    example
        A valid example, e.g. ``"depth_mm = 1.5"``.

    Examples
    --------
    >>> invalid_value("age", 12, "18 to 90 years", "age = 45")
    'age = 12 is not valid: allowed 18 to 90 years; for example age = 45'
    """
    return f"{field} = {value!r} is not valid: allowed {allowed}; for example {example}"


def check_integer(field: str, value: Any, low: int, high: int, example: str) -> int:
    """``value`` as an int if it is an integer from ``low`` to ``high``, else a one-line
    :class:`DermasimError` naming the field, the value, the range and ``example``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= int(value) <= high:
        raise DermasimError(
            invalid_value(field, value, f"an integer from {low} to {high}", example)
        )
    return int(value)
