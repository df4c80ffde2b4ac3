"""Leave-one-study-out scores: shapes, their yardstick, and the refusal of a prior."""

import math

import numpy as np
import pytest

pytest.importorskip("arviz")

from dermasim.calibration.likelihood import CalibrationProblem
from dermasim.calibration.out_of_sample import (
    PARETO_K_LIMIT,
    StudyScore,
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


def test_an_exact_refit_leaves_the_study_out_and_scores_it(monkeypatch, tmp_path):
    """The refit fits every other study (the left-out rows are not in its likelihood) and
    scores the study by the predictive density of the refit's draws; its checkpoint lands
    in the study's own folder."""
    from dermasim.calibration import fit, out_of_sample

    problem = CalibrationProblem(fit=("filler_degradation_rate", "mmp_rise_per_year")).subset(
        ["HA-K15-1", "HA-M21-1", "HA-M21-2", "HA-M21-3", "HA-M21-4", "AG-1", "AG-3"]
    )
    held = ["HA-M21-1", "HA-M21-2", "HA-M21-3", "HA-M21-4"]
    seen = {}
    real = fit.calibrate

    def spy(p, **kwargs):
        seen["rows"] = [e.id for e in p.evidence.endpoints]
        seen["names"] = p.names
        return real(p, **kwargs)

    monkeypatch.setattr(fit, "calibrate", spy)
    prior_draws = problem.to_values(np.random.default_rng(0).standard_normal((50, problem.ndim)))
    score, inside, valued, width, sign = out_of_sample._refit_score(
        problem, held, prior_draws, steps=40, seed=3, workers=1, folder=tmp_path / "hameta2021"
    )
    assert not set(held) & set(seen["rows"]) and "AG-1" in seen["rows"]
    # the wrinkle-scale gains only the left-out study uses are not fitted by the refit
    assert "grade_per_filler_mm" in problem.names and "grade_per_filler_mm" not in seen["names"]
    assert math.isfinite(score) and valued == 4 and 0 <= inside <= 4 and width > 0
    assert sign is None
    assert (tmp_path / "hameta2021" / "checkpoint.npz").is_file()


def test_a_refitted_study_no_longer_needs_a_refit():
    base = dict(study="S", rows=("r",), fitted=True, posterior=-1.0, prior=-2.0, pareto_k=0.9)
    assert StudyScore(**base).needs_refit
    refitted = StudyScore(**base, method="refit", psis=-1.5, refit_steps=2000)
    assert not refitted.needs_refit
    assert refitted.to_json_dict()["method"] == "refit"
    assert refitted.to_json_dict()["log_score_psis"] == -1.5


def test_a_study_no_better_than_its_priors_carries_its_reason():
    base = dict(study="S", rows=("r",), fitted=True, pareto_k=0.3)
    better = StudyScore(**base, posterior=-1.0, prior=-2.0, shortfall="kept anyway")
    assert better.no_better_because is None
    assert better.to_json_dict()["no_better_than_prior_because"] is None
    worse = StudyScore(**base, posterior=-3.0, prior=-2.0, shortfall="one rate for two studies")
    assert worse.to_json_dict()["no_better_than_prior_because"] == "one rate for two studies"
    assert StudyScore(**base, posterior=-3.0, prior=-2.0).no_better_because == (
        "no reason recorded"
    )


def test_every_recorded_shortfall_names_a_study_of_the_evidence():
    from dermasim.calibration.evidence import load_evidence_set
    from dermasim.references import load_evidence

    ev = load_evidence_set()
    table = {
        r["id"]: r["study"] for t in ("clinical_endpoints", "physiology") for r in load_evidence(t)
    }
    studies = {table[e.id] for e in ev.endpoints if e.id in table}
    assert ev.out_of_sample_shortfall
    assert set(ev.out_of_sample_shortfall) <= studies, set(ev.out_of_sample_shortfall) - studies
