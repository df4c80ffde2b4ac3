"""The cohort engine: every (virtual patient, parameter draw) pair of one course, in chunks.

A run is fixed before anything is integrated: the patients, their between-patient deviates
and the parameter draws are drawn up front from one seed, and the rows (patient-major:
``row = patient * draws + draw``) are cut into chunks of whole patients holding at least
``chunk_size`` trajectories. Each chunk is a pure function of that plan, so a chunk computes
the same numbers, bit for bit, serially, on a Dask worker, or after a resume. The chunk size
is part of the plan (and of its fingerprint): the compiled solver gives a trajectory the same
steps in any batch, but NumPy's vectorised ``exp`` and powers in the model arguments and the
observation may round the last bit by an element's place in an array, so another chunk size
agrees to round-off (1e-12), not bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .._version import version
from ..contraindications import check_courses
from ..errors import ContraindicationError, invalid_value
from ..model import ENDPOINTS
from ..parameters import ParameterSet
from ..protocol import Protocol
from ..simulation import integrate_batch
from ..solve import SolverOptions
from .population import CohortError, VirtualPopulation, individual_parameters

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["DEFAULT_CHUNK_SIZE", "Chunk", "CohortPlan", "run_chunk"]

#: Trajectories per chunk by default: a Dask task costs about a millisecond, a chunk of 10^3
#: trajectories about 0.1 s on one core.
DEFAULT_CHUNK_SIZE = 1000
MAX_TRAJECTORIES = 10_000_000


@dataclass(frozen=True)
class Chunk:
    """Patients ``[start, stop)`` of a plan, with every draw."""

    index: int
    start: int
    stop: int


@dataclass(frozen=True)
class CohortPlan:
    """Everything a cohort run computes, fixed up front.

    Attributes
    ----------
    protocol
        The course every patient receives.
    population
        The virtual patients (variability).
    draws
        Parameter draws by name, ``(n_draws,)`` each (uncertainty).
    parameters
        The parameter set the draws come from (records and provenance).
    days
        Horizon in days.
    at
        Output days (the horizon is always kept).
    solver
        Solver options.
    chunk_size
        Least number of trajectories per chunk.
    seed
        The seed the population and draws were drawn with (provenance).
    """

    protocol: Protocol
    population: VirtualPopulation
    draws: dict[str, np.ndarray]
    parameters: ParameterSet
    days: float
    at: np.ndarray
    solver: SolverOptions = field(default_factory=SolverOptions)
    chunk_size: int = DEFAULT_CHUNK_SIZE
    seed: int = 0

    def __post_init__(self) -> None:
        for i, patient in enumerate(self.population.patients):
            try:
                check_courses(patient, self.protocol.courses)
            except ContraindicationError as exc:
                raise CohortError(f"patient {i}: {exc}") from None
        total = len(self.population) * self.n_draws
        if total > MAX_TRAJECTORIES:
            raise CohortError(
                invalid_value(
                    "patients x draws",
                    total,
                    f"at most {MAX_TRAJECTORIES} trajectories per run",
                    "n = 1000, draws = 100",
                )
            )

    @property
    def n_draws(self) -> int:
        return int(next(iter(self.draws.values())).shape[0])

    @property
    def times(self) -> np.ndarray:
        """Output days: day 0, the ``at`` days and the horizon."""
        return np.union1d(np.union1d([0.0], self.at), [self.days])

    @property
    def session_days(self) -> np.ndarray:
        days = {float(s.day) for s in self.protocol.sessions() if s.day < self.days}
        return np.asarray(sorted(days), dtype=float)

    def chunks(self) -> list[Chunk]:
        """Chunks of whole patients, each with at least ``chunk_size`` trajectories (the last
        one may hold fewer)."""
        per = max(1, math.ceil(self.chunk_size / self.n_draws))
        n = len(self.population)
        return [Chunk(k, start, min(start + per, n)) for k, start in enumerate(range(0, n, per))]

    def fingerprint(self) -> str:
        """A hash of every input: a store written for another plan is never resumed."""
        h = hashlib.sha256()
        h.update(json.dumps(self.describe(), sort_keys=True).encode())
        for name in sorted(self.draws):
            h.update(name.encode())
            h.update(np.ascontiguousarray(self.draws[name], dtype=float).tobytes())
        for patient in self.population.patients:
            h.update(json.dumps(patient.to_dict(), sort_keys=True).encode())
        for name in sorted(self.population.deviates):
            h.update(np.ascontiguousarray(self.population.deviates[name]).tobytes())
        h.update(json.dumps(dict(self.population.spread), sort_keys=True).encode())
        return h.hexdigest()

    def describe(self) -> dict[str, Any]:
        """Plain-data provenance of the plan."""
        return {
            "dermasim_version": version,
            "protocol": str(self.protocol),
            "protocol_name": self.protocol.name,
            "patients": len(self.population),
            "draws": self.n_draws,
            "parameters": f"{self.parameters.name} ({self.parameters.kind})",
            "days": self.days,
            "times": [float(t) for t in self.times],
            "solver": {
                "backend": self.solver.resolved_backend(),
                "rtol": self.solver.rtol,
                "atol": self.solver.atol,
            },
            "chunk_size": self.chunk_size,
            "seed": self.seed,
            "variability": dict(self.population.spread),
        }


def run_chunk(plan: CohortPlan, chunk: Chunk) -> dict[str, np.ndarray]:
    """Integrate one chunk: endpoints ``(patient, draw, time)`` and downtime
    ``(patient, draw, session)`` of patients ``chunk.start`` to ``chunk.stop``."""
    d = plan.n_draws
    patients = np.repeat(np.arange(chunk.start, chunk.stop), d)
    draw_index = np.tile(np.arange(d), chunk.stop - chunk.start)
    p = individual_parameters(plan.draws, plan.population, plan.parameters, patients, draw_index)
    people = [plan.population.patients[i] for i in patients]
    run = integrate_batch(
        plan.protocol,
        people,
        p,
        days=plan.days,
        extra=plan.at,
        daily=False,
        solver=plan.solver,
    )
    shape = (chunk.stop - chunk.start, d)
    out = {name: v.reshape(*shape, -1) for name, v in run.endpoints().items()}
    out["downtime_days"] = run.downtime.reshape(*shape, -1)
    return out


def assemble(plan: CohortPlan, parts: Sequence[tuple[Chunk, dict[str, np.ndarray]]]) -> xr.Dataset:
    """One dataset from the chunks' arrays (in patient order)."""
    import xarray as xr

    parts = sorted(parts, key=lambda item: item[0].start)
    names = [k for k in parts[0][1] if k != "downtime_days"]
    data_vars: dict[str, Any] = {}
    for name in names:
        unit, description = ENDPOINTS[name]
        values = np.concatenate([arrays[name] for _, arrays in parts], axis=0)
        data_vars[name] = xr.Variable(
            ("patient", "draw", "time"), values, {"units": unit, "description": description}
        )
    downtime = np.concatenate([arrays["downtime_days"] for _, arrays in parts], axis=0)
    data_vars["downtime_days"] = xr.Variable(
        ("patient", "draw", "session"),
        downtime,
        {"units": "day", "description": "days of visible redness or swelling after a session"},
    )
    covariates = plan.population.covariates()
    coords: dict[str, Any] = {
        "patient": np.arange(len(plan.population)),
        "draw": np.arange(plan.n_draws),
        "time": ("time", plan.times, {"units": "day"}),
        "session_day": ("session", plan.session_days, {"units": "day"}),
    }
    for key, values in covariates.items():
        coords[key] = ("patient", values if key != "smoker" else values.astype(np.int8))
    attrs = {
        k: json.dumps(v) if isinstance(v, dict | list) else v for k, v in plan.describe().items()
    }
    attrs.update(
        title="dermasim cohort",
        citations=", ".join(plan.parameters.sources()),
        disclaimer="research and planning aid, not medical advice",
        axes="patient: between-patient variability; draw: parameter uncertainty",
    )
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)
