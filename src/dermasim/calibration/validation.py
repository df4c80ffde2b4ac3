"""Validation: every evidence endpoint against the posterior predictive distribution.

For each endpoint the posterior draws are pushed through the simulator and the observation
model. Quantitative and "no change" endpoints are compared with the posterior *predictive*
distribution of a study mean, the prediction plus measurement error and between-study
heterogeneity, ``N(0, sd^2 + tau^2)``: an endpoint passes when the observed value (0 for "no
change") lies inside the central 90% interval. Direction-only endpoints are scored by the
share of predictive draws with the reported sign at every reported day
(``right_sign_mass``), and pass when at least half of them have it.

This is a posterior predictive check of the data the posterior was fitted to (in-sample):
it shows whether the model *can* reproduce each study with one set of parameters, not how
well it predicts a new study.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..errors import DermasimError, check_integer
from ..parameters import ParameterSet
from ..parameters.observation import observation_parameters
from ..parameters.posterior import Posterior, load_parameters
from ..references import load_evidence
from .diagnostics import by_chain
from .evidence import Endpoint
from .likelihood import CalibrationProblem
from .observables import predict
from .out_of_sample import Progress, StudyScore, leave_one_study_out, report_progress
from .population_check import PopulationCheck, population_check
from .scenarios import ScenarioOutputs, simulate_scenarios
from .study_population import MAX_PARTICIPANTS

__all__ = ["SCHEMA", "EndpointCheck", "ParameterShift", "ValidationResult", "validate"]

SCHEMA = "dermasim.validation/1"


@dataclass(frozen=True)
class EndpointCheck:
    """One endpoint: what was observed, what is predicted, and whether it passes."""

    endpoint: Endpoint
    study: str
    unit: str
    observed: float | str
    median: float
    p05: float
    p95: float
    passed: bool
    band_days: tuple[float, ...]
    band: tuple[tuple[float, float, float], ...]
    right_sign_mass: float | None = None

    @property
    def width(self) -> float:
        """Width of the 90% interval."""
        return self.p95 - self.p05

    @property
    def observed_text(self) -> str:
        """The observation as a reader sees it: ``"101.86 (sd 20.4) %"``, ``"sign +"``."""
        e = self.endpoint
        if e.kind == "direction":
            return f"sign {self.observed}"
        if e.kind == "no-change":
            return "no change (0)"
        return f"{float(self.observed):.4g} (sd {e.sd:.2g}) {self.unit}"

    def to_json_dict(self) -> dict[str, Any]:
        e = self.endpoint
        return {
            "id": e.id,
            "observed": self.observed,
            "median": round(self.median, 4),
            "p05": round(self.p05, 4),
            "p95": round(self.p95, 4),
            "pass": self.passed,
            "kind": e.kind,
            "fitted": e.fitted,
            "study": self.study,
            "scenario": e.scenario,
            "observable": e.observable,
            "unit": self.unit,
            "day": e.day,
            "sd": e.sd,
            "width": round(self.width, 4),
            "right_sign_mass": None
            if self.right_sign_mass is None
            else round(self.right_sign_mass, 4),
        }


@dataclass(frozen=True)
class ParameterShift:
    """Prior against posterior of one parameter (90% intervals in its unit)."""

    name: str
    unit: str
    source: tuple[str, ...]
    evidence: str
    prior: tuple[float, float, float]
    posterior: tuple[float, float, float] | None
    moved: bool

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "unit": self.unit,
            "source": list(self.source),
            "evidence": self.evidence,
            "prior": list(self.prior),
            "posterior": list(self.posterior) if self.posterior else None,
            "moved": self.moved,
        }


@dataclass(frozen=True)
class ValidationResult:
    """All endpoint checks, coverage and the parameter table."""

    posterior: str
    checks: tuple[EndpointCheck, ...]
    parameters: tuple[ParameterShift, ...]
    unused: dict[str, str]
    metadata: dict[str, Any]
    out_of_sample: tuple[StudyScore, ...] = ()
    population: PopulationCheck | None = None
    chains: dict[str, np.ndarray] | None = None
    """The posterior's stored draws split into its chains, ``(chain, draw)`` per parameter,
    for the report's rank and trace plots (None where the posterior has no chain layout)."""

    @property
    def coverage(self) -> tuple[int, int]:
        """(inside, total) over endpoints with an observed value (quantitative, no-change)."""
        valued = [c for c in self.checks if c.endpoint.kind != "direction"]
        return sum(c.passed for c in valued), len(valued)

    @property
    def directions(self) -> tuple[int, int]:
        """(right sign, total) over direction-only endpoints."""
        signs = [c for c in self.checks if c.endpoint.kind == "direction"]
        return sum(c.passed for c in signs), len(signs)

    @property
    def all_passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def to_json_dict(self) -> dict[str, Any]:
        """The ``dermasim.validation/1`` object."""
        inside, total = self.coverage
        right, n_dir = self.directions
        return {
            "schema": SCHEMA,
            "posterior": self.posterior,
            "endpoints": [c.to_json_dict() for c in self.checks],
            "coverage": {"inside": inside, "total": total},
            "directions": {"right": right, "total": n_dir},
            "parameters": [p.to_json_dict() for p in self.parameters],
            "out_of_sample": {
                "method": "leave one study out (PSIS, or an exact refit where a study's "
                "method says refit), log predictive density, higher is better; "
                "baseline: indirect-response model refitted without the study (plug-in)",
                "studies": [s.to_json_dict() for s in self.out_of_sample],
                "better_than_prior": sum(s.better_than_prior for s in self.out_of_sample),
                "better_than_baseline": sum(
                    bool(s.better_than_baseline) for s in self.out_of_sample
                ),
                "coverage": {
                    "inside": sum(s.inside for s in self.out_of_sample),
                    "valued": sum(s.valued for s in self.out_of_sample),
                },
                "needs_refit": sum(s.needs_refit for s in self.out_of_sample),
                "refitted": sum(s.method == "refit" for s in self.out_of_sample),
                "total": len(self.out_of_sample),
            },
            "population": None if self.population is None else self.population.to_json_dict(),
        }


