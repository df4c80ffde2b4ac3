"""Tests of the indirect-response baseline (dermasim.calibration.baseline)."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from dermasim.calibration.baseline import (
    BASELINE_PRIORS,
    _session_response,
    baseline_outputs,
    fit_baseline,
)
from dermasim.calibration.likelihood import CalibrationProblem


@pytest.mark.parametrize(("k_out", "k_s"), [(0.05, 0.2), (0.2, 0.05), (0.1, 0.1 + 1e-12)])
def test_closed_form_session_response_solves_the_indirect_response_ode(k_out, k_s):
    """dX/dt = k_out (exp(-k_s t) - X), X(0) = 0, solved numerically."""
    t = np.linspace(0.0, 200.0, 41)
    ode = solve_ivp(
        lambda s, x: k_out * (np.exp(-k_s * s) - x),
        (0, 200),
        [0.0],
        t_eval=t,
        rtol=1e-10,
        atol=1e-12,
    )
    closed = _session_response(np.array(k_out), np.array(k_s), t)
    np.testing.assert_allclose(closed, ode.y[0], rtol=1e-6, atol=1e-9)


def test_no_overflow_when_the_rates_are_far_apart():
    with np.errstate(all="raise"):
        value = _session_response(np.array([1e-4, 10.0]), np.array([10.0, 1e-4]), np.array(3000.0))
    assert np.all(np.isfinite(value)) and np.all(value >= 0)


@pytest.fixture(scope="module")
def problem():
    return CalibrationProblem()


def _point(problem, **changes):
    values = {
        name: np.array([prior.ppf(np.array(0.5))]) for name, (_, prior) in BASELINE_PRIORS.items()
    }
    values.update({r.name: np.array([r.value]) for r in problem.observation_records})
    values.update({k: np.array([v]) for k, v in changes.items()})
    return values


def test_untreated_scenarios_follow_the_ageing_rate_and_treatments_add(problem):
    out = baseline_outputs(problem, _point(problem, baseline_ageing_per_year=0.01))
    untreated = out.at("untreated-45", "collagen_density", (365.0,))
    np.testing.assert_allclose(untreated, -1.0 * 365.0 / 365.25, rtol=1e-9)
    treated = out.at("mn-4-monthly", "collagen_density", (180.0,))
    assert treated[0, 0] > untreated[0, 0]
    none = baseline_outputs(
        problem,
        _point(problem, baseline_ageing_per_year=0.01, baseline_stimulus_microneedling=1e-4),
    ).at("mn-4-monthly", "collagen_density", (180.0,))
    assert none[0, 0] < treated[0, 0]


@pytest.mark.parametrize(("turnover", "stimulus"), [(167.0, 71.0), (20.0, 90.0), (30.0, 3.0)])
def test_scenario_response_solves_the_ode_through_every_session(problem, turnover, stimulus):
    """The endpoint of a 4-session course equals a numerical solve of the baseline's ODE,
    whichever of k_out and k_s is larger."""
    values = _point(
        problem,
        baseline_ageing_per_year=0.0,
        baseline_turnover_days=turnover,
        baseline_stimulus_days=stimulus,
        baseline_stimulus_microneedling=0.5,
    )
    got = baseline_outputs(problem, values).at("mn-4-monthly", "collagen_density", (180.0,))
    sessions = [s.day for s in problem.evidence.scenarios["mn-4-monthly"].protocol.sessions()]
    k_out, k_s = 1.0 / turnover, 1.0 / stimulus

    def stimulus_at(t):
        return sum(0.5 * np.exp(-k_s * (t - d)) for d in sessions if t >= d)

    ode = solve_ivp(
        lambda t, x: k_out * (stimulus_at(t) - x),
        (0, 180),
        [0.0],
        rtol=1e-10,
        atol=1e-12,
        max_step=1.0,
    )
    np.testing.assert_allclose(got[0, 0], 100.0 * ode.y[0, -1], rtol=1e-5)


def test_filler_gel_decays_first_order(problem):
    out = baseline_outputs(problem, _point(problem, baseline_filler_days=100.0))
    remaining = out.at("ha-nasolabial", "filler_remaining", (112.0,))
    np.testing.assert_allclose(remaining, 100.0 * np.exp(-112.0 / 100.0), rtol=1e-9)


def test_fit_learns_the_ageing_rate_from_the_ageing_rows(problem):
    """The prior median is 0.3 %/year; AG-1 (about -1 %/year) and AG-3 (-6 %/decade of
    thickness) say more, so a fit that learned from them lands above 0.45 %/year and below
    3 %/year."""
    rows = [e.id for e in problem.evidence.endpoints]
    fit = fit_baseline(problem, rows, starts=1)
    assert set(fit.rows) == {e.id for e in problem.evidence.endpoints if e.fitted}
    assert 0.0045 < fit.values["baseline_ageing_per_year"] < 0.03
    left_out = fit_baseline(problem, [r for r in rows if not r.startswith("AG-")], starts=1)
    assert left_out.rows != fit.rows
