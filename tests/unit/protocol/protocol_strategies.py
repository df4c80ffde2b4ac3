"""Hypothesis strategies for valid courses and protocols, shared by the protocol tests."""

import dataclasses
import math

from hypothesis import strategies as st

from dermasim.errors import ProtocolError
from dermasim.protocol import Course, Protocol
from dermasim.protocol.course import MAX_FILLER_ML_PER_CM2


def finite_floats(low, high):
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


@st.composite
def courses(draw):
    """Any valid course; settings left out (None) take their defaults."""
    treatment = draw(
        st.sampled_from(["microneedling", "polynucleotide", "hyaluronic_filler", "topical"])
    )
    sessions = draw(st.integers(1, 24))
    values = {
        "treatment": treatment,
        "sessions": sessions,
        "interval_days": draw(finite_floats(1, 730)) if sessions > 1 else None,
        "start_day": draw(st.one_of(st.just(0.0), finite_floats(0, 3650))),
    }
    if treatment in ("microneedling", "polynucleotide"):
        values["depth_mm"] = draw(st.one_of(st.none(), finite_floats(0.1, 3.0)))
    if treatment == "polynucleotide":
        values["volume_ml"] = draw(st.one_of(st.none(), finite_floats(0.1, 10)))
        values["area_cm2"] = draw(st.one_of(st.none(), finite_floats(1, 400)))
        values["concentration_mg_per_ml"] = draw(st.one_of(st.none(), finite_floats(1, 40)))
    if treatment == "hyaluronic_filler":
        area = draw(finite_floats(1, 400))
        values["area_cm2"] = area
        values["volume_ml"] = draw(finite_floats(0.1, min(10.0, MAX_FILLER_ML_PER_CM2 * area)))
    if treatment == "topical":
        values["product"] = draw(st.sampled_from([None, "growth_factor_serum"]))
        values["concentration_mg_per_ml"] = draw(st.one_of(st.none(), finite_floats(1e-6, 1000)))
        values["dose_mg_per_cm2"] = draw(st.one_of(st.none(), finite_floats(0.01, 50)))
        values["minutes_after_needling"] = draw(st.one_of(st.none(), finite_floats(0, 1440)))
        values["occluded"] = draw(st.one_of(st.none(), st.booleans()))
    return Course(**values)


def _protocol_or_none(cs, name="", description=""):
    try:
        return Protocol(tuple(cs), name=name, description=description)
    except ProtocolError:  # fillers of several courses on one day above the daily ceiling
        return None


protocols = st.lists(courses(), max_size=4).map(_protocol_or_none).filter(lambda p: p is not None)
"""Valid protocols without a name."""

named_protocols = st.builds(
    _protocol_or_none,
    st.lists(courses(), max_size=4),
    name=st.text(max_size=20),
    description=st.text(max_size=20),
).filter(lambda p: p is not None)
"""Valid protocols with a name and a description (any text)."""


def within_skin(patient, protocol):
    """``(patient, protocol)`` with every needle and injection at most as deep as the
    patient's skin at the site (deeper ones are refused, ``dermasim.contraindications``).
    Deeper draws land on the limit, so searches also try needles that reach the bottom of the
    dermis."""
    limit = math.floor(100.0 * patient.geometry().total_mm) / 100.0
    courses = tuple(
        dataclasses.replace(c, depth_mm=min(c.depth_mm, limit)) if c.depth_mm else c
        for c in protocol.courses
    )
    return patient, Protocol(courses=courses)