def _arviz_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("arviz") is not None


def _quantiles(x: np.ndarray) -> tuple[float, float, float]:
    q = np.quantile(x, [0.05, 0.5, 0.95], axis=0)
    return float(q[0]), float(q[1]), float(q[2])


def _band_days(days: Sequence[float], points: int = 40) -> tuple[float, ...]:
    last = max(days)
    grid = np.linspace(0.0, last, points) if last > 0 else np.zeros(1)
    return tuple(float(d) for d in np.unique(np.round(np.concatenate([grid, days]), 3)))


def _simulate_robust(
    problem: CalibrationProblem,
    days: dict[str, list[float]],
    values: dict[str, np.ndarray],
) -> tuple[ScenarioOutputs, np.ndarray]:
    """Simulate all draws; if the batch fails, bisect and drop the draws that fail alone.

    Returns the outputs of the kept draws and the boolean mask of kept draws.
    """
    n = next(iter(values.values())).shape[0]
    try:
        out = simulate_scenarios(problem.evidence.scenarios, days, values)
        return out, np.ones(n, dtype=bool)
    except DermasimError:
        if n == 1:
            return ScenarioOutputs(days={}, endpoints={}), np.zeros(1, dtype=bool)
    half = n // 2
    parts = [
        _simulate_robust(problem, days, {k: v[sl] for k, v in values.items()})
        for sl in (slice(0, half), slice(half, n))
    ]
    kept = np.concatenate([mask for _, mask in parts])
    good = [out for out, mask in parts if mask.any()]
    if not good:
        return ScenarioOutputs(days={}, endpoints={}), kept
    merged = {
        k: {
            name: np.concatenate([o.endpoints[k][name] for o in good])
            for name in good[0].endpoints[k]
        }
        for k in good[0].endpoints
    }
    return ScenarioOutputs(days=good[0].days, endpoints=merged), kept


def _parameter_table(
    problem: CalibrationProblem, parameters: ParameterSet
) -> tuple[ParameterShift, ...]:
    draws = parameters.draws if isinstance(parameters, Posterior) else {}
    rows = []
    for record in (*parameters.records, *problem.observation_records):
        prior = tuple(float(v) for v in record.prior.ppf(np.array([0.05, 0.5, 0.95])))
        posterior = None
        moved = False
        if record.name in draws:
            x = draws[record.name]
            posterior = _quantiles(x)
            from scipy.special import ndtri

            u = ndtri(np.clip(record.prior.cdf(x), 1e-12, 1 - 1e-12))
            moved = bool(np.std(u) < 0.7 or abs(np.median(u)) > 0.5)
        rows.append(
            ParameterShift(
                name=record.name,
                unit=record.unit,
                source=record.source,
                evidence=record.evidence,
                prior=prior,  # type: ignore[arg-type]
                posterior=posterior,
                moved=moved,
            )
        )
    return tuple(rows)


