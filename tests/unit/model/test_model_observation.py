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


def test_filler_adds_ten_mm_per_ml_per_cm2(setup):
    geometry, a, y0 = setup
    y = y0.copy()
    y[:, global_index("filler_gel")] = 0.1
    out = observe(y[:, None, :], y0, a)
    np.testing.assert_allclose(out["dermal_thickness"], geometry.dermis_mm + 1.0)


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
