"""Leave-one-study-out scores: shapes, their yardstick, and the refusal of a prior."""

import math

import numpy as np
import pytest

pytest.importorskip("arviz")

from dermasim.calibration.likelihood import CalibrationProblem
from dermasim.calibration.out_of_sample import (
    PARETO_K_LIMIT,
    _draw_values,
    _pointwise,
    _studies,
    leave_one_study_out,
)
from dermasim.errors import DermasimError

IDS = ["AG-1", "AG-3", "MN-K21-1", "MN-K21-2", "HA-K15-1"]


@pytest.fixture(scope="module")
def scores():
    problem = CalibrationProblem().subset(IDS)
    return problem, leave_one_study_out(draws=200, prior_draws=200, seed=3, problem=problem)


def test_every_study_is_scored_once_with_a_finite_score(scores):
    problem, result = scores
    assert sorted(s.study for s in result) == sorted(_studies(problem))
    for s in result:
        assert math.isfinite(s.posterior) and math.isfinite(s.prior), s
        assert (s.pareto_k is None) == (not s.fitted)
        assert s.needs_refit == (s.pareto_k is not None and s.pareto_k > PARETO_K_LIMIT)


def test_a_study_left_out_of_the_fit_is_scored_by_the_plain_posterior_predictive(scores):
    problem, result = scores
    [held_out] = [s for s in result if not s.fitted]  # HA-K15-1 sets a prior, is not fitted
    from dermasim.parameters import load_parameters

    post = load_parameters("posterior")
    rng = np.random.default_rng([3, 11])
    total = post.n_draws
    pick = np.sort(rng.choice(total, size=min(200, total), replace=False))
    values = _draw_values(problem, {k: v[pick] for k, v in post.draws.items()}, pick.size)
    ll = np.sum([_pointwise(problem, values)[1][r] for r in held_out.rows], axis=0)
    top = ll.max()
    assert held_out.posterior == pytest.approx(top + math.log(np.mean(np.exp(ll - top))))


def test_the_baseline_and_the_intervals_are_reported_per_study(scores):
    problem, result = scores
    for s in result:
        assert s.baseline is not None and math.isfinite(s.baseline)
        assert s.better_than_baseline == (s.posterior > s.baseline)
        assert 0 <= s.inside <= s.valued
        valued = [e for e in problem.evidence.endpoints if e.id in s.rows and e.kind != "direction"]
        assert s.valued == len(valued)


def test_scoring_the_priors_out_of_sample_is_refused():
    with pytest.raises(DermasimError, match="parameters = 'prior' is not valid here"):
        leave_one_study_out("prior")
