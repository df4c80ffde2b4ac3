"""Predictions with the bundled posterior: informative intervals, physiological bounds."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, target
from hypothesis import strategies as st

from dermasim import Patient, Protocol, Simulation, simulate
from dermasim.geometry import skin_geometry
from dermasim.parameters.posterior import Posterior
from dermasim.patient import SITES
from dermasim.protocol import Course
from dermasim.references import load_evidence

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "protocol"))
from protocol_strategies import within_skin


def test_microneedling_interval_at_six_months_is_informative() -> None:
    """Issue acceptance: the 90% interval of collagen_density 6 months after the standard
    microneedling course is narrower than +/-100 percentage points."""
    sol = simulate("microneedling-4-monthly", days=180, draws=400, seed=0)
    p05, median, p95 = sol.quantiles("collagen_density", at=[180])[:, 0]
    assert median - p05 < 100 and p95 - median < 100
    assert p05 > 0  # the course raises collagen in nearly every posterior draw


@pytest.mark.parametrize(
    ("protocol", "endpoint", "day"),
    [
        ("microneedling-4-monthly", "collagen_density", 180),
        ("ha-filler-single", "dermal_thickness", 365),
    ],
)
def test_the_data_move_the_prediction_beyond_the_priors_upper_quarter(
    protocol: str, endpoint: str, day: int
) -> None:
    """The calibration informs the predictions: the needling studies report collagen gains,
    and the human imaging studies filler persistence, that the priors place in their upper
    quarter (the priors' needling response is held down by the collagen limit, their gel
    decay is the mouse row's), so the posterior median lies above the prior's 75th
    percentile. A posterior that learnt nothing sits at the prior median. (The 5-95%
    intervals are about as wide as the priors': the prior mass piles up near no response,
    and the posterior's sits between that floor and the limit.)"""
    quartiles = {}
    for name in ("posterior", "prior"):
        sol = simulate(protocol, days=day, draws=300, seed=1, parameters=name)
        quartiles[name] = sol.quantiles(endpoint, at=[day], q=[0.5, 0.75])[:, 0]
    assert quartiles["posterior"][0] > quartiles["prior"][1]


def _physiology(row_id: str) -> dict[str, str]:
    return next(r for r in load_evidence("physiology") if r["id"] == row_id)


#: The thickest epidermis of the 37 body areas of a meta-analysis of 142 studies (TH-9,
#: Lintzeri2023: 31.2 to 596.6 um; the soles and palms): no treated facial or body skin
#: holds a thicker one.
THICKEST_EPIDERMIS_MM = float(_physiology("TH-9")["value"].split(" to ")[1]) / 1000.0


def _young_adult_upper_dermis_mm(sex: str) -> float:
    """The thickest young-adult cheek dermis: the 20-29 decade's full skin thickness plus
    3 SD (TH-1 women, TH-2 men, FacialHFUS, 50 MHz ultrasound; 99.9% of young adults are
    thinner if thickness is normal), minus the epidermis of the geometry (TH-7)."""
    row = _physiology("TH-1" if sex == "female" else "TH-2")
    mean = float(row["value"].split(" / ")[0])
    sd = float(re.match(r"SD ([0-9.]+)", row["spread_or_range"]).group(1))
    return mean + 3.0 * sd - skin_geometry(25.0, sex, "cheek").epidermis_mm


patients = st.builds(
    Patient,
    age=st.one_of(st.just(18.0), st.floats(18, 90)),
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


def _epidermis_mm(patient: Patient, change_percent: np.ndarray) -> np.ndarray:
    """Total epidermis (stratum corneum and viable epidermis) after a change of the viable
    epidermis by ``change_percent``."""
    g = skin_geometry(patient.age, patient.sex, patient.site)
    return g.stratum_corneum_mm + g.viable_epidermis_mm * (1.0 + change_percent / 100.0)


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=st.builds(within_skin, patients, protocols), seed=st.integers(0, 2**16))
def test_posterior_predictions_stay_physiological(case, seed) -> None:
    """Scenarios outside the evidence (other protocols, ages, sites), with Hypothesis
    steering towards the thickest epidermis it can find: no draw's epidermis is thicker
    than the thickest of any body area (TH-9), none thins below its resting thickness
    (the model has no treatment that thins it), and collagen, dermis and every endpoint
    stay positive and finite."""
    patient, protocol = case
    sol = Simulation(protocol=protocol, patient=patient, parameters=POSTERIOR).run(
        days=365, draws=8, seed=seed
    )
    ds = sol.dataset
    epidermis = _epidermis_mm(patient, ds["epidermal_thickness"].values)
    target(float(epidermis.max() / THICKEST_EPIDERMIS_MM), label="epidermis / thickest")
    assert np.all(epidermis <= THICKEST_EPIDERMIS_MM)
    assert np.all(ds["epidermal_thickness"].values >= -1e-6)
    assert np.all(ds["collagen_content"].values > 0)
    assert np.all(ds["dermal_thickness"].values > 0)
    for name in sol.endpoints:
        assert np.isfinite(ds[name].values).all(), name


def test_the_epidermis_of_the_corner_stays_within_the_thickest_of_body_areas() -> None:
    """The corner a search found (an 18-year-old needled deep and weekly, six times), over
    4000 posterior draws: no draw's epidermis is thicker than the thickest of any body area
    (TH-9, 596.6 um). The median peak is about +110% and the largest near +700% (a viable
    epidermis 8 times its resting thickness): wound hyperplasia relaxes at the one rate
    that the lasting thickening of MN-K21-2 and MN-A08-1 sets (docs/model.md,
    Limitations)."""
    patient = Patient(age=18.0, sex="female", site="cheek", uv_exposure="low")
    protocol = Protocol(
        courses=(Course("microneedling", sessions=6, interval_days=7.0, depth_mm=1.9),)
    )
    sol = Simulation(protocol=protocol, patient=patient, parameters=POSTERIOR).run(
        days=365, draws=4000, seed=0
    )
    epidermis = _epidermis_mm(patient, sol.dataset["epidermal_thickness"].values)
    assert np.all(epidermis <= THICKEST_EPIDERMIS_MM)


BUNDLED_COURSES = (
    "microneedling-4-monthly",
    "microneedling-6-biweekly",
    "microneedling-growth-factor-serum",
    "pn-plus-microneedling",
    "pn-standard",
)


@pytest.mark.parametrize("sex", ["female", "male"])
def test_no_bundled_course_thickens_the_dermis_beyond_young_adult_skin(sex) -> None:
    """The collagen limit, judged by physiology: over 1000 posterior draws of each bundled
    needling or PN course, no 45-year-old's cheek dermis (without filler gel) is thicker
    than the thickest young-adult cheek dermis (mean plus 3 SD of the 20-29 decade, TH-1 and
    TH-2, read here from the evidence rows). The model's limit is built from the same rows
    (``dermasim.geometry.thickest_dermis_mm``), so this checks that the formulation keeps
    it, through the whole course and at every draw, not that the evidence agrees; it failed
    with the earlier assumed limit of 1.3-2.4 times young-adult content (14-30% of draws
    above)."""
    patient = Patient(age=45.0, sex=sex, site="cheek")
    limit = _young_adult_upper_dermis_mm(sex)
    peaks = {
        name: simulate(name, patient=patient, days=730, draws=1000, seed=0)
        .dataset["dermal_thickness"]
        .values.max()
        for name in BUNDLED_COURSES
    }
    assert max(peaks.values()) <= limit * (1 + 1e-6), peaks
    # the limit is reached, not kept by a course that never comes near it
    assert max(peaks.values()) > 0.97 * limit, peaks


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
