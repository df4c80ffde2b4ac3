"""Tests of the compact protocol string (dermasim.protocol.grammar)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from protocol_strategies import finite_floats as _floats
from protocol_strategies import protocols

from dermasim.errors import ProtocolError
from dermasim.protocol import Protocol
from dermasim.units import format_number


@settings(deadline=None)
@given(protocols)
def test_parse_str_round_trip(protocol):
    assert Protocol.parse(str(protocol)) == protocol


@settings(deadline=None)
@given(protocols)
def test_canonical_string_is_a_fixed_point(protocol):
    text = str(protocol)
    assert str(Protocol.parse(text)) == text


@settings(deadline=None)
@given(
    st.integers(2, 24),
    _floats(0.1, 3.0),
    _floats(1, 730),
    _floats(0, 3650).filter(lambda x: x != 0),
)
def test_hand_built_canonical_microneedling(sessions, depth, interval, start):
    text = (
        f"{sessions} x microneedling {format_number(depth)} mm every "
        f"{format_number(interval)} {'day' if interval == 1 else 'days'} "
        f"from day {format_number(start)}"
    )
    assert str(Protocol.parse(text)) == text


@settings(deadline=None)
@given(protocols, st.sampled_from([str.upper, str.lower, str.title]))
def test_case_insensitive(protocol, change):
    assert Protocol.parse(change(str(protocol))) == protocol


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("4 x microneedling 1.5 mm every 30 days", "4 x microneedling 1.5 mm every 30 days"),
        ("4x microneedling 1.5mm every 4 weeks", "4 x microneedling 1.5 mm every 28 days"),
        ("microneedling 1 mm", "1 x microneedling 1 mm"),
        (
            "3 x polynucleotide 2 mL 20 mg/mL at 1 mm every 4 weeks; "
            "then polynucleotide 2 mL 20 mg/mL at 1 mm at 6 months",
            "3 x polynucleotide 2 mL 20 mg/mL at 1 mm over 60 cm2 every 28 days; "
            "1 x polynucleotide 2 mL 20 mg/mL at 1 mm over 60 cm2 from day 182.625",
        ),
        (
            "3 x polynucleotide 2 mL 20 mg/mL at 1 mm every 28 days; "
            "2 x polynucleotide 2 mL 20 mg/mL at 1 mm every 6 months from 6 months",
            "3 x polynucleotide 2 mL 20 mg/mL at 1 mm over 60 cm2 every 28 days; "
            "2 x polynucleotide 2 mL 20 mg/mL at 1 mm over 60 cm2 every 182.625 days "
            "from day 182.625",
        ),
        ("hyaluronic_filler 1 mL over 10 cm2", "1 x hyaluronic_filler 1 mL over 10 cm2"),
        ("ha filler 1 mL 10 cm2", "1 x hyaluronic_filler 1 mL over 10 cm2"),
        ("filler", "1 x hyaluronic_filler 1 mL over 10 cm2"),
        ("ha_filler 2 ml 20 cm^2", "1 x hyaluronic_filler 2 mL over 20 cm2"),
        (
            "4 x microneedling 1.5 mm every 30 days from day 60",
            "4 x microneedling 1.5 mm every 30 days from day 60",
        ),
        ("microneedling at day 7", "1 x microneedling 1.5 mm from day 7"),
        ("2 x microneedling every 1 day", "2 x microneedling 1.5 mm every 1 day"),
        ("4 \u00d7 MICRONEEDLING 150 um EVERY 2 Weeks", "4 x microneedling 0.15 mm every 14 days"),
        ("pn", "1 x polynucleotide 2 mL 20 mg/mL at 1 mm over 60 cm2"),
        ("no treatment", "no treatment"),
        ("No  Treatment", "no treatment"),
        ("none", "no treatment"),
    ],
)
def test_examples(text, canonical):
    assert str(Protocol.parse(text)) == canonical


def test_settings_in_any_order():
    a = Protocol.parse("3 x pn every 28 days over 30 cm2 at 1 mm 10 mg/mL 1 mL from day 3")
    b = Protocol.parse("3 x pn 1 mL 10 mg/mL at 1 mm over 30 cm2 every 28 days from day 3")
    assert a == b


def test_then_starts_one_interval_after_previous_phase():
    protocol = Protocol.parse("3 x pn every 28 days; then 2 x pn every 90 days")
    assert protocol.courses[1].start_day == 84.0
    assert protocol.sessions()[-1].day == 174.0
    explicit = Protocol.parse("3 x pn every 28 days; then pn from day 10")
    assert explicit.courses[1].start_day == 10.0


def test_then_after_single_session_with_every_uses_that_interval():
    protocol = Protocol.parse("microneedling every 30 days; then microneedling")
    assert protocol.courses[1].start_day == 30.0
    assert protocol.courses[0].interval_days is None


def test_multiline_text_is_accepted():
    assert Protocol.parse("4 x microneedling 1.5 mm\nevery 30 days") == Protocol.parse(
        "4 x microneedling 1.5 mm every 30 days"
    )


def test_typo_message_exact():
    with pytest.raises(ProtocolError) as info:
        Protocol.parse("4 x microneedlin 1.5 mm every 30 days")
    assert str(info.value) == (
        "protocol string: unexpected 'microneedlin' at column 5; expected a treatment "
        "(microneedling, polynucleotide, hyaluronic_filler, topical), "
        "did you mean 'microneedling'?; "
        'for example "4 x microneedling 1.5 mm every 30 days"'
    )


BAD = [
    ("", "unexpected end of text"),
    ("   ", "unexpected end of text"),
    ("microneedlin 1.5 mm", "did you mean 'microneedling'"),
    ("polynucleotid 2 mL", "did you mean 'polynucleotide'"),
    ("laser 2 mm", "expected a treatment"),
    ("microneedling foo", "unexpected 'foo' at column 15"),
    ("4 x microneedling 1.5 mm", "course[0].interval_days = None"),
    ("30 x microneedling every 2 days", "course[0].sessions = 30"),
    ("0 x microneedling", "course[0].sessions = 0"),
    ("microneedling 7 mm", "course[0].depth_mm = 7.0 is not valid: allowed 0.1 to 3.0 mm"),
    ("pn 50 mg/mL", "course[0].concentration_mg_per_ml = 50.0"),
    ("microneedling; pn 20 mL", "phase 2 'pn 20 mL': course[1].volume_ml = 20.0"),
    ("microneedling 2 mL", "expected no volume for microneedling"),
    ("microneedling over 10 cm2", "expected no area for microneedling"),
    ("ha filler at 1 mm", "expected no depth for hyaluronic_filler"),
    ("filler 10 mg/mL", "expected no concentration for hyaluronic_filler"),
    ("microneedling 1 mm 2 mm", "expected one depth per phase"),
    ("pn 1 mL 2 mL", "expected one volume per phase"),
    ("2 x pn every 3 days every 4 days", "expected one interval per phase"),
    ("pn at day 3 from day 4", "expected one start per phase"),
    ("microneedling 30 days", "expected 'every', 'from' or 'at' before a time"),
    ("microneedling every 1 mm", "expected a time after 'every'"),
    ("microneedling from 2 mL", "expected a time after 'from'"),
    ("pn at 2 mL", "expected a depth or a time after 'at'"),
    ("filler over 2 mL", "expected an area"),
    ("pn 5 mg", "expected a depth, volume, concentration, dose or area"),
    ("microneedling 1.5", "unexpected '1.5' at column 15"),
    ("microneedling 1.5 mn", "unexpected '1.5 mn' at column 15"),
    ("microneedling every day", "unexpected 'day' at column 21"),
    ("microneedling at", "unexpected end of text"),
    ("4 x microneedling 1.5 mm every 30 days;", "unexpected end of text"),
    ("microneedling;; pn", "unexpected ';' at column 15"),
    ("then microneedling", "expected a first phase without 'then'"),
    ("microneedling; then microneedling", "expected 'at' or 'from' to start this phase"),
    ("microneedling from 20 years", "course[0].start_day = 7305.0"),
    ("-1 x microneedling", "unexpected '-1 x' at column 1"),
    ("microneedling from day -3", "course[0].start_day = -3.0"),
    ("4 x 4 x microneedling", "unexpected '4 x' at column 5"),
    ("no treatment; microneedling", "unexpected ';'"),
    ("microneedling @ 1 mm", "unexpected '@'"),
]


@pytest.mark.parametrize(("text", "fragment"), BAD)
def test_bad_strings(text, fragment):
    with pytest.raises(ProtocolError) as info:
        Protocol.parse(text)
    message = str(info.value)
    assert fragment in message
    assert message.startswith("protocol string")
    assert "\n" not in message
    assert "for example" in message


@pytest.mark.parametrize("value", [None, 4, b"microneedling"])
def test_non_string_input(value):
    with pytest.raises(ProtocolError, match="protocol string: expected text"):
        Protocol.parse(value)


@settings(deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_text_never_leaks_other_exceptions(text):
    try:
        Protocol.parse(text)
    except ProtocolError as exc:
        assert "\n" not in str(exc)


@settings(deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "4 x",
                "microneedling",
                "pn",
                "1.5 mm",
                "2 mL",
                "every",
                "30 days",
                "from",
                "day",
                "7",
                "at",
                "over",
                "10 cm2",
                ";",
                "then",
                "20 mg/mL",
                "none",
                "filler",
                "x",
            ]
        ),
        max_size=12,
    )
)
def test_word_salad_never_leaks_other_exceptions(words):
    try:
        protocol = Protocol.parse(" ".join(words))
    except ProtocolError as exc:
        assert "\n" not in str(exc)
    else:
        assert Protocol.parse(str(protocol)) == protocol
