"""Conversion of human quantities ("4 weeks", "1.5 mm") to dermasim's internal units.

This module is the one place where text with units becomes numbers. Internal units are:

============= ========
kind          unit
============= ========
time          days
length        mm
volume        mL
mass          mg
concentration mg/mL
area          cm2
dose          mg/cm2 (product spread on the skin)
============= ========

Calendar conventions: 1 week = 7 days, 1 month = 365.25 / 12 = 30.4375 days and
1 year = 365.25 days. Numbers are read exactly (as decimal fractions) and converted to
``float`` once, so ``"0.1 mm"`` gives exactly ``0.1`` and ``"6 months"`` gives ``182.625``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from numbers import Real

from .errors import ProtocolError, invalid_value

__all__ = [
    "INTERNAL_UNITS",
    "KINDS",
    "UNITS",
    "format_number",
    "parse_quantity",
    "to_cm2",
    "to_days",
    "to_mg_per_cm2",
    "to_mg_per_ml",
    "to_minutes",
    "to_ml",
    "to_mm",
    "to_quantity",
]

#: Kinds of quantity that :func:`parse_quantity` can return.
KINDS: tuple[str, ...] = ("time", "length", "volume", "mass", "concentration", "area", "dose")

#: Internal unit of each kind.
INTERNAL_UNITS: dict[str, str] = {
    "time": "days",
    "length": "mm",
    "volume": "mL",
    "mass": "mg",
    "concentration": "mg/mL",
    "area": "cm2",
    "dose": "mg/cm2",
}

_DAYS_PER_YEAR = Fraction("365.25")

#: Accepted unit spellings (lower case) -> (exact factor to the internal unit, kind).
UNITS: dict[str, tuple[Fraction, str]] = {}


def _add(names: str, factor: Fraction | int, kind: str) -> None:
    for name in names.split():
        UNITS[name] = (Fraction(factor), kind)


_add("min mins minute minutes", Fraction(1, 1440), "time")
_add("h hr hrs hour hours", Fraction(1, 24), "time")
_add("d day days", 1, "time")
_add("wk wks week weeks", 7, "time")
_add("mo month months", _DAYS_PER_YEAR / 12, "time")
_add("y yr yrs year years", _DAYS_PER_YEAR, "time")
_add("mm", 1, "length")
_add("um µm μm micron microns", Fraction(1, 1000), "length")
_add("cm", 10, "length")
_add("ml", 1, "volume")
_add("ul µl μl", Fraction(1, 1000), "volume")
_add("mg", 1, "mass")
_add("ug µg μg", Fraction(1, 1000), "mass")
_add("g", 1000, "mass")
_add("mg/ml", 1, "concentration")
_add("cm2 cm^2 cm²", 1, "area")
_add("mm2 mm^2 mm²", Fraction(1, 100), "area")
_add("mg/cm2 mg/cm^2 mg/cm²", 1, "dose")
_add("ug/cm2 ug/cm^2 ug/cm² µg/cm2 μg/cm2", Fraction(1, 1000), "dose")

_ALLOWED = (
    "a number and a unit: min, hours, days, weeks, months, years (time); mm, um (length); "
    "mL (volume); mg/mL (concentration); cm2 (area); mg/cm2 (dose)"
)
_QUANTITY_RE = re.compile(r"\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*(\S*)\s*")
_NUMBER_RE = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")


def _exact(number: str, factor: Fraction | int = 1) -> float | None:
    """Return ``number * factor`` correctly rounded, or ``None`` if not finite or absurd."""
    number = number.strip()
    if not math.isfinite(float(number)):
        return None
    exponent = number.lower().partition("e")[2]
    if exponent and abs(int(exponent)) > 400:
        return 0.0 if int(exponent) < 0 else None
    try:
        value = float(Fraction(number) * factor)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def parse_quantity(text: str, *, field: str = "quantity") -> tuple[float, str]:
    """Read a number with a unit and convert it to the internal unit of its kind.

    Parameters
    ----------
    text
        A number followed by a unit, with or without a space, e.g. ``"4 weeks"``,
        ``"1.5mm"``, ``"20 mg/mL"`` or ``"10 cm^2"``. Units are case-insensitive.
    field
        Name of the field being read, used in the error message.

    Returns
    -------
    tuple of (float, str)
        The value in the internal unit and its kind, one of :data:`KINDS`.

    Raises
    ------
    ProtocolError
        If the text is not a number followed by a known unit.

    Examples
    --------
    >>> parse_quantity("4 weeks")
    (28.0, 'time')
    >>> parse_quantity("150 um")
    (0.15, 'length')
    """
    if not isinstance(text, str):
        raise ProtocolError(invalid_value(field, text, _ALLOWED, f'{field} = "1.5 mm"'))
    match = _QUANTITY_RE.fullmatch(text)
    if match is None or not match.group(2):
        raise ProtocolError(invalid_value(field, text, _ALLOWED, f'{field} = "1.5 mm"'))
    number, unit = match.groups()
    entry = UNITS.get(unit.lower())
    if entry is None:
        raise ProtocolError(
            invalid_value(field, text, f"{_ALLOWED} (unknown unit {unit!r})", f'{field} = "1.5 mm"')
        )
    factor, kind = entry
    value = _exact(number, factor)
    if value is None:
        raise ProtocolError(invalid_value(field, text, _ALLOWED, f'{field} = "1.5 mm"'))
    return value, kind


def to_quantity(value: object, kind: str, *, field: str, example: str) -> float:
    """Convert a number (already in the internal unit) or a string with a unit to a float.

    Parameters
    ----------
    value
        An ``int`` or ``float`` in the internal unit of ``kind``, a string holding a plain
        number (internal unit) or a string with a unit of the right kind.
    kind
        The kind of quantity expected, one of :data:`KINDS`.
    field
        Name of the field, used in error messages.
    example
        A valid example for error messages, e.g. ``'"4 weeks"'``.

    Returns
    -------
    float
        The value in the internal unit.

    Raises
    ------
    ProtocolError
        For booleans, non-finite numbers, other types, unknown units or a unit of another kind.
    """
    unit = INTERNAL_UNITS[kind]
    allowed = f"a finite number in {unit} or a string with a {kind} unit"
    if isinstance(value, bool) or not isinstance(value, Real | str):
        raise ProtocolError(invalid_value(field, value, allowed, f"{field} = {example}"))
    if isinstance(value, str):
        if _NUMBER_RE.fullmatch(value):
            exact = _exact(value)
            if exact is None:
                raise ProtocolError(invalid_value(field, value, allowed, f"{field} = {example}"))
            number = exact
        else:
            number, got = parse_quantity(value, field=field)
            if got != kind:
                raise ProtocolError(
                    invalid_value(field, value, f"a {kind} (got a {got})", f"{field} = {example}")
                )
    else:
        number = float(value)
    if not math.isfinite(number):
        raise ProtocolError(invalid_value(field, value, allowed, f"{field} = {example}"))
    return number


def to_days(value: object, *, field: str = "time") -> float:
    """Convert a time (number of days, or text such as ``"6 months"``) to days.

    Examples
    --------
    >>> to_days("6 months")
    182.625
    >>> to_days(30)
    30.0
    """
    return to_quantity(value, "time", field=field, example='"4 weeks"')


def to_mm(value: object, *, field: str = "length") -> float:
    """Convert a length (number of mm, or text such as ``"150 um"``) to mm.

    Examples
    --------
    >>> to_mm("150 um")
    0.15
    """
    return to_quantity(value, "length", field=field, example='"1.5 mm"')


def to_ml(value: object, *, field: str = "volume") -> float:
    """Convert a volume (number of mL, or text such as ``"2 mL"``) to mL."""
    return to_quantity(value, "volume", field=field, example='"2 mL"')


def to_mg_per_ml(value: object, *, field: str = "concentration") -> float:
    """Convert a concentration (number of mg/mL, or text such as ``"20 mg/mL"``) to mg/mL."""
    return to_quantity(value, "concentration", field=field, example='"20 mg/mL"')


def to_cm2(value: object, *, field: str = "area") -> float:
    """Convert an area (number of cm2, or text such as ``"10 cm2"``) to cm2."""
    return to_quantity(value, "area", field=field, example='"10 cm2"')


def to_mg_per_cm2(value: object, *, field: str = "dose") -> float:
    """Convert a dose of product per area (number of mg/cm2, or text such as ``"2 mg/cm2"``)
    to mg/cm2."""
    return to_quantity(value, "dose", field=field, example='"2 mg/cm2"')


def to_minutes(value: object, *, field: str = "time") -> float:
    """Convert a short time (number of minutes, or text such as ``"10 min"``) to minutes.

    Text is converted exactly, so ``"1.5 h"`` gives exactly ``90.0``.

    Examples
    --------
    >>> to_minutes("1.5 h"), to_minutes(10)
    (90.0, 10.0)
    """
    if isinstance(value, str) and not _NUMBER_RE.fullmatch(value):
        parse_quantity(value, field=field)  # a one-line error for text that is no quantity
        number, unit = _QUANTITY_RE.fullmatch(value).groups()  # type: ignore[union-attr]
        factor, kind = UNITS[unit.lower()]
        minutes = _exact(number, factor * 1440) if kind == "time" else None
        if minutes is None:
            raise ProtocolError(
                invalid_value(field, value, f"a time (got a {kind})", f'{field} = "10 min"')
            )
        return minutes
    try:
        return to_quantity(value, "time", field=field, example='"10 min"')
    except ProtocolError:
        raise ProtocolError(
            invalid_value(
                field, value, "a finite number of minutes or a time with a unit", '"10 min"'
            )
        ) from None


def format_number(x: float) -> str:
    """Write a number in the shortest positional form that reads back exactly.

    Parameters
    ----------
    x
        A finite number.

    Returns
    -------
    str
        Digits without exponent; integral values have no decimal point.

    Examples
    --------
    >>> format_number(1.5), format_number(30.0), format_number(182.625)
    ('1.5', '30', '182.625')
    """
    value = float(x) + 0.0  # turns -0.0 into 0.0
    if not math.isfinite(value):
        return repr(value)
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    if text.endswith(".0"):
        text = text[:-2]
    return text
