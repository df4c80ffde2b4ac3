"""The calibration problem: whitened parameters, observation models and the likelihood."""

from __future__ import annotations

import numpy as np
import pytest

from dermasim.calibration.likelihood import CalibrationProblem
from dermasim.calibration.observables import predict
from dermasim.errors import DermasimError

SMALL = CalibrationProblem(fit=("filler_degradation_rate", "synthesis_decline_per_year")).subset(
    ["HA-K15-1", "HA-M21-1", "HA-M21-2", "AG-1", "PN-P14-1"]
)


def test_whitened_coordinates_map_into_bounds_and_back() -> None:
    u = np.random.default_rng(1).standard_normal((50, SMALL.ndim)) * 2
    values = SMALL.to_values(u)
    for record in SMALL.records:
        x = values[record.name]
        assert np.all((x >= record.prior.lower) & (x <= record.prior.upper))
    np.testing.assert_allclose(SMALL.to_u(values), u, atol=1e-6)


def test_zero_whitened_point_is_the_prior_median() -> None:
    values = SMALL.to_values(np.zeros((1, SMALL.ndim)))
    for record in SMALL.records:
        assert values[record.name][0] == pytest.approx(float(record.prior.ppf(0.5)), rel=1e-9)


def test_filler_mass_remaining_follows_first_order_degradation() -> None:
    values = SMALL.to_values(np.zeros((1, SMALL.ndim)))
    outputs = SMALL.simulate(values)
    endpoint = next(e for e in SMALL.evidence.endpoints if e.id == "HA-K15-1")
    remaining = predict(endpoint, SMALL.evidence, outputs, values)[0, -1]
    rate = values["filler_degradation_rate"][0]
    assert remaining == pytest.approx(100 * np.exp(-rate * 112), rel=1e-3)


def test_baseline_wsrs_is_read_before_the_injection() -> None:
    values = SMALL.to_values(np.zeros((1, SMALL.ndim)))
    pred = SMALL.predictions(values)
    assert pred["HA-M21-1"][0, 0] == pytest.approx(values["baseline_wsrs"][0])
    assert pred["HA-M21-2"][0, 0] < pred["HA-M21-1"][0, 0]  # the filler lowers the grade


def test_reference_endpoint_is_a_difference_between_arms() -> None:
    values = SMALL.to_values(np.zeros((1, SMALL.ndim)))
    outputs = SMALL.simulate(values)
    e = next(e for e in SMALL.evidence.endpoints if e.id == "PN-P14-1")
    gc = values["grade_per_collagen_percent"][0]
    gf = values["grade_per_filler_mm"][0]

    def grade(scenario: str) -> float:
        c = outputs.at(scenario, "collagen_density", e.days)[0, 0]
        h = outputs.at(scenario, "filler_gel_mm", e.days)[0, 0]
        return -(gc * c + gf * h)

    expected = grade("pn-periorbital") - grade("ha-periorbital")
    assert predict(e, SMALL.evidence, outputs, values)[0, 0] == pytest.approx(expected)


def test_likelihood_prefers_the_observed_value() -> None:
    values = SMALL.to_values(np.zeros((3, SMALL.ndim)))
    pred = SMALL.predictions(values)
    observed = next(e for e in SMALL.evidence.endpoints if e.id == "AG-1").value
    pred["AG-1"] = np.array([[observed], [observed + 0.5], [observed + 2.0]])
    ll = SMALL.log_likelihood_of(pred)
    assert ll[0] > ll[1] > ll[2]


def test_direction_term_rewards_the_right_sign() -> None:
    problem = CalibrationProblem().subset(["MN-E15-3"])
    values = problem.to_values(np.zeros((2, problem.ndim)))
    pred = problem.predictions(values)
    pred["MN-E15-3"] = np.array([[-5.0, -5.0], [5.0, 5.0]])  # sign "-" is right in row 0
    ll = problem.log_likelihood_of(pred)
    assert ll[0] > ll[1]


def test_log_posterior_is_finite_at_the_prior_median() -> None:
    lp = SMALL.log_posterior(np.zeros((2, SMALL.ndim)))
    assert np.all(np.isfinite(lp)) and lp[0] == lp[1]


def test_unknown_fit_name_is_refused() -> None:
    with pytest.raises(DermasimError, match="fit = 'no_such'"):
        CalibrationProblem(fit=("no_such",))


def test_calibration_solver_error_is_far_below_the_noise() -> None:
    """The likelihood's loose solver (RK23, rtol 1e-3) against a tight solve: endpoint errors
    under 10% of each endpoint's noise standard deviation plus 0.5% of the value (prior
    draws far from the data reach values of several hundred percent)."""
    from dermasim.calibration.scenarios import simulate_scenarios
    from dermasim.solve import SolverOptions

    problem = CalibrationProblem()
    values = problem.to_values(np.random.default_rng(2).standard_normal((4, problem.ndim)))
    ev = problem.evidence
    loose = problem.simulate(values)
    tight = simulate_scenarios(
        ev.scenarios, ev.days_by_scenario(), values, solver=SolverOptions(rtol=1e-7, atol=1e-10)
    )
    for e in ev.endpoints:
        exact = predict(e, ev, tight, values)
        error = np.abs(predict(e, ev, loose, values) - exact)
        assert np.all(error < 0.1 * problem.noise_sd(e) + 0.005 * np.abs(exact)), e.id


def test_a_measurement_on_a_session_day_precedes_that_session() -> None:
    from dermasim.calibration.scenarios import simulate_scenarios

    ev = CalibrationProblem().evidence
    scenario = {"mn-6-biweekly": ev.scenarios["mn-6-biweekly"]}
    values = SMALL.to_values(np.zeros((1, SMALL.ndim)))
    out = simulate_scenarios(scenario, {"mn-6-biweekly": [0.0, 13.0, 14.0, 15.0]}, values)
    red = out.endpoints["mn-6-biweekly"]["redness"][0]
    assert red[0] == 0.0  # baseline: before the day-0 session
    assert red[2] <= red[1]  # day 14 is read before the second session: still healing
    assert red[3] > 5 * red[2]  # the day after the session the skin is red again
