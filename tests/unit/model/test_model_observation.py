"""Observation functions: baseline is zero change; downtime reads threshold crossings."""

import numpy as np
import pytest

from dermasim.model import downtime_days, initial_state, model_arguments, observe
from dermasim.model.layout import global_index, layer_index
from dermasim.parameters import ParameterSet
from dermasim.patient import Patient


@pytest.fixture(scope="module")
def setup():
    patient = Patient(age=52)
    a = model_arguments(ParameterSet.load().sample(3, np.random.default_rng(0)), patient)
    return patient.geometry(), a, initial_state(a)


def test_baseline_reads_zero_change(setup):
    geometry, a, y0 = setup
    out = observe(y0[:, None, :], y0, a)
    for name in ("collagen_density", "collagen_I", "collagen_III", "elastin", "tropoelastin"):
        np.testing.assert_allclose(out[name], 0.0, atol=1e-12)
    np.testing.assert_allclose(out["dermal_thickness"], geometry.dermis_mm)
    assert (out["collagen_content"] < 100).all()  # aged skin holds less than a young adult's


def test_collagen_density_is_thickness_weighted(setup):
    geometry, a, y0 = setup
    y = y0.copy()
    col = layer_index("collagen_I", "papillary")
    y[:, col] *= 1.5
    out = observe(y[:, None, :], y0, a)
    added = 0.5 * y0[:, col] * geometry.papillary_mm
    base = sum(
        (y0[:, layer_index("collagen_I", la)] + y0[:, layer_index("collagen_III", la)]) * h
        for la, h in (("papillary", geometry.papillary_mm), ("reticular", geometry.reticular_mm))
    )
    np.testing.assert_allclose(out["collagen_density"][:, 0], 100 * added / base)


def test_filler_adds_its_hydrated_layer_ten_mm_per_ml_per_cm2(setup):
    """0.1 mL/cm2 of gel is a 1 mm layer as injected, and (1 + w) mm once it binds water."""
    geometry, a, y0 = setup
    y = y0.copy()
    y[:, global_index("filler_gel")] = 0.1
    out = observe(y[:, None, :], y0, a)
    uptake = a["filler_water_uptake"][:, 0]
    assert np.ptp(uptake) > 0  # the draws differ, so the test sees each draw's own uptake
    np.testing.assert_allclose(out["dermal_thickness"][:, 0], geometry.dermis_mm + 1.0 + uptake)


def test_downtime_is_last_visible_time_before_next_session():
    times = np.arange(0.0, 20.0, 0.5)
    red = np.where(times < 3.0, 1.0, 0.0)[None, :] + np.where(
        (times >= 10.0) & (times < 11.0), 1.0, 0.0
    )
    out = downtime_days(times, red, np.array([0.0, 10.0]), np.array([0.5]))
    np.testing.assert_allclose(out, [[2.5, 0.5]])


def test_downtime_zero_when_never_visible():
    times = np.arange(0.0, 5.0, 0.1)
    out = downtime_days(times, np.zeros((2, times.size)), np.array([0.0]), np.array([0.1, 0.1]))
    np.testing.assert_array_equal(out, 0.0)


def test_scar_grade_falls_with_collagen_gained_and_never_rises_above_the_patients_own():
    patient = Patient(age=30, acne_scars=3)
    a = model_arguments(ParameterSet.load().sample(4, np.random.default_rng(1)), patient)
    y0 = initial_state(a)
    gained, lost = y0.copy(), y0.copy()
    for layer in ("papillary", "reticular"):
        gained[:, layer_index("new_matrix", layer)] = 0.2  # new matrix fills the scar
        lost[:, layer_index("collagen_I", layer)] *= 0.8
    out = observe(np.stack([y0, gained, lost], axis=1), y0, a)
    grade, fill = out["scar_grade"], a["scar_fill_collagen_percent"][:, 0]
    np.testing.assert_allclose(grade[:, 0], 3.0)
    expected = 3.0 * np.exp(-out["collagen_density"][:, 1] / fill)
    np.testing.assert_allclose(grade[:, 1], expected, rtol=1e-12)
    assert (grade[:, 1] < 3.0).all()
    np.testing.assert_allclose(grade[:, 2], 3.0)  # collagen loss does not deepen the scar


def test_type_I_and_III_endpoints_split_new_matrix_by_its_type_III_part(setup):
    _, a, y0 = setup
    y = y0.copy()
    for layer in ("papillary", "reticular"):
        y[:, layer_index("new_matrix", layer)] = 0.1
        y[:, layer_index("new_matrix_III", layer)] = 0.04
    out = observe(y[:, None, :], y0, a)
    h = {"papillary": a["papillary_mm"][:, 0], "reticular": a["reticular_mm"][:, 0]}

    def weighted(state):
        return sum(y0[:, layer_index(state, la)] * h[la] for la in h)

    dermis = h["papillary"] + h["reticular"]
    np.testing.assert_allclose(
        out["collagen_III"][:, 0], 100 * 0.04 * dermis / weighted("collagen_III"), rtol=1e-12
    )
    np.testing.assert_allclose(
        out["collagen_I"][:, 0], 100 * 0.06 * dermis / weighted("collagen_I"), rtol=1e-12
    )


def test_scar_grade_is_reported_only_for_a_patient_with_scars():
    import dermasim

    course = "microneedling 1.5 mm"
    without = dermasim.simulate(course, days=60, draws=2, parameters="prior")
    scarred = dermasim.simulate(
        course, {"age": 30, "acne_scars": 2}, days=60, draws=2, parameters="prior"
    )
    assert "scar_grade" not in without.endpoints
    assert scarred.summary(at=[0])["scar_grade"]["median"] == [2.0]
