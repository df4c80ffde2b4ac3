r"""A simple empirical baseline for the out-of-sample scores: an indirect-response model.

A mechanistic model earns its complexity only if it predicts a held-out study better than a
simple curve fitted to the same evidence. The baseline is an indirect-response turnover
model (Dayneka, Garg and Jusko 1993) of one response ``R``, relative collagen, with one
stimulation term per treatment:

.. math::

    R(t) &= 1 - a\,t + X(t), \qquad \dot X = k_\mathrm{out}\,(S(t) - X), \\
    S(t) &= \sum_k E_{j(k)}\, e^{-k_s (t - t_k)}\,\mathbb 1[t \ge t_k],

so that each session ``k`` of treatment ``j`` adds a stimulus of height ``E_j`` that decays
at ``k_s``, the response follows it with turnover ``k_out``, and untreated skin loses a
fraction ``a`` per day. In closed form each session contributes
:math:`E_j\,k_\mathrm{out}\,\Delta\, e^{-k_s \Delta}\,\varphi((k_\mathrm{out} - k_s)\Delta)`
with :math:`\Delta = t - t_k` and :math:`\varphi(x) = (1 - e^{-x})/x`. Filler gel decays
first-order at ``k_H``. The baseline's endpoints are read by the same observation models and
gains as the model's (:mod:`dermasim.calibration.observables`): collagen, papillary collagen,
epidermal thickness and dermal thickness all follow ``R``; elastin and tropoelastin do not
change; collagen content falls with age at ``a``; an acne-scar grade ``S_0`` falls as
:math:`S_0 \exp(-100 \max(0, R - 1)/c_b)` with its own fill scale ``c_b``.

For each held-out study the baseline's parameters and the observation gains are fitted to the
other studies' fitted rows by maximum a posteriori (whitened priors, as in the calibration;
L-BFGS-B with batched forward-difference gradients, from four starts), and the study is
scored by its log density at that fit (a plug-in predictive: no parameter uncertainty, which
a log score penalises when the fit is wrong).
All baseline priors are assumed and deliberately wide; none is set from an evidence row.

References
----------
Dayneka NL, Garg V, Jusko WJ (1993). Comparison of four basic models of indirect
pharmacodynamic responses. J Pharmacokinet Biopharm 21(4):457-478.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..model.ageing import DAYS_PER_YEAR, REFERENCE_AGE_YEARS
from ..model.filler import MM_PER_ML_PER_CM2
from ..model.observation import scar_grade
from ..parameters.priors import Prior
from ..protocol import TREATMENTS
from .likelihood import CalibrationProblem
from .scenarios import ScenarioOutputs

__all__ = ["BASELINE_PRIORS", "BaselineFit", "baseline_outputs", "fit_baseline"]

#: Baseline parameters: (unit, prior). All assumed and wide; none comes from an evidence row.
BASELINE_PRIORS: dict[str, tuple[str, Prior]] = {
    "baseline_ageing_per_year": (
        "1/year",
        Prior("lognormal", 1e-5, 0.1, median=0.003, gsd=5.0),
    ),
    "baseline_turnover_days": ("day", Prior("lognormal", 3.0, 3650.0, median=60.0, gsd=4.0)),
    "baseline_stimulus_days": ("day", Prior("lognormal", 0.5, 365.0, median=14.0, gsd=4.0)),
    "baseline_filler_days": ("day", Prior("lognormal", 7.0, 3650.0, median=180.0, gsd=4.0)),
    "baseline_scar_fill_percent": ("%", Prior("lognormal", 5.0, 500.0, median=50.0, gsd=3.0)),
    **{
        f"baseline_stimulus_{t}": ("1", Prior("lognormal", 1e-4, 20.0, median=0.3, gsd=5.0))
        for t in TREATMENTS
    },
}


def _phi(x: np.ndarray) -> np.ndarray:
    """``(1 - exp(-x)) / x`` for ``x >= 0``, 1 at 0."""
    small = x < 1e-8
    safe = np.where(small, 1.0, x)
    return np.where(small, 1.0 - x / 2.0, -np.expm1(-safe) / safe)


def _session_response(k_out: np.ndarray, k_s: np.ndarray, d: np.ndarray) -> np.ndarray:
    """``k_out (exp(-k_s d) - exp(-k_out d)) / (k_out - k_s)``, written without cancellation
    or overflow: ``k_out d exp(-min(k_s, k_out) d) phi(|k_out - k_s| d)``."""
    return k_out * d * np.exp(-np.minimum(k_s, k_out) * d) * _phi(np.abs(k_out - k_s) * d)


def baseline_outputs(
    problem: CalibrationProblem, values: Mapping[str, np.ndarray]
) -> ScenarioOutputs:
    """The baseline's endpoints of every scenario at its days, for a batch of ``values``."""
    ev = problem.evidence
    days = ev.days_by_scenario()
    k_out = 1.0 / np.asarray(values["baseline_turnover_days"])[:, None]
    k_s = 1.0 / np.asarray(values["baseline_stimulus_days"])[:, None]
    k_h = 1.0 / np.asarray(values["baseline_filler_days"])[:, None]
    decline = np.asarray(values["baseline_ageing_per_year"])[:, None] / DAYS_PER_YEAR
    scar_fill = np.asarray(values["baseline_scar_fill_percent"])[:, None]
    endpoints: dict[str, dict[str, np.ndarray]] = {}
    for key, scenario in ev.scenarios.items():
        t = np.asarray(days[key], dtype=float)[None, :]
        x = np.zeros((k_out.shape[0], t.shape[1]))
        gel = np.zeros_like(x)
        injected = np.zeros_like(x)
        for session in scenario.protocol.sessions():
            course = session.course
            delta = t - session.day
            after = delta >= 0
            d = np.where(after, delta, 0.0)
            height = np.asarray(values[f"baseline_stimulus_{course.treatment}"])[:, None]
            x = x + np.where(after, height * _session_response(k_out, k_s, d), 0.0)
            if course.treatment == "hyaluronic_filler" and course.volume_ml and course.area_cm2:
                dose = course.volume_ml / course.area_cm2
                gel = gel + np.where(after, dose * np.exp(-k_h * d), 0.0)
                injected = injected + np.where(after, dose, 0.0)
        response = 1.0 - decline * t + x
        change = 100.0 * (response - 1.0)
        years = max(float(scenario.patient.age) - REFERENCE_AGE_YEARS, 0.0)
        content0 = np.maximum(1.0 - decline * DAYS_PER_YEAR * years, 1e-6)
        with np.errstate(invalid="ignore", divide="ignore"):
            remaining = np.where(injected > 0, 100.0 * gel / np.where(injected > 0, injected, 1), 0)
        endpoints[key] = {
            "collagen_density": change,
            "papillary_collagen": change,
            "epidermal_thickness": change,
            "collagen_content": 100.0 * content0 * response,
            "dermal_thickness": response + MM_PER_ML_PER_CM2 * gel,
            "tropoelastin": np.zeros_like(change),
            "elastin": np.zeros_like(change),
            "filler_gel_mm": MM_PER_ML_PER_CM2 * gel,
            "filler_remaining": remaining,
            "scar_grade": scar_grade(change, scenario.patient.acne_scars, scar_fill),
        }
    return ScenarioOutputs(days={k: tuple(v) for k, v in days.items()}, endpoints=endpoints)


