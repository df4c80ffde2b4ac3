r"""Leave-one-study-out predictive scores, beside the prior predictive's.

The in-sample check of :mod:`~dermasim.calibration.validation` asks whether the posterior
*can* reproduce the studies it was fitted to. This module asks how well it *predicts* a study
it was not fitted to. For study :math:`s` with rows :math:`y_s` and posterior draws
:math:`\theta_d` of the fit to all studies, the leave-one-study-out predictive density is

.. math::

    p(y_s \mid y_{-s}) \approx \frac{\sum_d w_{ds}\, p(y_s \mid \theta_d)}{\sum_d w_{ds}},
    \qquad w_{ds} \propto \frac{1}{p(y_s \mid \theta_d)},

with the raw ratios :math:`w_{ds}` smoothed by Pareto-smoothed importance sampling (PSIS,
Vehtari, Gelman and Gabry 2017; ``arviz.psislw``). The Pareto shape :math:`\hat k` of each
study says whether the estimate can be trusted: above 0.7 the study pulls the posterior too
far for importance sampling, and only an exact refit without it gives its score. With
``refit_steps`` such a study is refitted: the calibration is run again on every other study
(:func:`~dermasim.calibration.fit.calibrate`, one ensemble of ``refit_steps`` steps started
from draws of the full posterior, resumable from its own checkpoint), and the study is
scored by the predictive density of that fit's draws (observation gains that only the
left-out study uses are drawn from their priors, since no other study informs them). Without
it the study is reported as ``needs_refit``, not hidden. Rows left out of the fit
(``fitted = false``) are already out of sample: their score is the posterior predictive
density itself.

The **prior predictive** score of the same study, :math:`\log \frac1D \sum_d p(y_s \mid
\theta^{prior}_d)`, is the yardstick: a posterior that does not predict a held-out study
better than the priors do has not learned anything that carries over to it. Scores are log
predictive densities (a proper scoring rule; higher is better), with the normal density's
constant included so that they compare across studies and models. Draws are those the
likelihood sees: fitted parameters from the posterior (or prior), the others at their point
values.

The second yardstick is a simple empirical **baseline** (:mod:`.baseline`), an
indirect-response model refitted without the study. Each study also gets its out-of-sample
**coverage**: the 90% interval of each valued row from the PSIS-weighted draws plus the
row's noise, whether the observed value lies inside, and the intervals' mean width; and, for
direction-only rows, the weighted predictive mass with the reported sign.

References
----------
Vehtari A, Gelman A, Gabry J (2017), Practical Bayesian model evaluation using
leave-one-out cross-validation and WAIC, Statistics and Computing 27:1413-1432.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DermasimError
from ..parameters import ParameterSet, load_parameters
from ..references import load_evidence
from .baseline import baseline_scores
from .likelihood import CalibrationProblem

logger = logging.getLogger("dermasim")

#: ``progress(stage, done, total)``: what a long validation reports as it goes.
Progress = Callable[[str, int, int], None]

__all__ = ["PARETO_K_LIMIT", "StudyScore", "leave_one_study_out", "study_slug"]

#: Above this Pareto shape the importance-sampling estimate is not reliable (Vehtari et al.).
PARETO_K_LIMIT = 0.7


@dataclass(frozen=True)
class StudyScore:
    """One study's out-of-sample score, with the prior predictive's and the baseline's.

    ``coverage`` counts the study's valued rows whose observed value lies inside the
    out-of-sample 90% predictive interval (``inside``, ``valued``), with the intervals' mean
    ``width``; ``right_sign`` is the mean out-of-sample predictive mass with the reported sign
    over its direction-only rows (None where it has none). ``method`` says how ``posterior``
    was estimated: ``"psis"`` (importance sampling of the full posterior), ``"refit"`` (an
    exact refit without the study, of ``refit_steps`` steps; ``psis`` then keeps the
    importance-sampling estimate for comparison) or ``"held-out"`` (rows not in the fit).
    ``shortfall`` is the reason recorded in the evidence (evidence.toml,
    ``[out_of_sample_shortfall]``) why the posterior predicts the study no better than the
    priors; :attr:`no_better_because` reports it where that is so.
    """

    study: str
    rows: tuple[str, ...]
    fitted: bool
    posterior: float
    prior: float
    pareto_k: float | None
    baseline: float | None = None
    inside: int = 0
    valued: int = 0
    width: float | None = None
    right_sign: float | None = None
    method: str = "psis"
    psis: float | None = None
    refit_steps: int | None = None
    shortfall: str = ""

    @property
    def no_better_because(self) -> str | None:
        """Why the posterior does no better than the priors here (None where it does)."""
        if self.better_than_prior:
            return None
        return self.shortfall or "no reason recorded"

    @property
    def needs_refit(self) -> bool:
        """Importance sampling is unreliable (Pareto k above the limit) and no refit ran."""
        unreliable = self.pareto_k is not None and self.pareto_k > PARETO_K_LIMIT
        return unreliable and self.method != "refit"

    @property
    def better_than_prior(self) -> bool:
        return self.posterior > self.prior

    @property
    def better_than_baseline(self) -> bool | None:
        return None if self.baseline is None else self.posterior > self.baseline

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "rows": list(self.rows),
            "fitted": self.fitted,
            "log_score_posterior": self.posterior,
            "log_score_prior": self.prior,
            "difference": self.posterior - self.prior,
            "log_score_baseline": self.baseline,
            "pareto_k": self.pareto_k,
            "method": self.method,
            "log_score_psis": self.psis,
            "refit_steps": self.refit_steps,
            "needs_refit": self.needs_refit,
            "better_than_prior": self.better_than_prior,
            "better_than_baseline": self.better_than_baseline,
            "no_better_than_prior_because": self.no_better_because,
            "coverage": {"inside": self.inside, "valued": self.valued},
            "interval_width": self.width,
            "right_sign_mass": self.right_sign,
        }


def _logmeanexp(x: np.ndarray) -> float:
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return -math.inf
    top = float(finite.max())
    return top + math.log(float(np.sum(np.exp(x - top))) / x.size)


def _studies(problem: CalibrationProblem) -> dict[str, list[str]]:
    table = {
        r["id"]: r["study"] for t in ("clinical_endpoints", "physiology") for r in load_evidence(t)
    }
    out: dict[str, list[str]] = {}
    for e in problem.evidence.endpoints:
        out.setdefault(table.get(e.id) or e.id, []).append(e.id)
    return out


def _draw_values(
    problem: CalibrationProblem, draws: Mapping[str, np.ndarray], n: int
) -> dict[str, np.ndarray]:
    """Values the likelihood sees: ``draws`` for the fitted names, point values otherwise."""
    values = problem.to_values(np.zeros((n, problem.ndim)))
    for name in problem.names:
        values[name] = np.asarray(draws[name], dtype=float)[:n]
    return values


def _pointwise(
    problem: CalibrationProblem, values: dict[str, np.ndarray]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    predictions = problem.predictions(values)
    ll = problem.pointwise_log_likelihood(predictions, normalised=True, fitted_only=False)
    return predictions, ll


def _intervals(
    problem: CalibrationProblem,
    rows: list[str],
    predictions: Mapping[str, np.ndarray],
    weights: np.ndarray,
    rng: np.random.Generator,
    samples: int = 4000,
) -> tuple[int, int, float | None, float | None]:
    """Out-of-sample 90% intervals of a study's rows from weighted draws: (inside, valued,
    mean width, mean right-sign mass)."""
    by_id = {e.id: e for e in problem.evidence.endpoints}
    pick = rng.choice(weights.size, size=samples, p=weights)
    inside, widths, signs = 0, [], []
    for r in rows:
        e = by_id[r]
        pred = predictions[r][:, -1]
        if e.kind == "direction":
            right = pred > 0 if e.sign == "+" else pred < 0
            signs.append(min(1.0, float(np.sum(weights * right))))  # weights sum to 1 +- ulp
            continue
        observed = float(e.value) if e.kind == "quantitative" else 0.0  # type: ignore[arg-type]
        y = pred[pick] + problem.noise_sd(e) * rng.standard_normal(samples)
        lo, hi = np.quantile(y, [0.05, 0.95])
        inside += int(lo <= observed <= hi)
        widths.append(float(hi - lo))
    width = float(np.mean(widths)) if widths else None
    sign = float(np.mean(signs)) if signs else None
    return inside, len(widths), width, sign


def leave_one_study_out(
    parameters: str | ParameterSet = "posterior",
    *,
    draws: int = 1000,
    prior_draws: int = 1000,
    seed: int = 0,
    problem: CalibrationProblem | None = None,
    baseline: bool = True,
    refit_steps: int = 0,
    refit_dir: str | os.PathLike[str] | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> list[StudyScore]:
    """Leave-one-study-out log scores of a posterior, with the prior predictive's and the
    empirical baseline's (:mod:`dermasim.calibration.baseline`) beside them.

    Parameters
    ----------
    parameters
        A posterior (``"posterior"``, a ``.npz`` written by ``dermasim calibrate``, or a
        :class:`~dermasim.parameters.Posterior`).
    draws
        Posterior draws used (at most those stored).
    prior_draws
        Prior draws for the prior predictive score.
    seed
        Seed of the prior draws and of the thinning of the posterior.
    problem
        The calibration problem (default: the bundled evidence and fitted set).
    baseline
        Also fit and score the indirect-response baseline, leaving each study out (about
        20 s).
    refit_steps
        Steps of an exact refit (one ensemble; the first half burn-in) for every study whose
        Pareto k exceeds :data:`PARETO_K_LIMIT`; 0 runs none (such studies are then reported
        as ``needs_refit``). About 0.2 s a step on 2 cores.
    refit_dir
        Folder of the refits' checkpoints (``<study slug>/checkpoint.npz``): a killed run resumes
        where it stopped. None keeps no checkpoint.
    workers
        Processes of each refit (default: up to 2).
    progress
        Called as ``progress(stage, done, total)``: ``"indirect-response baseline"`` before
        and after its refits, then ``"leave one study out"`` once with ``done = 0`` and after
        each study; the same steps are logged at INFO.
    """
    import warnings

    with warnings.catch_warnings():  # arviz 0.x announces its 1.0 refactor on import
        warnings.simplefilter("ignore", FutureWarning)
        import arviz as az

    posterior = load_parameters(parameters)
    stored = getattr(posterior, "draws", None)
    if not stored:
        raise DermasimError(
            "parameters = 'prior' is not valid here: allowed a posterior (its draws are "
            "scored out of sample); for example parameters = 'posterior'"
        )
    problem = problem or CalibrationProblem()
    missing = [n for n in problem.names if n not in stored]
    if missing:
        raise DermasimError(
            f"parameters = {posterior.name!r} is not valid here: allowed a posterior with "
            f"draws of every fitted parameter ({missing[0]} is missing); for example "
            "parameters = 'posterior'"
        )
    rng = np.random.default_rng([seed, 11])
    total = int(next(iter(stored.values())).shape[0])
    pick = np.sort(rng.choice(total, size=min(draws, total), replace=False))
    post_values = _draw_values(problem, {k: v[pick] for k, v in stored.items()}, pick.size)
    prior_values = problem.to_values(rng.standard_normal((prior_draws, problem.ndim)))
    post_pred, post_ll = _pointwise(problem, post_values)
    _, prior_ll = _pointwise(problem, prior_values)
    fitted = {e.id for e in problem.evidence.endpoints if e.fitted}
    studies = _studies(problem)
    base = {}
    if baseline:
        report_progress(progress, "indirect-response baseline", 0, 1, "one refit per study")
        base = baseline_scores(problem, studies, seed=seed)
        report_progress(progress, "indirect-response baseline", 1, 1)
    scores: list[StudyScore] = []
    report_progress(progress, "leave one study out", 0, len(studies))
    for study, rows in studies.items():
        lp = np.sum([post_ll[r] for r in rows], axis=0)
        lq = np.sum([prior_ll[r] for r in rows], axis=0)
        in_fit = [r for r in rows if r in fitted]
        if in_fit:
            # the likelihood of the study's fitted rows is what leaving it out removes
            lfit = np.sum([post_ll[r] for r in in_fit], axis=0)
            log_w, k = az.psislw(-lfit, reff=1.0)
            log_w = np.asarray(log_w, dtype=float)
            score = float(_logsumexp(log_w + lp))
            pareto = float(np.asarray(k).reshape(-1)[0])
        else:
            log_w = np.full(lp.size, -math.log(lp.size))
            score, pareto = _logmeanexp(lp), None
        weights = np.exp(log_w - _logsumexp(log_w))
        inside, valued, width, sign = _intervals(problem, rows, post_pred, weights, rng)
        method, psis = ("psis" if in_fit else "held-out"), None
        if refit_steps and pareto is not None and pareto > PARETO_K_LIMIT:
            folder = None if refit_dir is None else Path(refit_dir) / study_slug(study)
            psis, method = score, "refit"
            score, inside, valued, width, sign = _refit_score(
                problem,
                rows,
                stored,
                steps=refit_steps,
                seed=seed,
                workers=workers,
                folder=folder,
            )
        scores.append(
            StudyScore(
                study=study,
                rows=tuple(rows),
                fitted=bool(in_fit),
                posterior=score,
                prior=_logmeanexp(lq),
                pareto_k=pareto,
                baseline=base.get(study),
                inside=inside,
                valued=valued,
                width=width,
                right_sign=sign,
                method=method,
                psis=psis,
                refit_steps=refit_steps if method == "refit" else None,
            )
        )
        report_progress(
            progress, "leave one study out", len(scores), len(studies), f"{study} ({method})"
        )
    return scores


def report_progress(
    progress: Progress | None, stage: str, done: int, total: int, detail: str = ""
) -> None:
    """Log one step of a long run at INFO and pass it to ``progress`` (if given)."""
    logger.info("%s: %d of %d%s", stage, done, total, f", {detail}" if detail else "")
    if progress is not None:
        progress(stage, done, total)


def study_slug(study: str) -> str:
    """A study's name as a file or folder name (``Kenkel2021`` -> ``kenkel2021``)."""
    return re.sub(r"[^A-Za-z0-9]+", "-", study).strip("-").lower() or "study"


