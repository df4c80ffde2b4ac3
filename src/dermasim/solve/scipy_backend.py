"""Batched integration between treatment sessions with :func:`scipy.integrate.solve_ivp`.

All draws (or virtual patients) of a batch are integrated as one flattened system, so every
right-hand-side call is a single vectorised evaluation over the batch. Session days are hard
breakpoints: the integrator stops there, the session's jumps are applied, and a fresh
integration starts, so no step straddles a discontinuity. The model has no stiff mode (the
growth-factor signal is quasi-steady), so an explicit Runge-Kutta pair is the default.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any

import numpy as np

from ..errors import SimulationError, SolverError, invalid_value

__all__ = ["SolverOptions", "Trajectory", "integrate_sessions"]

#: ``solve_ivp`` methods the backend accepts.
METHODS = ("RK45", "DOP853", "RK23", "LSODA", "BDF", "Radau")

Jump = Callable[[np.ndarray, float], np.ndarray]
Rhs = Callable[[float, np.ndarray, dict[str, Any]], np.ndarray]


@dataclass(frozen=True)
class SolverOptions:
    """Options of the SciPy backend.

    Attributes
    ----------
    method
        ``solve_ivp`` method (``"RK45"``, ``"DOP853"``, ``"LSODA"``, ...).
    rtol, atol
        Tolerances. States are O(1) fractions; ``atol`` also bounds the round-off below zero
        that is tolerated (and then set to zero) in decaying states.
    dense_days, dense_step_days
        After each session, sample every ``dense_step_days`` for ``dense_days`` days (used
        for downtime).
    """

    method: str = "RK45"
    rtol: float = 1e-5
    atol: float = 1e-8
    dense_days: float = 30.0
    dense_step_days: float = 0.1

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise SimulationError(
                invalid_value(
                    "solver.method", self.method, "one of " + ", ".join(METHODS), 'method = "RK45"'
                )
            )
        checks = (
            ("rtol", self.rtol, 1e-13, 1e-2, "rtol = 1e-5"),
            ("atol", self.atol, 1e-15, 1e-2, "atol = 1e-8"),
            ("dense_days", self.dense_days, 0.0, 3650.0, "dense_days = 30"),
            ("dense_step_days", self.dense_step_days, 1e-3, 10.0, "dense_step_days = 0.1"),
        )
        for name, value, low, high, example in checks:
            ok = isinstance(value, Real) and not isinstance(value, bool)
            if not ok or not math.isfinite(value) or not low <= value <= high:
                raise SimulationError(
                    invalid_value(f"solver.{name}", value, f"{low:g} to {high:g}", example)
                )


@dataclass(frozen=True)
class Trajectory:
    """States sampled at ``times``: ``states`` has shape ``(batch, time, n_states)``."""

    times: np.ndarray
    states: np.ndarray

    def at(self, t: Sequence[float]) -> np.ndarray:
        """States at sample times ``t`` (each must be one of :attr:`times`)."""
        idx = np.searchsorted(self.times, np.asarray(t, dtype=float))
        return self.states[:, idx, :]


def _sample_times(
    start: float,
    stop: float,
    wanted: np.ndarray,
    dense_from: float | None,
    options: SolverOptions,
    last: bool,
) -> np.ndarray:
    inside = wanted[(wanted >= start) & ((wanted <= stop) if last else (wanted < stop))]
    parts = [inside]
    if dense_from is not None:
        dense = dense_from + np.arange(0.0, options.dense_days + 1e-9, options.dense_step_days)
        parts.append(dense[(dense >= start) & (dense < stop)])
    return np.unique(np.concatenate(parts))


def integrate_sessions(
    rhs: Rhs,
    y0: np.ndarray,
    args: dict[str, Any],
    *,
    t_end: float,
    session_days: Sequence[float],
    jump: Jump,
    t_eval: Sequence[float] | np.ndarray,
    options: SolverOptions = SolverOptions(),
) -> Trajectory:
    """Integrate a batch through a course of sessions.

    Parameters
    ----------
    rhs
        ``rhs(t, y, args)`` over arrays ``(batch, n_states)``.
    y0
        Initial states ``(batch, n_states)`` at ``t = 0``.
    args
        Passed to ``rhs`` unchanged.
    t_end
        Horizon in days.
    session_days
        Days at which ``jump(y, day)`` is applied (duplicates allowed; applied once per
        distinct day, where ``jump`` handles every session of that day).
    jump
        Returns the state just after the sessions of a day.
    t_eval
        Output times in ``[0, t_end]``; a state at a session day is the state just after
        the session.
    options
        Solver options.

    Returns
    -------
    Trajectory
        Output times merged with the dense samples after each session, sorted.
    """
    from scipy.integrate import solve_ivp

    batch, n_states = y0.shape
    wanted = np.unique(np.asarray(t_eval, dtype=float))
    days = sorted({float(d) for d in session_days if 0.0 <= d < t_end})
    starts = [0.0, *[d for d in days if d > 0.0]]
    stops = [*starts[1:], float(t_end)]

    def fun(t: float, flat: np.ndarray) -> np.ndarray:
        return np.asarray(rhs(t, flat.reshape(batch, n_states), args)).ravel()

    y = np.array(y0, dtype=float)
    times: list[np.ndarray] = []
    states: list[np.ndarray] = []
    for k, (start, stop) in enumerate(zip(starts, stops, strict=True)):
        dense_from = None
        if start in days:
            y = jump(y, start)
            dense_from = start
        last = k == len(starts) - 1
        samples = _sample_times(start, stop, wanted, dense_from, options, last)
        if stop <= start:
            continue
        grid = np.union1d(samples, [stop])
        sol = solve_ivp(
            fun,
            (start, stop),
            y.ravel(),
            method=options.method,
            t_eval=grid,
            rtol=options.rtol,
            atol=options.atol,
        )
        if sol.status != 0:
            raise SolverError(
                f"integration failed between day {start:g} and day {stop:g}: {sol.message}"
            )
        out = sol.y.T.reshape(grid.size, batch, n_states).transpose(1, 0, 2)
        keep = np.isin(grid, samples)
        if keep.any():
            times.append(grid[keep])
            states.append(out[:, keep, :])
        y = out[:, -1, :]
    traj = np.concatenate(states, axis=1) if states else np.empty((batch, 0, n_states))
    # Decaying states may undershoot zero by the local error of the integrator; that
    # round-off (within tolerance of each state's own scale) is set to zero, anything
    # larger is an error, never clipped silently.
    scale = np.abs(traj).max(axis=1, keepdims=True) if traj.size else traj
    floor = -10.0 * (options.rtol * scale + options.atol)
    if traj.size and (traj < floor).any():
        raise SolverError(
            f"a state fell to {traj.min():.3g} < 0 beyond the solver tolerance; "
            "tighten rtol/atol (for example rtol=1e-8)"
        )
    return Trajectory(
        times=np.concatenate(times) if times else np.empty(0), states=np.maximum(traj, 0.0)
    )
