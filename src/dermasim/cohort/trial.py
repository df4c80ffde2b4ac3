r"""In-silico trials: arms, an endpoint, analysis by simulation, power and sample size.

How a trial is simulated
------------------------
1. One pool of ``pool`` virtual patients is drawn from the trial's :class:`Cohort`, and
   ``draws`` parameter draws from the posterior. Every arm's course is simulated for every
   (patient, draw) pair with the cohort engine, so the arms share patients and draws
   (common random numbers).
2. **Population effect** of arm :math:`a` against the control :math:`c`, per draw :math:`d`:
   :math:`\Delta_d = \bar y_{a,d} - \bar y_{c,d}`, the difference of the pool means (paired
   over the same patients). Its median and 5-95% interval over draws is the uncertainty of
   the effect in this population.
3. **Simulated trials.** A replicate picks a draw and, for each arm, ``n`` patients drawn
   with replacement from the pool (a bootstrap of the virtual population, each arm
   independently of the others, as different patients are enrolled in each arm of a
   parallel-group trial), and analyses them as a trial would: the difference in means, its
   Welch 95% confidence interval and two-sided p-value. A replicate *succeeds* when
   :math:`p < \alpha` and the difference favours the arm. ``replicates`` replicates are
   run for every draw, so the **conditional power** given the draw is estimated per draw; its
   mean over draws is the **probability of success** (assurance), and its 5-95% spread over
   draws shows how much the posterior uncertainty leaves the power uncertain.
4. **Power curve**: the same for each ``n`` per arm of ``power_n`` (keeping the allocation
   ratio). Arms nest: the patients of a smaller trial are a subset of a larger one's, so the
   curve is smooth in ``n``.
5. **Responder rate**: the share of the pool whose endpoint passes ``responder_threshold``
   (above it when higher is better), per draw, on the true (not the measured) endpoint.

``measurement_sd`` adds an independent normal error to every measurement a simulated trial
takes (drawn afresh for each enrolled patient), so it widens the trials' spread without
moving the population means.

With identical arms the success rate is the false-positive rate, :math:`\alpha/2` (a
two-sided test that must also favour the arm); the rejection rate in either direction
(``reject_either``) is :math:`\alpha`.

The pool is shared by every draw and every replicate: the population it stands for is its
``pool`` virtual patients, so the figures carry the pool's own sampling error (the effect
among those patients rather than in the whole population, about the between-patient
standard deviation over the square root of ``pool``); a larger pool shrinks it. The pool
must hold at least as many patients as the longest arm (default: twice that, at least 200).
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import invalid_value
from ..model import ENDPOINTS
from ..parameters import ParameterSet
from ..protocol import Protocol
from ..simulation import MAX_DAYS
from ..solution import quantile_summary
from ..solve import SolverOptions
from .distributed import check_workers
from .population import Cohort, CohortError, read_cohort_file
from .run import CohortResult, plan_cohort, run_plan

__all__ = ["Arm", "Trial", "TrialError", "TrialResult"]

DEFAULT_POWER_N = (10, 20, 30, 40, 50, 60, 70, 80, 90, 100)
_TRIAL_KEYS = (
    "name",
    "seed",
    "draws",
    "pool",
    "alpha",
    "replicates",
    "power_n",
    "control",
    "parameters",
)


class TrialError(CohortError):
    """A trial specification is not valid."""


def _int(field: str, value: Any, low: int, high: int, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= int(value) <= high:
        raise TrialError(invalid_value(field, value, f"an integer from {low} to {high}", example))
    return int(value)


def _real(
    field: str, value: Any, low: float, high: float, example: str, open_: bool = False
) -> float:
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(float(value))
    inside = ok and (low < float(value) < high if open_ else low <= float(value) <= high)
    if not inside:
        word = "between" if open_ else "from"
        joint = "and" if open_ else "to"
        raise TrialError(
            invalid_value(field, value, f"a number {word} {low:g} {joint} {high:g}", example)
        )
    return float(value)


@dataclass(frozen=True)
class Arm:
    """One arm: a name, a course (``"none"`` for no treatment) and its patients ``n``."""

    name: str
    protocol: Protocol
    n: int = 30

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], index: int) -> Arm:
        where = f"arms[{index}]"
        if not isinstance(data, Mapping):
            raise TrialError(
                invalid_value(where, data, "a table", '{name = "mn", protocol = "none"}')
            )
        unknown = set(data) - {"name", "protocol", "n"}
        if unknown:
            raise TrialError(
                invalid_value(f"{where} key", sorted(unknown)[0], "name, protocol or n", "n = 30")
            )
        if "protocol" not in data:
            raise TrialError(
                invalid_value(
                    f"{where}.protocol", None, "a course", 'protocol = "microneedling-4-monthly"'
                )
            )
        text = data["protocol"]
        if not isinstance(text, str) or not text.strip():
            raise TrialError(
                invalid_value(
                    f"{where}.protocol", text, "a compact string or bundled name", '"none"'
                )
            )
        protocol = Protocol.load(text)
        name = data.get("name", protocol.name or text)
        if not isinstance(name, str) or not name.strip():
            raise TrialError(invalid_value(f"{where}.name", name, "a non-empty name", '"control"'))
        n = _int(f"{where}.n", data.get("n", 30), 2, 10_000, "n = 30")
        return cls(name.strip(), protocol, n)


@dataclass(frozen=True)
class TrialEndpoint:
    """What is measured and when, which way is better, and what counts as a response."""

    name: str = "collagen_density"
    day: float = 180.0
    better: str = "higher"
    responder_threshold: float | None = None
    measurement_sd: float = 0.0

    def __post_init__(self) -> None:
        if self.name not in ENDPOINTS or self.name == "redness":
            names = [k for k in ENDPOINTS if k != "redness"]
            raise TrialError(
                invalid_value(
                    "endpoint.name", self.name, "one of " + ", ".join(names), '"collagen_density"'
                )
            )
        _real("endpoint.day", self.day, 1, MAX_DAYS, "day = 180")
        if self.better not in ("higher", "lower"):
            raise TrialError(
                invalid_value("endpoint.better", self.better, "higher or lower", '"higher"')
            )
        _real("endpoint.measurement_sd", self.measurement_sd, 0.0, 1e6, "measurement_sd = 5.0")
        if self.responder_threshold is not None:
            _real("endpoint.responder_threshold", self.responder_threshold, -1e6, 1e6, "5.0")

    @property
    def sign(self) -> float:
        return 1.0 if self.better == "higher" else -1.0


@dataclass(frozen=True)
class Trial:
    """A parallel-group trial simulated on virtual patients.

    Parameters
    ----------
    arms
        Two or more arms; each is compared with the ``control`` arm.
    endpoint
        The endpoint, its day, which way is better and the responder threshold.
    cohort
        Who is enrolled (the default :class:`Cohort` if not given).
    control
        Name of the control arm (default: the last arm).
    draws
        Posterior draws carried through (default 100).
    pool
        Virtual patients simulated per arm and draw (default: twice the longest arm of the
        power curve, at least 200).
    alpha
        Two-sided significance level (default 0.05).
    replicates
        Simulated trials per draw for every ``n`` (default 200).
    power_n
        Patients per arm on the power curve (the first arm's ``n``; other arms keep their
        allocation ratio to it).
    seed
        One seed for patients, draws and replicates.
    parameters
        ``"posterior"`` (default), ``"prior"``, a posterior file or a :class:`ParameterSet`.
    name
        A title.
    """

    arms: tuple[Arm, ...]
    endpoint: TrialEndpoint = field(default_factory=TrialEndpoint)
    cohort: Cohort = field(default_factory=Cohort)
    control: str | None = None
    draws: int = 100
    pool: int | None = None
    alpha: float = 0.05
    replicates: int = 200
    power_n: tuple[int, ...] = DEFAULT_POWER_N
    seed: int = 0
    parameters: str | ParameterSet = "posterior"
    name: str = "trial"

    def __post_init__(self) -> None:
        if len(self.arms) < 2:
            raise TrialError(
                invalid_value("arms", len(self.arms), "at least 2 arms", "[[arms]] twice")
            )
        names = [a.name for a in self.arms]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise TrialError(invalid_value("arms.name", dup, "distinct arm names", '"control"'))
        control = self.control if self.control is not None else names[-1]
        if control not in names:
            raise TrialError(
                invalid_value("control", control, "one of " + ", ".join(names), repr(names[-1]))
            )
        object.__setattr__(self, "control", control)
        _int("draws", self.draws, 1, 10_000, "draws = 100")
        _real("alpha", self.alpha, 0.0, 0.5, "alpha = 0.05", open_=True)
        _int("replicates", self.replicates, 1, 100_000, "replicates = 200")
        _int("seed", self.seed, 0, 2**63 - 1, "seed = 0")
        if (
            not isinstance(self.power_n, Sequence)
            or isinstance(self.power_n, str)
            or not self.power_n
        ):
            raise TrialError(
                invalid_value("power_n", self.power_n, "a list of patients per arm", "[10, 20, 50]")
            )
        object.__setattr__(
            self,
            "power_n",
            tuple(_int("power_n", n, 2, 10_000, "[10, 20, 50]") for n in self.power_n),
        )
        need = self.required_pool()
        pool = self.pool if self.pool is not None else max(200, 2 * need)
        _int("pool", pool, need, 100_000, f"pool = {max(200, 2 * need)}")
        object.__setattr__(self, "pool", int(pool))
        picks = self.draws * self.replicates * need
        if picks > 25_000_000:
            raise TrialError(
                invalid_value(
                    "draws x replicates x longest arm",
                    picks,
                    "at most 25000000 simulated patients per arm (memory)",
                    "draws = 100, replicates = 200",
                )
            )
        if not isinstance(self.name, str) or not self.name.strip():
            raise TrialError(invalid_value("name", self.name, "a non-empty title", '"my trial"'))
        from ..parameters import load_parameters

        load_parameters(self.parameters)  # a one-line error now rather than after a run
        total = int(pool) * self.draws * len(self.arms)
        if total > 5_000_000:
            raise TrialError(
                invalid_value(
                    "pool x draws x arms",
                    total,
                    "at most 5000000 trajectories",
                    "pool = 200, draws = 100",
                )
            )

    # ---------------------------------------------------------------- sizes
    def _ratio(self, arm: Arm) -> float:
        return arm.n / self.arms[0].n

    def arm_sizes(self, n_first: int) -> dict[str, int]:
        """Patients per arm when the first arm has ``n_first`` (allocation kept)."""
        return {a.name: max(2, round(n_first * self._ratio(a))) for a in self.arms}

    def longest_arm(self) -> int:
        """The most patients any arm has, on the power curve or at the planned size."""
        return max(max(self.arm_sizes(n).values()) for n in (*self.power_n, self.arms[0].n))

    def required_pool(self) -> int:
        """Least pool: as many virtual patients as the longest arm."""
        return self.longest_arm()

    # ---------------------------------------------------------------- construction
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Trial:
        """Build a trial from a parsed spec: ``[trial]``, ``[endpoint]``, ``[cohort]`` and
        ``[[arms]]`` tables (see ``docs/cohorts.md``)."""
        if not isinstance(data, Mapping):
            raise TrialError(invalid_value("trial spec", data, "a TOML table", "[trial]"))
        unknown = set(data) - {"trial", "endpoint", "cohort", "arms"}
        if unknown:
            raise TrialError(
                invalid_value(
                    "spec table",
                    sorted(unknown)[0],
                    "trial, endpoint, cohort or arms",
                    "[endpoint]",
                )
            )
        head = data.get("trial", {})
        if not isinstance(head, Mapping):
            raise TrialError(invalid_value("trial", head, "a table", "[trial]"))
        bad = set(head) - set(_TRIAL_KEYS)
        if bad:
            raise TrialError(
                invalid_value(
                    "trial key", sorted(bad)[0], "one of " + ", ".join(_TRIAL_KEYS), "draws = 100"
                )
            )
        ep = data.get("endpoint", {})
        if not isinstance(ep, Mapping):
            raise TrialError(invalid_value("endpoint", ep, "a table", "[endpoint]"))
        bad = set(ep) - {"name", "day", "better", "responder_threshold", "measurement_sd"}
        if bad:
            raise TrialError(
                invalid_value(
                    "endpoint key",
                    sorted(bad)[0],
                    "name, day, better, responder_threshold or measurement_sd",
                    "day = 180",
                )
            )
        arms = data.get("arms")
        if not isinstance(arms, list) or not arms:
            raise TrialError(
                invalid_value(
                    "arms", arms, "two or more [[arms]] tables", '[[arms]] protocol = "none"'
                )
            )
        kwargs = dict(head)
        if "power_n" in kwargs and isinstance(kwargs["power_n"], list):
            kwargs["power_n"] = tuple(kwargs["power_n"])
        return cls(
            arms=tuple(Arm.from_dict(a, i) for i, a in enumerate(arms)),
            endpoint=TrialEndpoint(**ep),
            cohort=Cohort.from_dict(data.get("cohort", {})),
            **kwargs,
        )

    @classmethod
    def from_toml(cls, source: str | os.PathLike[str]) -> Trial:
        """Read a trial spec from a TOML file (or TOML text), or a bundled spec by name."""
        if not isinstance(source, os.PathLike) and str(source) in bundled_trials():
            from importlib import resources

            folder = resources.files("dermasim") / "data" / "trials"
            return cls.from_dict(read_cohort_file((folder / f"{source}.toml").read_text()))
        text = str(source)
        one_line = "\n" not in text and "=" not in text and "[" not in text
        if not isinstance(source, os.PathLike) and one_line and not Path(text).is_file():
            names = ", ".join(bundled_trials())
            raise TrialError(
                invalid_value(
                    "spec",
                    text,
                    f"a trial TOML file or a bundled trial ({names})",
                    "microneedling-vs-none",
                )
            )
        return cls.from_dict(read_cohort_file(source, "spec", "trial.toml"))

    # ---------------------------------------------------------------- running
    def run(
        self,
        *,
        solver: SolverOptions | None = None,
        store: str | os.PathLike[str] | None = None,
        restart: bool = False,
        cluster: Any = None,
        workers: int = 2,
        progress: Callable[[str, int, int], None] | None = None,
    ) -> TrialResult:
        """Simulate every arm on the pool and analyse it (see the module docstring).

        ``store`` keeps one resumable chunk store per arm under it (``store/arm-0/``,
        ``arm-1/``, in arm order); ``cluster`` and ``workers`` are those of
        :func:`~dermasim.cohort.run_cohort`.
        """
        check_workers(workers)
        outcomes: dict[str, np.ndarray] = {}
        results: dict[str, CohortResult] = {}
        for k, arm in enumerate(self.arms):
            plan = plan_cohort(
                arm.protocol,
                self.cohort,
                n=self.pool,
                draws=self.draws,
                days=self.endpoint.day,
                seed=self.seed,
                parameters=self.parameters,
                solver=solver,
            )
            arm_store = None if store is None else Path(store) / f"arm-{k}"

            def step(done: int, total: int, name: str = arm.name) -> None:
                if progress is not None:
                    progress(name, done, total)

            result = run_plan(
                plan,
                store=arm_store,
                restart=restart,
                cluster=cluster,
                workers=workers,
                progress=step,
            )
            results[arm.name] = result
            outcomes[arm.name] = result.values(self.endpoint.name, self.endpoint.day)
        return analyse(self, outcomes, results)


def bundled_trials() -> tuple[str, ...]:
    """Names of the bundled trial specs."""
    from importlib import resources

    folder = resources.files("dermasim") / "data" / "trials"
    return tuple(
        sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))
    )


# -------------------------------------------------------------------- analysis
def welch(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Difference in means of the last axis, its standard error, Welch degrees of freedom and
    two-sided p-value (vectorised over the leading axes)."""
    from scipy.stats import t as student_t

    na, nb = a.shape[-1], b.shape[-1]
    diff = a.mean(axis=-1) - b.mean(axis=-1)
    va, vb = a.var(axis=-1, ddof=1) / na, b.var(axis=-1, ddof=1) / nb
    se = np.sqrt(va + vb)
    with np.errstate(divide="ignore", invalid="ignore"):
        dof = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
        tstat = diff / se
    dof = np.where(np.isfinite(dof), dof, na + nb - 2.0)
    p = np.where(se > 0, 2.0 * student_t.sf(np.abs(tstat), dof), np.where(diff == 0, 1.0, 0.0))
    return diff, se, dof, p


