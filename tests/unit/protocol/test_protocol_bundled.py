"""Tests of the bundled protocols."""

from importlib import resources

import pytest

from dermasim.errors import ProtocolError
from dermasim.protocol import BUNDLED_NAMES, Protocol, bundled_protocol, bundled_protocols

EXPECTED = {
    "no-treatment": "no treatment",
    "pn-standard": (
        "3 x polynucleotide 2 mL 20 mg/mL at 1 mm over 60 cm2 every 28 days; "
        "2 x polynucleotide 2 mL 20 mg/mL at 1 mm over 60 cm2 every 185 days from day 180"
    ),
    "microneedling-4-monthly": "4 x microneedling 1.5 mm every 30 days",
    "microneedling-6-biweekly": "6 x microneedling 1.5 mm every 14 days",
    "ha-filler-single": "1 x hyaluronic_filler 1 mL over 10 cm2",
    "pn-plus-microneedling": (
        "3 x microneedling 1.5 mm every 28 days; "
        "3 x polynucleotide 2 mL 20 mg/mL at 1 mm over 60 cm2 every 28 days from day 14"
    ),
    "microneedling-growth-factor-serum": (
        "4 x microneedling 1.5 mm every 30 days; "
        "4 x topical growth_factor_serum 0.01 mg/mL 2 mg/cm2 0 min after needling every 30 days"
    ),
}


def test_names_and_order():
    assert tuple(bundled_protocols()) == BUNDLED_NAMES == tuple(EXPECTED)


def test_every_file_is_listed():
    folder = resources.files("dermasim").joinpath("data", "protocols")
    names = {p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")}
    assert names == set(BUNDLED_NAMES)


@pytest.mark.parametrize(("name", "compact"), EXPECTED.items())
def test_contents(name, compact):
    protocol = bundled_protocol(name)
    assert str(protocol) == compact
    assert protocol.name
    assert protocol.description
    assert Protocol.parse(compact) == protocol
    assert Protocol.load(name) == protocol
    assert Protocol.from_toml(protocol.to_toml()) == protocol


def test_pn_plus_microneedling_alternates():
    sessions = bundled_protocol("pn-plus-microneedling").sessions()
    assert [s.day for s in sessions] == [0, 14, 28, 42, 56, 70]
    assert [s.course.treatment[0] for s in sessions] == ["m", "p"] * 3


def test_serum_follows_each_needling_session():
    sessions = bundled_protocol("microneedling-growth-factor-serum").sessions()
    assert [s.day for s in sessions] == [0, 0, 30, 30, 60, 60, 90, 90]
    assert [s.course.treatment for s in sessions] == ["microneedling", "topical"] * 4


def test_pn_standard_days():
    protocol = bundled_protocol("pn-standard")
    assert [s.day for s in protocol.sessions()] == [0, 28, 56, 180, 365]


def test_unknown_name_lists_names():
    with pytest.raises(ProtocolError) as info:
        bundled_protocol("pn-standrd")
    message = str(info.value)
    assert message.startswith("protocol = 'pn-standrd' is not valid: allowed one of no-treatment")
    assert "did you mean 'pn-standard'" in message


def test_load_dispatch():
    assert Protocol.load("pn-standard") == bundled_protocol("pn-standard")
    assert Protocol.load("4 x microneedling 1.5 mm every 30 days") == bundled_protocol(
        "microneedling-4-monthly"
    )
    assert Protocol.load("none") == Protocol()
    with pytest.raises(ProtocolError, match="did you mean 'pn-standard'"):
        Protocol.load("pn-standrd")
    with pytest.raises(ProtocolError, match="protocol string: "):
        Protocol.load("laser 3 mm")
    with pytest.raises(ProtocolError, match="an existing TOML file"):
        Protocol.load("missing.toml")
    with pytest.raises(ProtocolError):
        Protocol.load(42)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", [["pn-standard"], {"a": 1}, None, 3])
def test_a_bundled_name_of_the_wrong_type_is_one_line(name):
    with pytest.raises(ProtocolError, match="one of no-treatment"):
        bundled_protocol(name)
