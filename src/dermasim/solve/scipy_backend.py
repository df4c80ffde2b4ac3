"""Batched integration between treatment sessions with :func:`scipy.integrate.solve_ivp`.

All draws (or virtual patients) of a batch are integrated as one flattened system, so every
right-hand-side call is a single vectorised evaluation over the batch. Session days are hard
breakpoints: the integrator stops there, the session's jumps are applied, and a fresh
integration starts, so no step straddles a discontinuity. The model has no stiff mode (the
growth-factor signal is quasi-steady), so an explicit Runge-Kutta pair is the default.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SolverError
from .options import SolverOptions, floor_round_off

__all__ = ["Trajectory", "integrate_sessions"]

Jump = Callable[[np.ndarray, float], np.ndarray]
Rhs = Callable[[float, np.ndarray, dict[str, Any]], np.ndarray]

_DEFAULT_OPTIONS = SolverOptions(backend="scipy")


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
    options: SolverOptions = _DEFAULT_OPTIONS,
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
    return Trajectory(
        times=np.concatenate(times) if times else np.empty(0),
        states=floor_round_off(traj, options.rtol, options.atol),
    )