@dataclass(frozen=True)
class TrialResult:
    """The analysis of a simulated trial, as plain data (``to_json_dict``) and arrays.

    Attributes
    ----------
    trial
        The trial.
    outcomes
        Endpoint per arm, ``(patient, draw)`` over the pool.
    comparisons
        Per arm other than the control: population effect, responder rates, one simulated
        trial at the planned size, probability of success and the power curve.
    cohorts
        The cohort results of each arm (every endpoint, every time kept).
    """

    trial: Trial
    outcomes: dict[str, np.ndarray]
    comparisons: dict[str, dict[str, Any]]
    cohorts: dict[str, CohortResult]

    def plot(self, path: str | os.PathLike[str] | None = None) -> Any:
        """The power curve of every comparison (needs matplotlib)."""
        from ..plotting import plot_power_curve

        return plot_power_curve(self.to_json_dict(), path=path)

    def to_json_dict(self) -> dict[str, Any]:
        """The ``dermasim.trial/1`` JSON object."""
        t = self.trial
        return {
            "schema": "dermasim.trial/1",
            "name": t.name,
            "endpoint": {
                "name": t.endpoint.name,
                "unit": ENDPOINTS[t.endpoint.name][0],
                "t_days": t.endpoint.day,
                "better": t.endpoint.better,
                "responder_threshold": t.endpoint.responder_threshold,
                "measurement_sd": t.endpoint.measurement_sd,
            },
            "arms": [{"name": a.name, "protocol": str(a.protocol), "n": a.n} for a in t.arms],
            "control": t.control,
            "alpha": t.alpha,
            "comparisons": self.comparisons,
            "notes": trial_notes(t),
            "cohort": t.cohort.to_dict(),
            "provenance": {
                "draws": t.draws,
                "pool": t.pool,
                "replicates_per_draw": t.replicates,
                "seed": t.seed,
                "parameters": str(
                    t.parameters if isinstance(t.parameters, str) else t.parameters.name
                ),
                "disclaimer": "research and planning aid, not medical advice",
            },
        }


