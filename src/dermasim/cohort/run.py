"""Running a cohort: a course for many virtual patients crossed with parameter draws.

:func:`run_cohort` draws (or takes) the virtual patients, draws the parameters, cuts the
rows into chunks and runs them serially or on Dask, optionally into a resumable
:class:`~dermasim.storage.ChunkStore`. The :class:`CohortResult` keeps the two sources of
spread apart: ``patient`` (between-patient variability: covariates and any parameter
variability) and ``draw`` (uncertainty about the parameters).

Examples
--------
>>> from dermasim.cohort import Cohort, run_cohort
>>> result = run_cohort("4 x microneedling 1.5 mm every 30 days", Cohort(), n=4, draws=3,
...                     days=180, at=[90])
>>> result.dataset["collagen_density"].dims
('patient', 'draw', 'time')
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import SimulationError, invalid_value
from ..model import ENDPOINTS
from ..parameters import ParameterSet, load_parameters
from ..protocol import Protocol
from ..simulation import _check_at, _check_days, _check_seed
from ..solution import QUANTILES
from ..solve import SolverOptions
from ..storage import ChunkStore, write_netcdf
from .distributed import check_workers, cluster_client, execute
from .engine import DEFAULT_CHUNK_SIZE, Chunk, CohortPlan, assemble, run_chunk
from .population import Cohort, CohortError, VirtualPopulation

logger = logging.getLogger("dermasim")

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["CohortResult", "plan_cohort", "run_cohort"]

MAX_DRAWS = 10_000
#: Output days kept by default (those inside the horizon, besides day 0 and the horizon).
DEFAULT_AT = (90.0, 180.0, 365.0)


def _as_protocol(protocol: Protocol | str | os.PathLike[str]) -> Protocol:
    return protocol if isinstance(protocol, Protocol) else Protocol.load(protocol)


def _check_count(field: str, value: Any, high: int, example: str) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or not 1 <= int(value) <= high:
        raise CohortError(invalid_value(field, value, f"an integer from 1 to {high}", example))
    return int(value)


def plan_cohort(
    protocol: Protocol | str | os.PathLike[str],
    population: Cohort | VirtualPopulation | str | os.PathLike[str] | None = None,
    *,
    n: int | None = None,
    draws: int = 100,
    days: float = 730,
    at: Sequence[float] | None = None,
    seed: int = 0,
    parameters: str | ParameterSet = "posterior",
    solver: SolverOptions | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> CohortPlan:
    """Fix a cohort run: patients, parameter draws, output days and chunks.

    Parameters
    ----------
    protocol
        The course (compact string, bundled name, TOML path or :class:`Protocol`).
    population
        A :class:`Cohort` spec (drawn with ``n`` and ``seed``), a drawn
        :class:`VirtualPopulation`, the path of a CSV table of patients, or None for the
        default :class:`Cohort`.
    n
        Number of patients drawn from a :class:`Cohort` (default 500); not used with a table.
    draws
        Parameter draws, shared by every patient (1 to 10,000).
    days
        Horizon in days.
    at
        Output days (the horizon is always kept, as is day 0); by default days 90, 180 and
        365 where they fall inside the horizon.
    seed
        One seed for patients, deviates and draws (separate streams of it).
    parameters
        ``"posterior"``, ``"prior"``, a posterior file or a :class:`ParameterSet`.
    solver
        Solver options.
    chunk_size
        Least trajectories per chunk (default 1000).
    """
    seed = _check_seed(seed)
    days = _check_days(days)
    draws = _check_count("draws", draws, MAX_DRAWS, "draws = 100")
    chunk_size = _check_count("chunk_size", chunk_size, 10_000_000, "chunk_size = 1000")
    if population is None:
        population = Cohort()
    if isinstance(population, str | os.PathLike):
        population = VirtualPopulation.from_csv(population)
    if isinstance(population, Cohort):
        population = population.sample(500 if n is None else n, seed)
    elif n is not None and n != len(population):
        raise CohortError(
            invalid_value(
                "n",
                n,
                f"{len(population)}, the patients of the table (or leave it out)",
                f"n = {len(population)}",
            )
        )
    ps = load_parameters(parameters)
    # between-patient spread the parameter records carry, unless the cohort sets its own
    records = {r.name: r.population_sd for r in ps.records if r.population_sd > 0}
    population = population.with_spread(
        {k: v for k, v in records.items() if k not in population.spread}, seed
    )
    p = ps.sample(draws, np.random.default_rng([seed, 3]))
    return CohortPlan(
        protocol=_as_protocol(protocol),
        population=population,
        draws=p,
        parameters=ps,
        days=days,
        at=_check_at([d for d in DEFAULT_AT if d < days] if at is None else at, days),
        solver=solver or SolverOptions(),
        chunk_size=chunk_size,
        seed=seed,
    )


def _chunk_dataset(arrays: Mapping[str, np.ndarray]) -> Any:
    import xarray as xr

    data = {
        k: (("patient", "draw", "session" if k == "downtime_days" else "time"), v)
        for k, v in arrays.items()
    }
    return xr.Dataset(data)


def _chunk_arrays(ds: Any, chunk: Chunk, plan: CohortPlan) -> dict[str, np.ndarray]:
    out = {k: np.asarray(ds[k].values) for k in ds.data_vars}
    if "downtime_days" not in out:  # no sessions: the empty dimension is not stored
        out["downtime_days"] = np.zeros((chunk.stop - chunk.start, plan.n_draws, 0))
    return out


def _compute(plan: CohortPlan, chunk: Chunk) -> dict[str, np.ndarray]:
    return run_chunk(plan, chunk)


@dataclass(frozen=True)
class CohortResult:
    """Endpoints of every (patient, draw), dims ``(patient, draw, time)``, with provenance.

    Attributes
    ----------
    dataset
        One variable per endpoint (``patient, draw, time``) and ``downtime_days``
        (``patient, draw, session``); covariates are coordinates along ``patient``.
    """

    dataset: xr.Dataset

    def values(self, endpoint: str, day: float) -> np.ndarray:
        """The endpoint at ``day``, shape ``(patient, draw)``."""
        if endpoint not in ENDPOINTS or endpoint not in self.dataset:
            raise SimulationError(
                invalid_value(
                    "endpoint", endpoint, "one of " + ", ".join(ENDPOINTS), "collagen_density"
                )
            )
        times = np.asarray(self.dataset["time"].values)
        if not np.isin(day, times):
            raise SimulationError(
                invalid_value(
                    "day", day, "an output day: " + ", ".join(f"{t:g}" for t in times), "180"
                )
            )
        return np.asarray(self.dataset[endpoint].sel(time=day).values)

    def summary(self, endpoint: str, day: float) -> dict[str, Any]:
        """The population at ``day``, with the two kinds of spread kept apart.

        ``population_mean``: the mean over patients, its median and 5-95% interval over
        draws (uncertainty). ``between_patients``: the 5th, 50th and 95th percentiles over
        patients, each given as its median over draws (variability).
        """
        y = self.values(endpoint, day)
        mean = y.mean(axis=0)
        p05, p50, p95 = np.quantile(mean, QUANTILES)
        spread = np.quantile(y, QUANTILES, axis=0)  # (3, draw)
        return {
            "endpoint": endpoint,
            "unit": self.dataset[endpoint].attrs["units"],
            "t_days": float(day),
            "patients": int(y.shape[0]),
            "draws": int(y.shape[1]),
            "population_mean": {"median": float(p50), "p05": float(p05), "p95": float(p95)},
            "between_patients": {
                "p05": float(np.median(spread[0])),
                "median": float(np.median(spread[1])),
                "p95": float(np.median(spread[2])),
            },
        }

    def to_netcdf(self, path: str | os.PathLike[str]) -> Path:
        """Write the dataset (atomically); read it back with ``xarray.open_dataset``."""
        return write_netcdf(path, self.dataset)


def run_cohort(
    protocol: Protocol | str | os.PathLike[str],
    population: Cohort | VirtualPopulation | str | os.PathLike[str] | None = None,
    *,
    n: int | None = None,
    draws: int = 100,
    days: float = 730,
    at: Sequence[float] | None = None,
    seed: int = 0,
    parameters: str | ParameterSet = "posterior",
    solver: SolverOptions | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    store: str | os.PathLike[str] | None = None,
    restart: bool = False,
    cluster: Any = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> CohortResult:
    """Simulate a course for a virtual population crossed with parameter draws.

    Parameters are those of :func:`plan_cohort`, and

    store
        A folder to stream chunks into (:class:`~dermasim.storage.ChunkStore`): a run
        killed at any moment, started again with the same inputs, resumes from the chunks
        already written, and gives the same result as an uninterrupted run.
    restart
        Discard a store written by a run with other inputs instead of refusing it.
    cluster
        None (serial), ``"local"`` (a Dask LocalCluster of ``workers`` processes), a
        scheduler address or a ``distributed.Client``.
    workers
        Processes of a local cluster.
    progress
        Called with ``(chunks done, chunks)`` after each chunk.

    Returns
    -------
    CohortResult
    """
    check_workers(workers)
    plan = plan_cohort(
        protocol,
        population,
        n=n,
        draws=draws,
        days=days,
        at=at,
        seed=seed,
        parameters=parameters,
        solver=solver,
        chunk_size=chunk_size,
    )
    return run_plan(
        plan, store=store, restart=restart, cluster=cluster, workers=workers, progress=progress
    )


def run_plan(
    plan: CohortPlan,
    *,
    store: str | os.PathLike[str] | None = None,
    restart: bool = False,
    cluster: Any = None,
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> CohortResult:
    """Run a fixed :class:`~dermasim.cohort.engine.CohortPlan` (see :func:`run_cohort`)."""
    check_workers(workers)
    chunks = plan.chunks()
    parts: dict[int, dict[str, np.ndarray]] = {}
    chunk_store = None
    if store is not None:
        chunk_store = ChunkStore(store, plan.fingerprint(), len(chunks), restart=restart)
        for index in sorted(chunk_store.done()):
            stored = chunk_store.read(index)  # None if unreadable: computed again below
            if stored is None:
                continue
            arrays = _chunk_arrays(stored, chunks[index], plan)
            expected = (chunks[index].stop - chunks[index].start, plan.n_draws, len(plan.times))
            if arrays["collagen_density"].shape != expected:
                chunk_store.discard(index)
                continue
            parts[index] = arrays
    todo = [c for c in chunks if c.index not in parts]
    logger.info(
        "cohort: %d patients x %d draws of %s over %g days in %d chunks (%d resumed from %s)",
        len(plan.population),
        plan.n_draws,
        plan.protocol,
        plan.days,
        len(chunks),
        len(parts),
        store if store is not None else "no store",
    )
    if progress is not None:
        progress(len(parts), len(chunks))

    def on_result(chunk: Chunk, arrays: dict[str, np.ndarray]) -> None:
        if chunk_store is not None:
            chunk_store.write(chunk.index, _chunk_dataset(arrays))
        parts[chunk.index] = arrays
        if progress is not None:
            progress(len(parts), len(chunks))

    if todo:
        with cluster_client(cluster, workers) as client:
            execute(todo, _compute, plan, client=client, on_result=on_result)
    dataset = assemble(plan, [(c, parts[c.index]) for c in chunks])
    return CohortResult(dataset)
