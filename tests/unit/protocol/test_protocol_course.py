"""Tests of Course, Session and Protocol objects."""

import math

import pytest

from dermasim.errors import ProtocolError
from dermasim.protocol import Course, Protocol, Session, make_course


def test_defaults_are_filled():
    mn = Course("microneedling")
    assert (mn.depth_mm, mn.volume_ml, mn.concentration_mg_per_ml, mn.area_cm2) == (
        1.5,
        None,
        None,
        None,
    )
    pn = Course("polynucleotide", sessions=3, interval_days=28)
    assert (pn.depth_mm, pn.volume_ml, pn.concentration_mg_per_ml, pn.area_cm2) == (
        1.0,
        2.0,
        20.0,
        60.0,
    )
    assert pn.dose_mg == 40.0
    ha = Course("hyaluronic_filler")
    assert (ha.depth_mm, ha.volume_ml, ha.area_cm2) == (None, 1.0, 10.0)
    assert ha.dose_mg is None


def test_canonical_values():
    course = Course("microneedling", sessions=1, interval_days=30, start_day=5)
    assert course.interval_days is None
    assert isinstance(course.start_day, float)
    assert Course("microneedling", 4.0, 30).sessions == 4
    assert Course("microneedling", start_day=-0.0).start_day == 0.0
    assert Course("microneedling", depth_mm=1) == Course("microneedling", depth_mm=1.0)


def test_session_days():
    assert Course("microneedling", 4, 30, 60).session_days() == (60.0, 90.0, 120.0, 150.0)
    assert Course("polynucleotide", start_day=7).session_days() == (7.0,)


def test_exact_error_message():
    with pytest.raises(ProtocolError) as info:
        make_course(where="course[0]", treatment="microneedling", depth_mm=7.0)
    assert str(info.value) == (
        "course[0].depth_mm = 7.0 is not valid: allowed 0.1 to 3.0 mm for microneedling; "
        "for example depth_mm = 1.5"
    )


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"treatment": "laser"}, "course.treatment"),
        ({"treatment": "pn"}, "course.treatment"),  # aliases only in parsers
        ({"treatment": "microneedling", "sessions": 0}, "course.sessions"),
        ({"treatment": "microneedling", "sessions": 25, "interval_days": 7}, "course.sessions"),
        ({"treatment": "microneedling", "sessions": 2.5, "interval_days": 7}, "course.sessions"),
        ({"treatment": "microneedling", "sessions": True}, "course.sessions"),
        ({"treatment": "microneedling", "sessions": "4"}, "course.sessions"),
        ({"treatment": "microneedling", "sessions": 3}, "course.interval_days"),
        (
            {"treatment": "microneedling", "sessions": 3, "interval_days": 0.5},
            "course.interval_days",
        ),
        (
            {"treatment": "microneedling", "sessions": 3, "interval_days": 731},
            "course.interval_days",
        ),
        ({"treatment": "microneedling", "start_day": -1}, "course.start_day"),
        ({"treatment": "microneedling", "start_day": 3651}, "course.start_day"),
        ({"treatment": "microneedling", "start_day": math.nan}, "course.start_day"),
        ({"treatment": "microneedling", "depth_mm": math.inf}, "course.depth_mm"),
        ({"treatment": "microneedling", "depth_mm": "1.5"}, "course.depth_mm"),
        ({"treatment": "microneedling", "depth_mm": False}, "course.depth_mm"),
        ({"treatment": "microneedling", "volume_ml": 1.0}, "course.volume_ml"),
        ({"treatment": "microneedling", "area_cm2": 10.0}, "course.area_cm2"),
        ({"treatment": "hyaluronic_filler", "depth_mm": 1.0}, "course.depth_mm"),
        ({"treatment": "hyaluronic_filler", "concentration_mg_per_ml": 20}, "course."),
        ({"treatment": "polynucleotide", "volume_ml": 0.05}, "course.volume_ml"),
        ({"treatment": "polynucleotide", "concentration_mg_per_ml": 41}, "course.concentration"),
        ({"treatment": "polynucleotide", "area_cm2": 401}, "course.area_cm2"),
    ],
)
def test_course_rejects(kwargs, field):
    with pytest.raises(ProtocolError) as info:
        Course(**kwargs)
    message = str(info.value)
    assert message.startswith(field)
    assert "\n" not in message
    assert "is not valid: allowed" in message
    assert "; for example " in message


def test_treatment_typo_suggests():
    with pytest.raises(ProtocolError, match="did you mean 'microneedling'"):
        Course("microneedlin")


def test_make_course_prefix_and_aliases():
    assert make_course(treatment="PN").treatment == "polynucleotide"
    assert make_course(treatment="ha filler").treatment == "hyaluronic_filler"
    with pytest.raises(ProtocolError, match=r"^course\[2\]\.sessions = 0 "):
        make_course(where="course[2]", treatment="pn", sessions=0)
    with pytest.raises(ProtocolError, match=r"^course\[1\]\.needles = .*only the keys"):
        make_course(where="course[1]", treatment="pn", needles=3)


def test_courses_are_frozen():
    course = Course("microneedling")
    with pytest.raises(AttributeError):
        course.sessions = 3  # type: ignore[misc]


def test_protocol_sessions_sorted_and_properties():
    mn = Course("microneedling", 3, 28)
    pn = Course("polynucleotide", 3, 28, 14)
    protocol = Protocol((mn, pn), name="alternating")
    days = [s.day for s in protocol.sessions()]
    assert days == [0, 14, 28, 42, 56, 70]
    assert protocol.sessions()[1] == Session(14.0, 1, pn)
    assert protocol.treatments == frozenset({"microneedling", "polynucleotide"})
    assert protocol.last_session_day == 70.0
    assert Protocol().last_session_day is None
    assert Protocol().treatments == frozenset()
    assert str(Protocol()) == "no treatment"


def test_protocol_ties_keep_course_order():
    a = Course("microneedling", start_day=10)
    b = Course("polynucleotide", start_day=10)
    assert [s.course_index for s in Protocol((b, a)).sessions()] == [0, 1]


def test_protocol_name_not_in_equality_and_list_accepted():
    a = Protocol([Course("microneedling")], name="a")
    b = Protocol((Course("microneedling"),), name="b")
    assert a == b
    assert isinstance(a.courses, tuple)


@pytest.mark.parametrize(
    "kwargs",
    [{"courses": "microneedling"}, {"courses": (1,)}, {"name": 3}, {"description": None}],
)
def test_protocol_rejects(kwargs):
    with pytest.raises(ProtocolError):
        Protocol(**kwargs)


def test_to_dict_is_canonical():
    protocol = Protocol((Course("microneedling", 4, 30),), name="mn")
    assert protocol.to_dict() == {
        "name": "mn",
        "compact": "4 x microneedling 1.5 mm every 30 days",
        "course": [
            {
                "treatment": "microneedling",
                "sessions": 4,
                "interval_days": 30.0,
                "start_day": 0.0,
                "depth_mm": 1.5,
            }
        ],
    }
    assert Protocol.from_dict(protocol.to_dict()) == protocol
