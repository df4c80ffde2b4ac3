r"""Which parameters matter: Sobol indices and Morris screening (SALib).

Both methods work on the unit hypercube and map each coordinate :math:`u \in [0, 1]` to a
parameter value by an inverse CDF: the prior's (truncated to the parameter's bounds), or,
with ``parameters="posterior"``, the empirical quantile function of each fitted parameter's
posterior draws (and the prior's for the others). Inputs are taken as independent: the
posterior's correlations between fitted parameters are not kept, so the posterior variant
is a screening of marginal spreads, not a decomposition of the joint posterior.

**Sobol** (Saltelli sampling, Jansen/Saltelli estimators, ``SALib.analyze.sobol``): the
first-order index :math:`S_i = V[E(Y|X_i)]/V(Y)` is the share of the endpoint's variance
that parameter :math:`i` explains alone, the total index :math:`S_{Ti} = E[V(Y|X_{-i})]/V(Y)`
its share with all interactions; each with a bootstrap 95% confidence interval. The cost is
``n * (k + 2)`` simulations for ``k`` parameters.

**Morris** (elementary effects, ``SALib.analyze.morris``): :math:`\mu^*` (mean absolute
elementary effect, with its bootstrap 95% interval) ranks influence and :math:`\sigma`
flags non-linearity or interactions, for ``trajectories * (k + 1)`` simulations.

The same functions (:func:`sobol_indices`, :func:`morris_screening`) run any vectorised
model; :func:`model_sensitivity` plugs in the simulator, in chunks, serially or on Dask. The
Ishigami function, whose indices are known in closed form, is checked through this path in
the tests.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np

from ..errors import DermasimError, invalid_value
from ..model import ENDPOINTS
from ..parameters import ParameterSet, load_parameters
from ..patient import Patient
from ..protocol import Protocol
from ..simulation import MAX_DAYS, integrate_batch
from ..solve import SolverOptions
from .distributed import check_workers, cluster_client, execute

logger = logging.getLogger("dermasim")

__all__ = [
    "METHODS",
    "SensitivityError",
    "SensitivityResult",
    "model_sensitivity",
    "morris_screening",
    "parameter_inverse_cdfs",
    "sobol_indices",
]

METHODS = ("sobol", "morris")
InverseCDF = Callable[[np.ndarray], np.ndarray]


class SensitivityError(DermasimError, ValueError):
    """A sensitivity option is not valid, or SALib is missing."""


def _salib() -> Any:
    try:
        import SALib
    except ImportError:
        raise SensitivityError(
            "sensitivity needs SALib: allowed with it installed; for example "
            'pip install "dermasim[sensitivity]"'
        ) from None
    return SALib


@dataclass(frozen=True)
class SensitivityResult:
    """Indices by parameter, as plain data.

    Attributes
    ----------
    method
        ``"sobol"`` or ``"morris"``.
    names
        Parameter names, in input order.
    indices
        Sobol: ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (the ``_conf`` entries are half-widths
        of 95% intervals). Morris: ``mu_star``, ``mu_star_conf``, ``sigma``, ``mu``.
    evaluations
        Number of model evaluations.
    target
        What was analysed (endpoint, day, protocol, patient, parameters), for reports.
    """

    method: str
    names: tuple[str, ...]
    indices: dict[str, np.ndarray]
    evaluations: int
    target: dict[str, Any]

    def ranked(self) -> list[str]:
        """Names from most to least influential (by ``ST`` or ``mu_star``)."""
        key = "ST" if self.method == "sobol" else "mu_star"
        order = np.argsort(-np.nan_to_num(self.indices[key], nan=-np.inf), kind="stable")
        return [self.names[i] for i in order]

    def to_json_dict(self, top: int | None = None) -> dict[str, Any]:
        """The ``dermasim.sensitivity/1`` JSON object, parameters ranked."""
        rows = []
        for name in self.ranked()[:top]:
            i = self.names.index(name)
            rows.append({"parameter": name, **{k: float(v[i]) for k, v in self.indices.items()}})
        return {
            "schema": "dermasim.sensitivity/1",
            "method": self.method,
            "target": self.target,
            "evaluations": self.evaluations,
            "indices": rows,
            "disclaimer": "research and planning aid, not medical advice",
        }

    def plot(self, top: int = 15, path: str | os.PathLike[str] | None = None) -> Any:
        """A bar chart of the ``top`` parameters with 95% intervals (needs matplotlib)."""
        from ..plotting import plot_sensitivity

        return plot_sensitivity(self.to_json_dict(top=top), path=path)


def _check_int(field: str, value: Any, low: int, high: int, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or not low <= int(value) <= high:
        raise SensitivityError(
            invalid_value(field, value, f"an integer from {low} to {high}", example)
        )
    return int(value)


def sobol_indices(
    function: Callable[[np.ndarray], np.ndarray],
    names: Sequence[str],
    inverse_cdfs: Sequence[InverseCDF],
    *,
    n: int = 512,
    seed: int = 0,
    resamples: int = 200,
    target: dict[str, Any] | None = None,
) -> SensitivityResult:
    """First-order and total Sobol indices of ``function`` with their 95% intervals.

    Parameters
    ----------
    function
        Maps inputs ``(rows, k)`` to outputs ``(rows,)``.
    names
        Input names (``k``).
    inverse_cdfs
        One inverse CDF per input, mapping ``u`` in [0, 1] to the input's values.
    n
        Base sample size (a power of 2, 16 to 65536); ``n * (k + 2)`` evaluations.
    seed
        Seed of the scrambled Sobol sequence and of the bootstrap.
    resamples
        Bootstrap resamples for the intervals.
    """
    _salib()
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    n = _check_int("n", n, 16, 65536, "n = 512")
    seed = _check_int("seed", seed, 0, 2**31 - 2, "seed = 0")
    if n & (n - 1):
        raise SensitivityError(invalid_value("n", n, "a power of 2 from 16 to 65536", "n = 512"))
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    u = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    x = _transform(u, inverse_cdfs)
    logger.info(
        "sensitivity: Saltelli sample of %d rows over %d parameters (n = %d)", len(x), len(names), n
    )
    y = np.asarray(function(x), dtype=float)
    _check_outputs(y)
    si = sobol_analyze.analyze(
        problem,
        y,
        calc_second_order=False,
        num_resamples=resamples,
        conf_level=0.95,
        seed=seed + 1,  # SALib takes a seed of 0 as no seed
    )
    keys = ("S1", "S1_conf", "ST", "ST_conf")
    indices = {k: np.asarray(si[k], dtype=float) for k in keys}
    return SensitivityResult("sobol", tuple(names), indices, int(y.size), dict(target or {}))


def morris_screening(
    function: Callable[[np.ndarray], np.ndarray],
    names: Sequence[str],
    inverse_cdfs: Sequence[InverseCDF],
    *,
    trajectories: int = 20,
    levels: int = 4,
    seed: int = 0,
    resamples: int = 200,
    target: dict[str, Any] | None = None,
) -> SensitivityResult:
    """Morris elementary effects (``mu*`` with its 95% interval, ``sigma``) of ``function``;
    ``trajectories * (k + 1)`` evaluations. Inputs as in :func:`sobol_indices`; effects are
    measured per unit step in ``u`` (the inputs' quantile scale)."""
    _salib()
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    trajectories = _check_int("trajectories", trajectories, 2, 10_000, "trajectories = 20")
    seed = _check_int("seed", seed, 0, 2**31 - 2, "seed = 0")
    levels = _check_int("levels", levels, 2, 20, "levels = 4")
    if levels % 2:
        raise SensitivityError(invalid_value("levels", levels, "an even number", "levels = 4"))
    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    u = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    y = np.asarray(function(_transform(u, inverse_cdfs)), dtype=float)
    _check_outputs(y)
    si = morris_analyze.analyze(
        problem, u, y, num_levels=levels, num_resamples=resamples, conf_level=0.95, seed=seed + 1
    )
    keys = ("mu_star", "mu_star_conf", "sigma", "mu")
    indices = {k: np.asarray(si[k], dtype=float) for k in keys}
    return SensitivityResult("morris", tuple(names), indices, int(y.size), dict(target or {}))


def _transform(u: np.ndarray, inverse_cdfs: Sequence[InverseCDF]) -> np.ndarray:
    return np.column_stack([f(u[:, j]) for j, f in enumerate(inverse_cdfs)])


def _check_outputs(y: np.ndarray) -> None:
    if not np.all(np.isfinite(y)):
        raise SensitivityError(
            f"the model gave {int(np.sum(~np.isfinite(y)))} non-finite outputs of {y.size}: "
            "allowed only finite outputs; for example narrow the inputs"
        )


def _empirical_inverse_cdf(values: np.ndarray) -> InverseCDF:
    def inverse(u: np.ndarray) -> np.ndarray:
        return np.asarray(np.quantile(values, u), dtype=float)

    return inverse


def parameter_inverse_cdfs(parameters: ParameterSet, names: Sequence[str]) -> list[InverseCDF]:
    """Inverse CDFs of ``names``: posterior draws' empirical quantiles for fitted parameters
    of a posterior, the prior (within its bounds) for every other."""
    draws = getattr(parameters, "draws", {})
    fitted = set(getattr(parameters, "fitted", ()))
    out: list[InverseCDF] = []
    for name in names:
        if name in fitted:
            values = np.sort(np.asarray(draws[name], dtype=float))
            out.append(_empirical_inverse_cdf(values))
        else:
            out.append(parameters[name].prior.ppf)
    return out


@dataclass(frozen=True)
class _Evaluation:
    protocol: Protocol
    patient: Patient
    base: dict[str, float]
    names: tuple[str, ...]
    endpoint: str
    day: float
    solver: SolverOptions


def _evaluate_block(job: _Evaluation, x: np.ndarray) -> np.ndarray:
    rows = x.shape[0]
    p = {k: np.full(rows, v) for k, v in job.base.items()}
    for j, name in enumerate(job.names):
        p[name] = np.asarray(x[:, j], dtype=float)
    run = integrate_batch(
        job.protocol,
        job.patient,
        p,
        days=job.day,
        extra=np.array([job.day]),
        daily=False,
        solver=job.solver,
    )
    values = run.endpoints()[job.endpoint]
    return np.asarray(values[:, np.searchsorted(run.times, job.day)], dtype=float)


def model_sensitivity(
    protocol: Protocol | str | os.PathLike[str] = "microneedling-4-monthly",
    patient: Patient | None = None,
    *,
    endpoint: str = "collagen_density",
    day: float = 180.0,
    method: str = "sobol",
    parameters: str | ParameterSet = "prior",
    vary: Sequence[str] | None = None,
    n: int = 512,
    trajectories: int = 20,
    seed: int = 0,
    solver: SolverOptions | None = None,
    chunk_size: int = 5000,
    cluster: Any = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> SensitivityResult:
    """Sobol indices or Morris screening of one endpoint at one day of a course.

    Parameters
    ----------
    protocol
        The course (default ``microneedling-4-monthly``, the standard course).
    patient
        The patient (default :class:`~dermasim.Patient`).
    endpoint, day
        What is analysed and when (default collagen density at day 180).
    method
        ``"sobol"`` (default) or ``"morris"``.
    parameters
        ``"prior"`` (default: every parameter over its prior) or ``"posterior"`` (fitted
        parameters over their posterior marginals).
    vary
        Parameters to vary (default all model parameters); the others stay at their point
        values.
    n, trajectories
        Sobol base sample (power of 2) or Morris trajectories.
    seed
        Seed of the design and the bootstrap.
    chunk_size, cluster, workers
        Evaluations per task, and where tasks run (see :func:`~dermasim.cohort.run_cohort`).
    progress
        Called with ``(chunks done, chunks)``.
    """
    if method not in METHODS:
        raise SensitivityError(invalid_value("method", method, "sobol or morris", '"sobol"'))
    if endpoint not in ENDPOINTS or endpoint == "redness":
        allowed = [k for k in ENDPOINTS if k != "redness"]
        raise SensitivityError(
            invalid_value("endpoint", endpoint, "one of " + ", ".join(allowed), "collagen_density")
        )
    ok = isinstance(day, int | float) and not isinstance(day, bool) and 1 <= day <= MAX_DAYS
    if not ok:
        raise SensitivityError(invalid_value("day", day, f"1 to {MAX_DAYS} days", "day = 180"))
    chunk_size = _check_int("chunk_size", chunk_size, 1, 10_000_000, "chunk_size = 5000")
    seed = _check_int("seed", seed, 0, 2**31 - 2, "seed = 0")
    # both sizes are checked whichever method runs: an option that is ignored is still checked
    n = _check_int("n", n, 16, 65536, "n = 512")
    trajectories = _check_int("trajectories", trajectories, 2, 10_000, "trajectories = 20")
    check_workers(workers)
    ps = load_parameters(parameters)
    names: tuple[str, ...] = tuple(ps) if vary is None else tuple(vary)
    repeated = sorted({v for v in names if names.count(v) > 1})
    if repeated:
        raise SensitivityError(
            invalid_value("vary", repeated[0], "each parameter once", '["pn_clearance"]')
        )
    if not names:
        raise SensitivityError(
            invalid_value("vary", [], "at least one parameter", '["pn_clearance"]')
        )
    for name in names:
        if name not in ps:
            raise SensitivityError(
                invalid_value(
                    "vary",
                    name,
                    "model parameter names (dermasim parameters)",
                    '["fibroblast_activation_rate"]',
                )
            )
    proto = protocol if isinstance(protocol, Protocol) else Protocol.load(protocol)
    job = _Evaluation(
        protocol=proto,
        patient=patient or Patient(),
        base={k: float(v[0]) for k, v in ps.point(1).items()},
        names=names,
        endpoint=endpoint,
        day=float(day),
        solver=solver or SolverOptions(),
    )
    target = {
        "endpoint": endpoint,
        "unit": ENDPOINTS[endpoint][0],
        "t_days": float(day),
        "protocol": str(proto),
        "patient": job.patient.to_dict(),
        "parameters": f"{ps.name} ({'posterior marginals' if parameters != 'prior' else 'priors'})",
    }

    def function(x: np.ndarray) -> np.ndarray:
        blocks = [(i, x[i : i + chunk_size]) for i in range(0, x.shape[0], chunk_size)]
        out: dict[int, np.ndarray] = {}

        def keep(block: tuple[int, np.ndarray], values: np.ndarray) -> None:
            out[block[0]] = values
            if progress is not None:
                progress(len(out), len(blocks))

        with cluster_client(cluster, workers) as client:
            execute(blocks, _evaluate_block_item, job, client=client, on_result=keep)
        return np.concatenate([out[i] for i, _ in blocks])

    inverse = parameter_inverse_cdfs(ps, names)
    if method == "sobol":
        return sobol_indices(function, names, inverse, n=n, seed=seed, target=target)
    return morris_screening(
        function, names, inverse, trajectories=trajectories, seed=seed, target=target
    )


def _evaluate_block_item(job: _Evaluation, block: tuple[int, np.ndarray]) -> np.ndarray:
    return _evaluate_block(job, block[1])
