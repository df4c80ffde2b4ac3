"""Property test: every state stays in the range the model documents (docs/model.md, States)
for any valid patient and protocol, same-day sessions included."""

import dataclasses
import sys
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermasim import Patient, Protocol, Simulation
from dermasim.errors import ProtocolError
from dermasim.model import ENDPOINTS, STATE_NAMES
from dermasim.patient import SITES
from dermasim.protocol import Course
from dermasim.protocol.products import TopicalProduct

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "protocol"))
from protocol_strategies import within_skin

patients = st.builds(
    Patient,
    age=st.floats(18, 90),
    sex=st.sampled_from(["female", "male"]),
    site=st.sampled_from(SITES),
    fitzpatrick=st.integers(1, 6),
    uv_exposure=st.sampled_from(["low", "moderate", "high"]),
    smoker=st.booleans(),
    acne_scars=st.integers(0, 4),
)

#: A small, lipophilic growth-signal active: it also crosses intact skin.
SMALL_GROWTH_SIGNAL = TopicalProduct(
    name="small active",
    active="test active",
    mw_da=300.0,
    log_kow=2.0,
    intact_route="two_pathway",
    concentration_mg_per_ml=1.0,
    action="growth_signal",
)

schedule = {
    "sessions": st.integers(1, 6),
    "interval_days": st.floats(1, 120),
    "start_day": st.floats(0, 200),
}
courses = st.one_of(
    st.builds(Course, treatment=st.just("microneedling"), depth_mm=st.floats(0.1, 3.0), **schedule),
    st.builds(
        Course,
        treatment=st.just("polynucleotide"),
        depth_mm=st.floats(0.1, 3.0),
        volume_ml=st.floats(0.1, 10.0),
        concentration_mg_per_ml=st.floats(1.0, 40.0),
        area_cm2=st.floats(1.0, 400.0),
        **schedule,
    ),
    st.builds(
        Course,
        treatment=st.just("hyaluronic_filler"),
        volume_ml=st.floats(0.1, 1.0),
        # at most 1/3 mL/cm2 a session, so three same-day fillers keep the daily ceiling
        area_cm2=st.floats(3.0, 400.0),
        **schedule,
    ),
    st.builds(
        Course,
        treatment=st.just("topical"),
        product=st.sampled_from(["growth_factor_serum", SMALL_GROWTH_SIGNAL]),
        concentration_mg_per_ml=st.floats(1e-6, 1000.0),
        dose_mg_per_cm2=st.floats(0.01, 50.0),
        minutes_after_needling=st.floats(0.0, 1440.0),
        occluded=st.booleans(),
        **schedule,
    ),
)


def _same_day(cs, together):
    """With ``together``, every course starts on the first one's day (same-day sessions);
    None where the fillers of a year together pass the gel ceiling (a refused input, tested
    in tests/unit/protocol)."""
    if together and cs:
        cs = [dataclasses.replace(c, start_day=cs[0].start_day) for c in cs]
    try:
        return Protocol(courses=tuple(cs))
    except ProtocolError:
        return None


protocols = st.builds(_same_day, st.lists(courses, min_size=0, max_size=3), st.booleans()).filter(
    lambda protocol: protocol is not None
)


cases = st.builds(within_skin, patients, protocols)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases, seed=st.integers(0, 2**16))
def test_states_stay_finite_and_non_negative(case, seed):
    patient, protocol = case
    sim = Simulation(protocol=protocol, patient=patient)
    # A state that undershoots zero by more than the solver's tolerance raises SolverError
    # (tests/unit/solve); here no valid input may trigger it, and nothing may blow up.
    states = sim.states(days=300, draws=3, seed=seed).values
    assert np.isfinite(states).all()
    assert states.min() >= 0.0  # round-off below zero is floored; more is refused
    injured = [i for i, n in enumerate(STATE_NAMES) if n.startswith(("injury", "epidermal_injury"))]
    assert states[..., injured].max() <= 1.0 + 1e-9  # injured fractions stay fractions
    column = {name: i for i, name in enumerate(STATE_NAMES)}
    draws = sim.parameters.sample(3, np.random.default_rng(seed))
    for layer in ("papillary", "reticular"):  # fibroblasts proliferate up to the capacity
        density = states[..., column[f"quiescent_fibroblasts[{layer}]"]]
        density = density + states[..., column[f"activated_fibroblasts[{layer}]"]]
        assert (density <= draws["fibroblast_capacity"][:, None] * (1 + 1e-6)).all()
    # the epidermis only thickens after a session and relaxes back to its resting thickness
    assert states[..., column["epidermal_thickness"]].min() >= 1.0 - 1e-9
    # gel and PN depots only decay: never more than was injected per cm2 so far
    injected = {"filler_gel": 0.0, "filler_gel_subdermal": 0.0, "pn": 0.0}
    for session in protocol.sessions():
        c = session.course
        if c.treatment == "hyaluronic_filler" and session.day < 300:
            plane = "filler_gel_subdermal" if c.plane == "subdermal" else "filler_gel"
            injected[plane] += c.volume_ml / c.area_cm2
        if c.treatment == "polynucleotide" and session.day < 300:
            injected["pn"] += c.volume_ml * c.concentration_mg_per_ml / c.area_cm2
    tolerance = 1e-6
    for plane in ("filler_gel", "filler_gel_subdermal"):
        assert states[..., column[plane]].max() <= injected[plane] * (1 + tolerance) + 1e-12
    pn = states[..., column["pn_depot[papillary]"]] + states[..., column["pn_depot[reticular]"]]
    assert pn.max() <= injected["pn"] * (1 + tolerance) + 1e-12
    for layer in ("papillary", "reticular"):  # the type-III part of new matrix is a part
        new = states[..., STATE_NAMES.index(f"new_matrix[{layer}]")]
        new3 = states[..., STATE_NAMES.index(f"new_matrix_III[{layer}]")]
        assert (new3 <= new + 1e-9 * np.maximum(new, 1.0)).all()
    sol = sim.run(days=300, draws=3, seed=seed)
    assert set(sol.endpoints) == set(ENDPOINTS) - (
        {"scar_grade"} if not patient.acne_scars else set()
    )
    for name in sol.endpoints:
        assert np.isfinite(sol.dataset[name].values).all(), name
    if patient.acne_scars:  # a grade on the scale, never worse than the patient's own
        grade = sol.dataset["scar_grade"].values
        assert (grade >= 0).all() and (grade <= patient.acne_scars + 1e-12).all()
    assert (sol.dataset["dermal_thickness"].values > 0).all()
    downtime = sol.dataset["downtime_days"].values
    session_days = sol.dataset["session_day"].values
    assert (downtime <= 300.0 - session_days).all()  # redness ends within the horizon window