def _replicates(
    trial: Trial,
    arm: str,
    y: np.ndarray,
    control: np.ndarray,
    picks: Mapping[str, np.ndarray],
    noise: Mapping[str, np.ndarray | None],
    n_first: int,
) -> tuple[np.ndarray, ...]:
    """Welch analyses of the simulated trials with ``n_first`` patients in the first arm:
    arrays ``(draw, replicate)``. Each arm takes the first patients of its own resampled
    sequence in ``picks`` (``(draw, replicate, longest arm)`` indices into the pool), each
    measured with its own error from ``noise`` (same shape, or None)."""
    draws = control.shape[1]
    sizes = trial.arm_sizes(n_first)
    control_name = trial.control or ""
    d = np.arange(draws)[:, None, None]
    measured = []
    for name, values, n in ((arm, y, sizes[arm]), (control_name, control, sizes[control_name])):
        sample = values[picks[name][..., :n], d]
        error = noise[name]
        measured.append(sample if error is None else sample + error[..., :n])
    return welch(measured[0], measured[1])


def trial_notes(trial: Trial) -> list[str]:
    """What the reader must know to weigh the power figures."""
    from ..parameters import load_parameters

    notes = []
    records = load_parameters(trial.parameters).records
    carried = {
        r.name: r for r in records if r.population_sd > 0 and r.name not in trial.cohort.variability
    }
    varies = bool(trial.cohort.variability) or bool(carried)
    if not varies and trial.endpoint.measurement_sd == 0:
        notes.append(
            "patients differ only in their covariates (age, sex, site, skin type, UV, "
            "smoking): no between-patient variability of model parameters and no "
            "measurement error are set, so the spread between patients, and with it the "
            "power, is optimistic; set [cohort.variability] and endpoint.measurement_sd"
        )
    elif not varies:
        notes.append(
            "no between-patient variability of model parameters is set ([cohort.variability]): "
            "patients differ in covariates and measurement error only"
        )
    else:
        if carried:
            spread = ", ".join(
                f"{n} {r.population_sd:g} ({', '.join(r.population_rows)})"
                for n, r in carried.items()
            )
            notes.append(
                f"between-patient spread from the parameter records: {spread}; no other "
                "parameter varies between patients beyond the covariates (no evidence sets "
                "a spread for healing or turnover), so the spread between patients is "
                "likely understated"
            )
        if trial.endpoint.measurement_sd == 0:
            notes.append(
                "no measurement error is set (endpoint.measurement_sd = 0): the power is "
                "that of an error-free measurement, an optimistic figure"
            )
    return notes


