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
    "shown_value",
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

    A long value is cut in the middle (its end is often a file's name), so the line stays
    readable:

    >>> invalid_value("days", "x" * 500, "1 to 3650 days", "days = 730")[:40]
    "days = 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
    >>> where = "/a" * 60 + "/patient.toml"
    >>> invalid_value("patient file", where, "TOML", "p.toml")[55:93]
    ".../a/a/a/a/a/a/a/a/patient.toml' (135"
    """
    return f"{field} = {shown_value(value)} is not valid: allowed {allowed}; for example {example}"


#: Values whose ``repr`` is longer than this are cut in messages.
LONGEST_SHOWN = 80


def shown_value(value: Any) -> str:
    """``repr(value)`` for a message: cut to its start and length when long, and never an
    error itself (an integer of more than 4,300 digits has no ``repr`` by default).

    Examples
    --------
    >>> shown_value(12)
    '12'
    >>> shown_value(int("9" * 4000) * 10**1000)
    '999999999999999999999999999999999999999999999999999999999999... (5000 digits)'
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 4096:
        digits = _digits(value)
        sign = "-" if value < 0 else ""
        return f"{sign}{abs(value) // 10 ** (digits - 60)}... ({digits} digits)"
    text = repr(value)
    if len(text) <= LONGEST_SHOWN:
        return text
    return f"{text[:40]}...{text[-30:]} ({len(text)} characters)"  # the end: a file's name


def _digits(value: int) -> int:
    import math

    magnitude = abs(value)
    digits = int(magnitude.bit_length() * math.log10(2)) + 1
    return digits if magnitude >= 10 ** (digits - 1) else digits - 1


def check_integer(field: str, value: Any, low: int, high: int, example: str) -> int:
    """``value`` as an int if it is an integer from ``low`` to ``high``, else a one-line
    :class:`DermasimError` naming the field, the value, the range and ``example``."""
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= int(value) <= high:
        raise DermasimError(
            invalid_value(field, value, f"an integer from {low} to {high}", example)
        )
    return int(value)
