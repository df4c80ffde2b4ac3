"""Tests of protocol TOML files and mappings (dermasim.protocol.toml_io)."""

import json
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from protocol_strategies import named_protocols

from dermasim.errors import ProtocolError
from dermasim.protocol import Protocol

EXAMPLE = """
name = "SkinPen, 4 sessions a month apart"
[[course]]
treatment = "microneedling"
depth_mm = 1.5
sessions = 4
interval_days = 30
start_day = 0
"""


protocols = named_protocols


@settings(deadline=None)
@given(protocols)
def test_toml_round_trip(protocol):
    again = Protocol.from_toml(protocol.to_toml())
    assert again == protocol
    assert (again.name, again.description) == (protocol.name, protocol.description)


@settings(deadline=None)
@given(protocols)
def test_dict_round_trip_through_json(protocol):
    data = json.loads(json.dumps(protocol.to_dict()))
    assert Protocol.from_dict(data) == protocol
    assert data["compact"] == str(protocol)


def test_example_from_text_and_path(tmp_path):
    protocol = Protocol.from_toml(EXAMPLE)
    assert str(protocol) == "4 x microneedling 1.5 mm every 30 days"
    assert protocol.name == "SkinPen, 4 sessions a month apart"
    path = tmp_path / "plan.toml"
    path.write_text(EXAMPLE, encoding="utf-8")
    assert Protocol.from_toml(path) == protocol
    assert Protocol.from_toml(str(path)) == protocol
    assert Protocol.load(path) == protocol
    assert Protocol.load(str(path)) == protocol


def test_to_toml_is_readable():
    text = Protocol.parse("4 x microneedling 1.5 mm every 30 days").to_toml()
    assert "interval_days = 30\n" in text
    assert tomllib.loads(text)["course"][0]["treatment"] == "microneedling"


def test_empty_protocols():
    assert Protocol.from_toml('name = "nothing"\ncourse = []') == Protocol()
    assert Protocol.from_toml("course = []") == Protocol()
    assert Protocol.from_toml(Protocol(name="x").to_toml()) == Protocol()
    assert Protocol.from_dict({}) == Protocol()


def test_a_file_without_any_course_is_refused_not_read_as_no_treatment():
    with pytest.raises(ProtocolError, match=r"course = '\(missing\)'.*course = \[\] for no"):
        Protocol.from_toml('name = "nothing"')


def test_aliases_strings_with_units_and_compact():
    protocol = Protocol.from_toml(
        """
        [[course]]
        treatment = "PN"
        sessions = 3
        interval_days = "4 weeks"
        start_day = "2 weeks"
        depth_mm = "1000 um"
        """
    )
    assert protocol == Protocol.parse("3 x pn at 1 mm every 28 days from day 14")
    only_compact = Protocol.from_toml('compact = "4 x microneedling 1.5 mm every 30 days"')
    assert only_compact == Protocol.from_toml(EXAMPLE)
    both = Protocol.from_toml('compact = "4 x microneedling 1.5 mm every 30 days"\n' + EXAMPLE)
    assert both == only_compact


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("name = ", "protocol TOML is malformed: "),
        ("[[course]\ntreatment = 'pn'", "protocol TOML is malformed: "),
        ('title = "x"', "title = 'x' is not valid: allowed only the top-level keys name"),
        ("[[courses]]\ntreatment = 'pn'", "courses = "),
        ("[[course]]\ntreatment = 'pn'\nneedle = 1", "course[0].needle = 1 is not valid"),
        ("[[course]]\nsessions = 1", "course[0].treatment = None"),
        ("[[course]]\ntreatment = 'laser'", "course[0].treatment = 'laser'"),
        ("[[course]]\ntreatment = 'microneedlng'", "did you mean 'microneedling'"),
        ("[[course]]\ntreatment = 'pn'\nsessions = 2", "course[0].interval_days = None"),
        ("[[course]]\ntreatment = 'pn'\nsessions = true", "course[0].sessions = True"),
        ("[[course]]\ntreatment = 'pn'\nvolume_ml = nan", "course[0].volume_ml = nan"),
        ("[[course]]\ntreatment = 'pn'\ndepth_mm = '2 mL'", "course[0].depth_mm = '2 mL'"),
        ("[[course]]\ntreatment = 'microneedling'\nvolume_ml = 1", "course[0].volume_ml = 1"),
        (
            "[[course]]\ntreatment = 'pn'\n[[course]]\ntreatment = 'pn'\nsessions = 99",
            "course[1].sessions = 99",
        ),
        ("course = 3", "course = 3 is not valid"),
        ("course = [1]", "course[0] = 1 is not valid"),
        ("name = 3", "name = 3 is not valid"),
        ("compact = 'laser'", "protocol string: unexpected 'laser'"),
        ("compact = 3", "compact = 3 is not valid"),
        ("compact = 'none'\n" + EXAMPLE, "agrees with the [[course]] tables"),
    ],
)
def test_bad_toml(text, fragment):
    with pytest.raises(ProtocolError) as info:
        Protocol.from_toml(text)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message
    assert "for example" in message


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(ProtocolError, match=r"^protocol file = '.*nope\.toml' is not valid"):
        Protocol.from_toml(tmp_path / "nope.toml")
    with pytest.raises(ProtocolError, match=r"an existing TOML file"):
        Protocol.from_toml("nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"name = '\xff\xfe'")
    with pytest.raises(ProtocolError, match="readable UTF-8"):
        Protocol.from_toml(bad)
    with pytest.raises(ProtocolError):
        Protocol.from_toml(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("data", [[], "x", None])
def test_from_dict_rejects_non_mappings(data):
    with pytest.raises(ProtocolError):
        Protocol.from_dict(data)


def test_path_type_is_always_a_file(tmp_path):
    with pytest.raises(ProtocolError, match="an existing TOML file"):
        Protocol.from_toml(Path(tmp_path / "plan"))
