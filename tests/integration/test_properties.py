"""Property test: no state goes negative or NaN for any valid patient and protocol."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermasim import Patient, Protocol, Simulation
from dermasim.model import ENDPOINTS
from dermasim.patient import SITES
from dermasim.protocol import Course

patients = st.builds(
    Patient,
    age=st.floats(18, 90),
    sex=st.sampled_from(["female", "male"]),
    site=st.sampled_from(SITES),
    fitzpatrick=st.integers(1, 6),
    uv_exposure=st.sampled_from(["low", "moderate", "high"]),
    smoker=st.booleans(),
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
        volume_ml=st.floats(0.1, 10.0),
        area_cm2=st.floats(1.0, 400.0),
        **schedule,
    ),
)
protocols = st.lists(courses, min_size=0, max_size=3).map(lambda c: Protocol(courses=tuple(c)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(patient=patients, protocol=protocols, seed=st.integers(0, 2**16))
def test_states_stay_finite_and_non_negative(patient, protocol, seed):
    sim = Simulation(protocol=protocol, patient=patient)
    states = sim.states(days=300, draws=3, seed=seed).values
    assert np.isfinite(states).all()
    assert (states >= 0).all()
    sol = sim.run(days=300, draws=3, seed=seed)
    for name in ENDPOINTS:
        assert np.isfinite(sol.dataset[name].values).all(), name
    assert (sol.dataset["dermal_thickness"].values > 0).all()
    assert (sol.dataset["downtime_days"].values >= 0).all()