def analyse(
    trial: Trial, outcomes: Mapping[str, np.ndarray], cohorts: Mapping[str, CohortResult]
) -> TrialResult:
    """Effect, responders, a simulated trial and the power curve for each arm against the
    control (see the module docstring)."""
    sign = trial.endpoint.sign
    control = outcomes[trial.control or trial.arms[-1].name]
    pool, draws = control.shape
    reps = trial.replicates
    # each arm draws its patients with replacement from the pool, independently of the other
    # arms (its own stream of the seed); a smaller trial takes the first patients of the same
    # sequence, so the sizes nest and the power curve is smooth in n
    longest = trial.longest_arm()
    picks = {
        a.name: np.random.default_rng([trial.seed, 4, k]).integers(
            0, pool, size=(draws, reps, longest), dtype=np.int32
        )
        for k, a in enumerate(trial.arms)
    }
    # measurement error belongs to each measurement, not to a virtual patient: drawn afresh for
    # every patient a replicate enrols
    sd = trial.endpoint.measurement_sd
    noise: dict[str, np.ndarray | None] = {
        a.name: None
        if sd == 0
        else sd * np.random.default_rng([trial.seed, 5, k]).standard_normal(picks[a.name].shape)
        for k, a in enumerate(trial.arms)
    }
    comparisons: dict[str, dict[str, Any]] = {}
    for arm in trial.arms:
        if arm.name == trial.control:
            continue
        y = outcomes[arm.name]
        effect = y.mean(axis=0) - control.mean(axis=0)  # (draw,)
        entry: dict[str, Any] = {"arm": arm.name, "against": trial.control}
        entry["population_effect"] = quantile_summary(effect)
        entry["p_effect_favours_arm"] = float(np.mean(sign * effect > 0))
        entry["arm_mean"] = quantile_summary(y.mean(axis=0))
        entry["control_mean"] = quantile_summary(control.mean(axis=0))
        entry["between_patient_sd"] = {
            "arm": float(np.median(y.std(axis=0, ddof=1))),
            "control": float(np.median(control.std(axis=0, ddof=1))),
        }
        threshold = trial.endpoint.responder_threshold
        if threshold is not None:
            entry["responder_rate"] = {
                "arm": quantile_summary(np.mean(sign * (y - threshold) > 0, axis=0)),
                "control": quantile_summary(np.mean(sign * (control - threshold) > 0, axis=0)),
                "threshold": threshold,
            }

        curve = []
        for n_first in trial.power_n:
            diff, _, _, p = _replicates(trial, arm.name, y, control, picks, noise, n_first)
            success = (p < trial.alpha) & (sign * diff > 0)
            conditional = success.mean(axis=1)  # (draw,)
            sizes = trial.arm_sizes(n_first)
            curve.append(
                {
                    "n_per_arm": sizes[arm.name],
                    "n_control": sizes[trial.control or ""],
                    "power": float(success.mean()),
                    "power_mc_se": float(conditional.std(ddof=1) / math.sqrt(draws))
                    if draws > 1
                    else float(math.sqrt(success.mean() * (1 - success.mean()) / reps)),
                    "conditional_power": quantile_summary(conditional),
                    "reject_either": float((p < trial.alpha).mean()),
                }
            )
        entry["power_curve"] = curve
        diff, se, dof, p = _replicates(trial, arm.name, y, control, picks, noise, trial.arms[0].n)
        success = (p < trial.alpha) & (sign * diff > 0)
        entry["probability_of_success"] = float(success.mean())
        # one simulated trial at the planned size: the first replicate of a random draw
        from scipy.stats import t as student_t

        k = int(np.random.default_rng([trial.seed, 6]).integers(draws))
        half_width = float(student_t.ppf(0.975, dof[k, 0]) * se[k, 0])
        entry["one_trial"] = {
            "n_per_arm": arm.n,
            "n_control": trial.arm_sizes(trial.arms[0].n)[trial.control or ""],
            "difference": float(diff[k, 0]),
            "ci95": [float(diff[k, 0] - half_width), float(diff[k, 0] + half_width)],
            "p_value": float(p[k, 0]),
        }
        comparisons[arm.name] = entry
    return TrialResult(trial, dict(outcomes), comparisons, dict(cohorts))