@dataclass(frozen=True)
class BaselineFit:
    """The baseline fitted to a set of rows: parameter values and the log posterior."""

    values: dict[str, float]
    log_posterior: float
    rows: tuple[str, ...]


def _priors(problem: CalibrationProblem) -> dict[str, Prior]:
    out = {name: prior for name, (_, prior) in BASELINE_PRIORS.items()}
    out.update({r.name: r.prior for r in problem.observation_records})
    return out


def _values(priors: Mapping[str, Prior], u: np.ndarray) -> dict[str, np.ndarray]:
    from scipy.special import ndtr

    return {name: priors[name].ppf(ndtr(u[:, j])) for j, name in enumerate(priors)}


def _log_likelihoods(
    problem: CalibrationProblem, values: Mapping[str, np.ndarray], normalised: bool
) -> dict[str, np.ndarray]:
    predictions = problem.predictions_from(baseline_outputs(problem, values), values)
    return problem.pointwise_log_likelihood(predictions, normalised=normalised, fitted_only=False)


def fit_baseline(
    problem: CalibrationProblem, rows: Sequence[str], *, seed: int = 0, starts: int = 4
) -> BaselineFit:
    """Maximum a posteriori fit of the baseline to the fitted ``rows`` (ids)."""
    from scipy.optimize import minimize

    priors = _priors(problem)
    use = [e.id for e in problem.evidence.endpoints if e.fitted and e.id in set(rows)]

    n = len(priors)
    step = 1e-6

    def totals(u: np.ndarray) -> np.ndarray:
        ll = _log_likelihoods(problem, _values(priors, u), normalised=False)
        out = -0.5 * np.sum(u**2, axis=1) + np.sum([ll[r] for r in use], axis=0)
        return np.where(np.isfinite(out), out, -1e300)

    def objective(u: np.ndarray) -> tuple[float, np.ndarray]:
        """Negative log posterior and its forward-difference gradient, in one batch."""
        batch = np.vstack([u, u + step * np.eye(n)])
        f = totals(batch)
        return -float(f[0]), -(f[1:] - f[0]) / step

    rng = np.random.default_rng(seed)
    best: tuple[float, np.ndarray] | None = None
    for k in range(starts):
        u0 = np.zeros(n) if k == 0 else rng.standard_normal(n)
        found = minimize(objective, u0, jac=True, method="L-BFGS-B", bounds=[(-6.0, 6.0)] * n)
        if best is None or found.fun < best[0]:
            best = (float(found.fun), np.asarray(found.x))
    assert best is not None
    values = {n: float(v[0]) for n, v in _values(priors, best[1][None, :]).items()}
    return BaselineFit(values=values, log_posterior=-best[0], rows=tuple(use))


def baseline_scores(
    problem: CalibrationProblem, studies: Mapping[str, Sequence[str]], *, seed: int = 0
) -> dict[str, float]:
    """Leave-one-study-out log score of the baseline for every study (plug-in predictive)."""
    all_rows = [e.id for e in problem.evidence.endpoints]
    out: dict[str, float] = {}
    for study, rows in studies.items():
        held = set(rows)
        fit = fit_baseline(problem, [r for r in all_rows if r not in held], seed=seed)
        ll = _log_likelihoods(
            problem, {k: np.array([v]) for k, v in fit.values.items()}, normalised=True
        )
        out[study] = float(sum(ll[r][0] for r in rows))
    return out