def validate(
    parameters: str | ParameterSet = "posterior",
    *,
    draws: int = 400,
    seed: int = 0,
    problem: CalibrationProblem | None = None,
    refit_steps: int = 0,
    refit_dir: str | os.PathLike[str] | None = None,
    virtual_patients: int = 16,
    progress: Progress | None = None,
) -> ValidationResult:
    """Check every evidence endpoint against the predictive distribution.

    Parameters
    ----------
    parameters
        ``"posterior"`` (bundled, the default), ``"prior"``, a posterior file, or a
        parameter set. With priors only, observation parameters are drawn from their priors.
    draws
        Number of parameter draws pushed through the simulator.
    seed
        Seed of the draws and of the measurement-noise draws.
    problem
        The calibration problem (bundled evidence by default).
    refit_steps
        Steps of the exact refit of each study whose importance-sampling estimate is not
        reliable (Pareto k above 0.7; see :func:`.out_of_sample.leave_one_study_out`): 0 for
        none, else 100 to 20000.
    refit_dir
        Folder of the refits' checkpoints, so that a killed run resumes (None: none kept).
    virtual_patients
        Virtual participants per study for the population check
        (:func:`.population_check.population_check`: study means over participants
        against the median patient the likelihood uses); 1 skips it.
    progress
        Called as ``progress(stage, done, total)`` as the run goes: ``"predictive draws"``
        (scenarios simulated), ``"leave one study out"`` (studies scored) and
        ``"study means"``; each step is also logged at INFO.

    Returns
    -------
    ValidationResult
    """
    draws = check_integer("draws", draws, 20, 5000, "draws = 400")
    seed = check_integer("seed", seed, 0, 2**32 - 1, "seed = 0")
    refit_steps = check_integer("refit_steps", refit_steps, 0, 20000, "refit_steps = 2000")
    virtual_patients = check_integer(
        "virtual_patients", virtual_patients, 1, MAX_PARTICIPANTS, "virtual_patients = 16"
    )
    if 0 < refit_steps < 100:
        raise DermasimError(
            f"refit_steps = {refit_steps} is not valid: allowed 0 (no refits) or 100 to 20000; "
            "for example refit_steps = 2000"
        )
    problem = problem or CalibrationProblem()
    ps = load_parameters(parameters)
    rng = np.random.default_rng(seed)
    if isinstance(ps, Posterior):
        values = ps.sample_with_observation(draws, rng)
    else:
        values = ps.sample(draws, rng)
    obs = observation_parameters().sample(draws, rng)
    for key, v in obs.items():
        values.setdefault(key, v)
    ev = problem.evidence
    band_endpoints = {e.id: replace(e, days=_band_days(e.days)) for e in ev.endpoints}
    days: dict[str, set[float]] = {k: set(v) for k, v in ev.days_by_scenario().items()}
    for band_endpoint in band_endpoints.values():
        for scenario in (band_endpoint.scenario, band_endpoint.reference_scenario):
            if scenario is not None:
                days[scenario].update(band_endpoint.days)
    stage = "predictive draws"
    report_progress(progress, stage, 0, 1, f"{len(days)} scenarios x {draws} draws")
    outputs, kept = _simulate_robust(problem, {k: sorted(v) for k, v in days.items()}, values)
    report_progress(progress, stage, 1, 1)
    if not kept.any():
        raise DermasimError("validation failed: the solver failed for every parameter draw")
    values = {k: v[kept] for k, v in values.items()}
    draws = int(kept.sum())
    studies = {
        r["id"]: r["study"] for t in ("clinical_endpoints", "physiology") for r in load_evidence(t)
    }
    checks = []
    for e in ev.endpoints:
        unit = ev.observables[e.observable].unit
        pred = predict(e, ev, outputs, values)
        band_e = band_endpoints[e.id]
        band_pred = predict(band_e, ev, outputs, values)
        mass: float | None = None
        if e.kind == "direction":
            stats = _quantiles(pred[:, -1])
            sign = 1.0 if e.sign == "+" else -1.0
            # the share of predictive draws with the reported sign at every reported day
            mass = float(np.mean(np.all(sign * pred > 0, axis=1)))
            passed = mass >= 0.5
            observed: float | str = str(e.sign)
            band = band_pred
        else:
            noise = rng.normal(0.0, problem.noise_sd(e), size=draws)
            stats = _quantiles(pred[:, -1] + noise)
            value = float(e.value) if e.kind == "quantitative" else 0.0  # type: ignore[arg-type]
            passed = stats[0] <= value <= stats[2]
            observed = value
            band = band_pred + noise[:, None]
        q = np.quantile(band, [0.05, 0.5, 0.95], axis=0)
        checks.append(
            EndpointCheck(
                endpoint=e,
                study=studies.get(e.id, ""),
                unit=unit,
                observed=observed,
                median=stats[1],
                p05=stats[0],
                p95=stats[2],
                passed=bool(passed),
                band_days=band_e.days,
                band=tuple((float(a), float(b), float(c)) for a, b, c in q.T),
                right_sign_mass=mass,
            )
        )
    scores = (
        tuple(
            leave_one_study_out(
                ps,
                seed=seed,
                problem=problem,
                refit_steps=refit_steps,
                refit_dir=refit_dir,
                progress=progress,
            )
        )
        if isinstance(ps, Posterior) and _arviz_available()
        else ()
    )
    scores = tuple(
        replace(s, shortfall=ev.out_of_sample_shortfall.get(s.study, "")) for s in scores
    )
    population = None
    if virtual_patients > 1:
        stage = "study means"
        report_progress(progress, stage, 0, 1, f"{virtual_patients} virtual participants")
        population = population_check(problem, values, virtual_patients)
        report_progress(progress, stage, 1, 1)
    return ValidationResult(
        posterior=ps.name,
        out_of_sample=scores,
        population=population,
        checks=tuple(checks),
        parameters=_parameter_table(problem, ps),
        unused=dict(ev.unused),
        metadata={
            **getattr(ps, "metadata", {}),
            "validation_draws": draws,
            "dropped_draws": int((~kept).sum()),
        },
        chains=by_chain(ps.draws, ps.metadata) if isinstance(ps, Posterior) else None,
    )
