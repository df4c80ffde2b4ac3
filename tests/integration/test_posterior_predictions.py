"""Predictions with the bundled posterior: informative intervals, physiological bounds."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dermasim import Patient, Protocol, Simulation, simulate
from dermasim.parameters.posterior import Posterior
from dermasim.patient import SITES
from dermasim.protocol import Course

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "protocol"))
from protocol_strategies import within_skin


def test_microneedling_interval_at_six_months_is_informative() -> None:
    """Issue acceptance: the 90% interval of collagen_density 6 months after the standard
    microneedling course is narrower than +/-100 percentage points."""
    sol = simulate("microneedling-4-monthly", days=180, draws=400, seed=0)
    p05, median, p95 = sol.quantiles("collagen_density", at=[180])[:, 0]
    assert median - p05 < 100 and p95 - median < 100
    assert p05 > 0  # the course raises collagen in nearly every posterior draw


def test_posterior_is_narrower_than_the_prior() -> None:
    widths = {}
    for name in ("posterior", "prior"):
        sol = simulate("microneedling-4-monthly", days=180, draws=300, seed=1, parameters=name)
        p05, _, p95 = sol.quantiles("collagen_density", at=[180])[:, 0]
        widths[name] = p95 - p05
    assert widths["posterior"] < widths["prior"]


patients = st.builds(
    Patient,
    age=st.floats(18, 90),
    sex=st.sampled_from(["female", "male"]),
    site=st.sampled_from(SITES),
    uv_exposure=st.sampled_from(["low", "moderate", "high"]),
    smoker=st.booleans(),
)
schedule = {"sessions": st.integers(1, 6), "interval_days": st.floats(7, 120)}
courses = st.one_of(
    st.builds(Course, treatment=st.just("microneedling"), depth_mm=st.floats(0.1, 3.0), **schedule),
    st.builds(
        Course,
        treatment=st.just("polynucleotide"),
        depth_mm=st.floats(0.5, 2.0),
        volume_ml=st.floats(0.5, 4.0),
        concentration_mg_per_ml=st.floats(5.0, 20.0),
        area_cm2=st.floats(10.0, 100.0),
        **schedule,
    ),
    st.builds(
        Course,
        treatment=st.just("hyaluronic_filler"),
        volume_ml=st.floats(0.1, 2.0),
        area_cm2=st.floats(10.0, 100.0),  # at most 0.2 mL/cm2 a session, as in practice
        **schedule,
    ),
)
protocols = st.lists(courses, min_size=1, max_size=2).map(lambda c: Protocol(courses=tuple(c)))
POSTERIOR = Posterior.load()


@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=st.builds(within_skin, patients, protocols), seed=st.integers(0, 2**16))
def test_posterior_predictions_stay_physiological(case, seed) -> None:
    """Scenarios outside the evidence (other protocols, ages, sites) stay within bounds:
    collagen content between 0 and 2.5 times the young-adult reference, collagen change
    above -50% within a year, epidermis not thinner than 0.8 times its resting thickness,
    dermal thickness between 0.2 and 15 mm."""
    patient, protocol = case
    sol = Simulation(protocol=protocol, patient=patient, parameters=POSTERIOR).run(
        days=365, draws=8, seed=seed
    )
    ds = sol.dataset
    assert np.all((ds["collagen_content"].values > 0) & (ds["collagen_content"].values < 250))
    assert np.all(ds["collagen_density"].values > -50)
    assert np.all(ds["epidermal_thickness"].values > -20)
    assert np.all((ds["dermal_thickness"].values > 0.2) & (ds["dermal_thickness"].values < 15))


@pytest.mark.xfail(
    reason="the epidermis thickens too much after repeated short-interval needling: for an "
    "18-year-old after 3 x 1 mm weekly the bundled posterior gives a median peak of "
    "+48%, +206% at the 99th percentile and +341% at the most of 4000 draws: "
    "epidermal thickening relaxes at one fitted rate, and no evidence row gives the time "
    "course of wound hyperplasia to split a fast resolving part from the lasting one that "
    "MN-K21-2 and MN-A08-1 report",
    strict=True,
)
def test_posterior_epidermis_stays_below_four_times_its_resting_thickness() -> None:
    """The corner the search above found (an 18-year-old needled 1 mm weekly), over 4000
    posterior draws: no draw's epidermis reaches four times its resting thickness."""
    patient = Patient(age=18.0, sex="female", site="cheek", uv_exposure="low")
    protocol = Protocol(
        courses=(Course("microneedling", sessions=3, interval_days=7.0, depth_mm=1.0),)
    )
    sol = Simulation(protocol=protocol, patient=patient, parameters=POSTERIOR).run(
        days=365, draws=4000, seed=0
    )
    assert np.all(sol.dataset["epidermal_thickness"].values < 300)


MAINTENANCE_COURSE = "4 x microneedling 1.5 mm every 30 days"  # last session on day 90


@pytest.mark.parametrize(
    "maintenance",
    [
        "5 x microneedling 1.5 mm every 180 days from day 270",
        "2 x microneedling 1.5 mm every 365 days from day 455",
    ],
)
def test_posterior_maintenance_holds_what_the_course_built(maintenance) -> None:
    """With the bundled posterior, a course's gain over the untreated twin fades without
    maintenance (24 months below 6 months in the median), and a maintenance session every
    6 or 12 months keeps the 24-month content above the unmaintained course's in at least
    95% of paired draws."""

    def content(protocol: str) -> np.ndarray:
        sol = simulate(protocol, days=730, draws=400, seed=3)
        return sol.dataset["collagen_content"].sel(time=[180, 730]).values

    untreated = content("no treatment")
    plain = content(MAINTENANCE_COURSE) - untreated
    kept = content(f"{MAINTENANCE_COURSE}; {maintenance}") - untreated
    assert np.median(plain[:, 1]) < np.median(plain[:, 0])
    assert np.mean(kept[:, 1] > plain[:, 1]) >= 0.95