def _refit_score(
    problem: CalibrationProblem,
    rows: list[str],
    posterior: Mapping[str, np.ndarray],
    *,
    steps: int,
    seed: int,
    workers: int | None,
    folder: Path | None,
) -> tuple[float, int, int, float | None, float | None]:
    """Exact leave-one-study-out score: fit every other study, starting the walkers from
    draws of the full ``posterior``, then score ``rows`` by the predictive density of that
    fit's draws. Returns (score, inside, valued, width, sign)."""
    from .fit import calibrate

    held = set(rows)
    rest = problem.subset([e.id for e in problem.evidence.endpoints if e.id not in held])
    checkpoint = None
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
        checkpoint = folder / "checkpoint.npz"
    rng = np.random.default_rng([seed, 13])
    walkers = 2 * rest.ndim + 2
    total = int(next(iter(posterior.values())).shape[0])
    pick = rng.choice(total, size=walkers, replace=total < walkers)
    start = rest.to_u({name: np.asarray(posterior[name])[pick] for name in rest.names})
    result = calibrate(
        rest, steps=steps, seed=seed, workers=workers, checkpoint=checkpoint, start=start
    )
    n = result.draws.shape[0]
    # gains only the left-out study uses are drawn from their priors: nothing else informs them
    values = problem.to_values(rng.standard_normal((n, problem.ndim)))
    for j, name in enumerate(result.names):
        values[name] = result.draws[:, j]
    study_problem = problem.subset(rows)
    predictions = study_problem.predictions(values)
    ll = study_problem.pointwise_log_likelihood(predictions, normalised=True, fitted_only=False)
    lp = np.sum([ll[r] for r in rows], axis=0)
    weights = np.full(n, 1.0 / n)
    inside, valued, width, sign = _intervals(study_problem, rows, predictions, weights, rng)
    return _logmeanexp(lp), inside, valued, width, sign


def _logsumexp(x: np.ndarray) -> float:
    finite = x[np.isfinite(x)]
    if finite.size == 0:
        return -math.inf
    top = float(finite.max())
    return top + math.log(float(np.sum(np.exp(x - top))))
