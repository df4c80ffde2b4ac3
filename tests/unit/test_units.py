"""Tests of dermasim.units."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dermasim.errors import ProtocolError
from dermasim.units import format_number, parse_quantity, to_days, to_mm


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("4 weeks", 28.0, "time"),
        ("30 days", 30.0, "time"),
        ("1 day", 1.0, "time"),
        ("6 months", 182.625, "time"),
        ("1 month", 30.4375, "time"),
        ("1 year", 365.25, "time"),
        ("1.5 mm", 1.5, "length"),
        ("1.5mm", 1.5, "length"),
        ("150 um", 0.15, "length"),
        ("2 mL", 2.0, "volume"),
        ("2 ml", 2.0, "volume"),
        ("20 mg/mL", 20.0, "concentration"),
        ("10 cm2", 10.0, "area"),
        ("10 cm^2", 10.0, "area"),
        ("0.1 mm", 0.1, "length"),
        ("5 mg", 5.0, "mass"),
    ],
)
def test_parse_quantity(text, value, kind):
    assert parse_quantity(text) == (value, kind)


@pytest.mark.parametrize("text", ["", "mm", "1.5", "1.5 furlongs", "0.5 cc", "one mm", "1e999 mm"])
def test_parse_quantity_rejects(text):
    with pytest.raises(ProtocolError) as info:
        parse_quantity(text, field="depth")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("depth = ")
    assert "for example" in message


def test_to_days_and_to_mm_accept_numbers_and_strings():
    assert to_days(30) == 30.0
    assert isinstance(to_days(30), float)
    assert to_days("6 months") == 182.625
    assert to_days("14") == 14.0
    assert to_mm("150 um") == 0.15
    assert to_mm(2) == 2.0


@pytest.mark.parametrize("value", [True, None, [1], float("nan"), math.inf, "2 mL", "3 parsecs"])
def test_to_days_rejects(value):
    with pytest.raises(ProtocolError, match=r"^horizon = .*for example horizon = "):
        to_days(value, field="horizon")


def test_to_mm_rejects_time():
    with pytest.raises(ProtocolError, match=r"a length \(got a time\)"):
        to_mm("3 days", field="depth_mm")


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (1.5, "1.5"),
        (30.0, "30"),
        (182.625, "182.625"),
        (0.1, "0.1"),
        (-0.0, "0"),
        (1e16, "10000000000000000"),
        (1e-7, "0.0000001"),
        (7, "7"),
    ],
)
def test_format_number(x, text):
    assert format_number(x) == text


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_number_round_trips(x):
    text = format_number(x)
    assert float(text) == x
    assert "e" not in text.lower()


@given(st.floats(min_value=0, max_value=1e6, allow_nan=False))
def test_parse_quantity_reads_format_number_exactly(x):
    assert parse_quantity(f"{format_number(x)} days") == (x, "time")
    assert parse_quantity(f"{format_number(x)}mm") == (x, "length")
