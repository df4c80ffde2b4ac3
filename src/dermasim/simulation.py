"""Simulation: a patient, a protocol, a parameter set and a solver, run into a Solution.

The pipeline is one line::

    dermasim.simulate("4 x microneedling 1.5 mm every 30 days", days=730, draws=200, seed=0)

``draws`` joint parameter draws (from the bundled calibrated posterior by default, or from the
priors) are integrated together as one batch; the Solution holds every draw, so every
prediction is a distribution.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Integral, Real
from typing import TYPE_CHECKING, Any

import numpy as np

from .contraindications import check_courses
from .errors import SimulationError, invalid_value
from .model import (
    STATE_NAMES,
    apply_day_sessions,
    initial_state,
    model_arguments,
    observe,
    rhs,
)
from .model.layout import STATE_UNITS
from .model.topical import product_warnings
from .parameters import ParameterSet, load_parameters
from .patient import Patient
from .protocol import Protocol
from .solution import Solution
from .solve import SolverOptions, floor_round_off, integrate_course

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "MAX_DAYS",
    "MAX_DRAWS",
    "MAX_DRAWS_AT",
    "BatchRun",
    "Simulation",
    "integrate_batch",
    "simulate",
]

logger = logging.getLogger("dermasim")
#: One INFO line per run (a child of ``dermasim``, so that a caller running many can mute it).
run_logger = logging.getLogger("dermasim.simulation")

MAX_DAYS = 3650
MAX_DRAWS = 10_000  # with the daily grid: every state is kept on it
MAX_DRAWS_AT = 1_000_000  # with ``daily=False``: memory is O(draws x len(at))


def _check_days(days: Any) -> float:
    if (
        isinstance(days, bool)
        or not isinstance(days, Real)
        or not math.isfinite(days)
        or not (1 <= float(days) <= MAX_DAYS)
    ):
        raise SimulationError(invalid_value("days", days, f"1 to {MAX_DAYS} days", "days = 730"))
    return float(days)


def _check_draws(draws: Any, limit: int = MAX_DRAWS) -> int:
    if isinstance(draws, bool) or not isinstance(draws, Integral) or not 1 <= int(draws) <= limit:
        more = "" if limit > MAX_DRAWS else f" ({MAX_DRAWS_AT} with daily=False)"
        raise SimulationError(
            invalid_value("draws", draws, f"an integer from 1 to {limit}{more}", "draws = 200")
        )
    return int(draws)


#: Fewer draws than this give a warning: the 5th and 95th percentiles then rest on the two or
#: three most extreme draws.
MIN_RELIABLE_DRAWS = 50


def warn_if_few_draws(draws: int) -> None:
    """Log a warning when ``draws`` is too few for the reported percentiles."""
    if draws < MIN_RELIABLE_DRAWS:
        logger.warning(
            "%d draws: the 5th and 95th percentiles rest on the few most extreme draws and are "
            "unreliable below %d (the default is 200)",
            draws,
            MIN_RELIABLE_DRAWS,
        )


def _check_seed(seed: Any) -> int:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise SimulationError(invalid_value("seed", seed, "a non-negative integer", "seed = 0"))
    return int(seed)


def _check_at(at: Sequence[float] | float | None, days: float) -> np.ndarray:
    if at is None:
        return np.empty(0)
    if isinstance(at, Real) or not isinstance(at, Sequence | np.ndarray):
        at = [at]  # type: ignore[list-item]
    values: list[float] = []
    for t in at:
        if (
            isinstance(t, bool)
            or not isinstance(t, Real)
            or not math.isfinite(t)
            or not (0 <= t <= days)
        ):
            raise SimulationError(
                invalid_value(
                    "at", t, f"days from 0 to {days:g} (the horizon)", "at = [0, 90, 180]"
                )
            )
        values.append(float(t))
    return np.unique(np.asarray(values))


def _as_patient(patient: Patient | Mapping[str, Any] | str | os.PathLike[str] | None) -> Patient:
    if patient is None:
        return Patient()
    if isinstance(patient, Patient):
        return patient
    if isinstance(patient, Mapping):
        return Patient.from_dict(patient)
    return Patient.from_toml(patient)


def _as_protocol(protocol: Protocol | str | os.PathLike[str]) -> Protocol:
    if isinstance(protocol, Protocol):
        return protocol
    return Protocol.load(protocol)


def _default_parameters() -> ParameterSet:
    return load_parameters("posterior")


@dataclass(frozen=True)
class BatchRun:
    """States of one batch of trajectories on its output grid.

    Attributes
    ----------
    times
        The output grid (days): daily or only day 0, the ``extra`` days and the horizon.
    states
        ``(trajectory, time, state)`` on ``times``.
    downtime
        ``(trajectory, session day)``, days of redness after each session day.
    y0
        Pre-treatment states ``(trajectory, state)``.
    args
        The model arguments of every trajectory.
    draws
        The parameter values of every trajectory.
    session_days
        Days with at least one session inside the horizon.
    """

    times: np.ndarray
    states: np.ndarray
    downtime: np.ndarray
    y0: np.ndarray
    args: dict[str, np.ndarray]
    draws: dict[str, np.ndarray]
    session_days: np.ndarray

    def endpoints(self) -> dict[str, np.ndarray]:
        """Endpoint name -> ``(trajectory, time)``."""
        return observe(self.states, self.y0, self.args)


def integrate_batch(
    protocol: Protocol,
    patients: Patient | Sequence[Patient],
    p: Mapping[str, np.ndarray],
    *,
    days: float,
    extra: np.ndarray | None = None,
    daily: bool = True,
    solver: SolverOptions | None = None,
) -> BatchRun:
    """Integrate one batch of trajectories: parameter values and a patient per row.

    The engine under :class:`Simulation` and :mod:`dermasim.cohort`: ``p`` holds one value
    per trajectory of every model parameter, ``patients`` is one patient for all rows or one
    per row (a virtual population), and the inputs are taken as already checked.

    Parameters
    ----------
    protocol
        The course every row receives.
    patients
        One patient, or one per row.
    p
        Parameter values by name, each of shape ``(rows,)``.
    days
        Horizon in days.
    extra
        Output days besides day 0 and the horizon (and the daily grid with ``daily``).
    daily
        Keep the daily grid.
    solver
        Solver options (the default :class:`SolverOptions` if None).
    """
    options = solver or SolverOptions()
    extra = np.empty(0) if extra is None else np.asarray(extra, dtype=float)
    a = model_arguments(p, patients)
    y0 = initial_state(a)
    sessions = [s for s in protocol.sessions() if s.day < days]
    skipped = len(protocol.sessions()) - len(sessions)
    if skipped:
        logger.warning(
            "%d session(s) fall after the %g-day horizon and are not simulated", skipped, days
        )
    for course in protocol.courses:
        if course.product is not None:
            for warning in product_warnings(course.product):
                logger.warning("%s", warning)
    by_day: dict[float, list[Any]] = {}
    for s in sessions:
        by_day.setdefault(float(s.day), []).append(s.course)

    def jump(y: np.ndarray, day: float) -> np.ndarray:
        return apply_day_sessions(y, by_day.get(day, []), a)

    days_grid = np.arange(0.0, np.floor(days) + 1.0) if daily else np.array([0.0])
    grid = np.union1d(np.union1d(days_grid, extra), [days])
    session_days = np.asarray(sorted(by_day), dtype=float)
    outputs = integrate_course(
        rhs,
        y0,
        a,
        t_end=days,
        session_days=list(by_day),
        jump=jump,
        t_eval=grid,
        redness_threshold=p["redness_threshold"],
        options=options,
    )
    states = floor_round_off(outputs.states, options.rtol, options.atol, in_place=True)
    downtime = outputs.downtime
    return BatchRun(
        times=grid,
        states=states,
        downtime=downtime,
        y0=y0,
        args=a,
        draws=dict(p),
        session_days=session_days,
    )


@dataclass(frozen=True)
class Simulation:
    """A configured simulation, ready to run.

    Parameters
    ----------
    protocol
        The treatment course.
    patient
        Who and where; the default patient is female, 45, cheek, Fitzpatrick III, moderate
        UV, non-smoker.
    parameters
        The parameters whose draws are simulated: the bundled posterior by default
        (:class:`~dermasim.parameters.Posterior`), or a prior :class:`ParameterSet`.
    solver
        Solver options: the compiled backend where Numba is installed, else SciPy.
    """

    protocol: Protocol
    patient: Patient = field(default_factory=Patient)
    parameters: ParameterSet = field(default_factory=_default_parameters)
    solver: SolverOptions = field(default_factory=SolverOptions)

    def __post_init__(self) -> None:
        check_courses(self.patient, self.protocol.courses)

    def _draws(self, draws: int, seed: int, point: bool) -> dict[str, np.ndarray]:
        if point:
            return self.parameters.point(draws)
        return self.parameters.sample(draws, np.random.default_rng(seed))

    def _integrate(
        self,
        days: float,
        p: Mapping[str, np.ndarray],
        extra: np.ndarray,
        daily: bool = True,
    ) -> BatchRun:
        return integrate_batch(
            self.protocol, self.patient, p, days=days, extra=extra, daily=daily, solver=self.solver
        )

    def states(
        self, *, days: float = 730, draws: int = 200, seed: int = 0, point: bool = False
    ) -> xr.DataArray:
        """Raw model states on the daily grid, dims ``(draw, time, state)``.

        For inspection and testing; the endpoints of :meth:`run` are what studies measure.
        """
        import xarray as xr

        p = self._draws(_check_draws(draws), _check_seed(seed), point)
        run = self._integrate(_check_days(days), p, np.empty(0))
        return xr.DataArray(
            run.states,
            dims=("draw", "time", "state"),
            coords={"time": run.times, "state": list(STATE_NAMES)},
            attrs={"units": json.dumps(STATE_UNITS)},
        )

    def run(
        self,
        *,
        days: float = 730,
        draws: int = 200,
        seed: int = 0,
        at: Sequence[float] | None = None,
        point: bool = False,
        daily: bool = True,
    ) -> Solution:
        """Integrate ``draws`` parameter draws over ``days`` days.

        Parameters
        ----------
        days
            Horizon in days (1 to 3650).
        draws
            Number of joint parameter draws.
        seed
            Seed of the NumPy generator that draws the parameters.
        at
            Extra output days (0 to ``days``) besides the daily grid.
        point
            Use the point values of the parameters (every draw identical) instead of samples.
        daily
            Keep every endpoint on the daily grid (the default, for curves and figures). With
            ``False`` only day 0, the ``at`` days and the horizon are kept, so memory is
            ``O(draws x len(at))`` and up to 10^6 draws fit. Downtime is read from redness
            probes every ``solver.dense_step_days`` for ``solver.dense_days`` after each
            session and at every kept day: the same either way unless redness lasts beyond
            ``dense_days`` (30 by default), where the daily grid resolves it more finely.
        """
        if not isinstance(daily, bool):
            raise SimulationError(invalid_value("daily", daily, "True or False", "daily = False"))
        days = _check_days(days)
        draws = _check_draws(draws, MAX_DRAWS if daily else MAX_DRAWS_AT)
        seed = _check_seed(seed)
        started = time.perf_counter()
        p = self._draws(draws, seed, point)
        run = self._integrate(days, p, _check_at(at, days), daily)
        run_logger.info(
            "simulated %s for %s: %d draws of %s over %g days (seed %d) in %.2f s",
            self.protocol,
            self.patient.describe(),
            draws,
            self.parameters.name + (" point values" if point else ""),
            days,
            seed,
            time.perf_counter() - started,
        )
        endpoints = run.endpoints()
        if not self.patient.acne_scars:  # reported only for a patient with scars
            endpoints.pop("scar_grade", None)
        return Solution.from_arrays(
            times=run.times,
            endpoints=endpoints,
            downtime=run.downtime,
            session_days=run.session_days,
            patient=self.patient,
            protocol=self.protocol,
            parameters=self.parameters,
            seed=seed,
            point=point,
            parameter_values=p,
        )


def simulate(
    protocol: Protocol | str | os.PathLike[str],
    patient: Patient | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    days: float = 730,
    draws: int = 200,
    seed: int = 0,
    at: Sequence[float] | None = None,
    parameters: str | ParameterSet = "posterior",
    solver: SolverOptions | None = None,
) -> Solution:
    """Simulate a patient's skin through a treatment course.

    Parameters
    ----------
    protocol
        A :class:`~dermasim.protocol.Protocol`, a compact string
        (``"4 x microneedling 1.5 mm every 30 days"``), a bundled protocol name
        (``"pn-standard"``) or the path of a protocol TOML file.
    patient
        A :class:`~dermasim.patient.Patient`, a mapping of its fields, the path of a patient
        TOML file, or None for the default patient.
    days
        Horizon in days.
    draws
        Number of parameter draws.
    seed
        Seed for the draws; identical inputs and seed give bit-identical results.
    at
        Extra output days besides the daily grid.
    parameters
        ``"posterior"`` (the bundled calibrated posterior, the default), ``"prior"`` (the
        uncalibrated priors), the path of a posterior ``.npz`` written by
        ``dermasim calibrate``, or a :class:`~dermasim.parameters.ParameterSet`.
    solver
        Solver options.

    Returns
    -------
    Solution
        Endpoints by time and draw, downtime by session and draw, with provenance.

    Examples
    --------
    >>> sol = simulate("4 x microneedling 1.5 mm every 30 days", days=180, draws=20)
    >>> sol.summary(at=[180])["collagen_density"]["unit"]
    '%'
    """
    ps = load_parameters(parameters)
    if isinstance(draws, int) and not isinstance(draws, bool):
        warn_if_few_draws(draws)
    sim = Simulation(
        protocol=_as_protocol(protocol),
        patient=_as_patient(patient),
        parameters=ps,
        solver=solver or SolverOptions(),
    )
    return sim.run(days=days, draws=draws, seed=seed, at=at)
