"""One entry point for integrating a batch through a course, whichever backend the options pick.

:func:`integrate_course` runs the compiled backend (:mod:`dermasim.solve.compiled`) or the
SciPy reference (:mod:`dermasim.solve.scipy_backend`) and returns the same
:class:`~dermasim.solve.compiled.SessionOutputs` from either: the states at the requested
times and the downtime after each session day, read from redness probes (compiled) or from
the dense samples after each session (SciPy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..model import REDNESS_COLUMNS, downtime_days, redness
from ..model.layout import resting_columns
from .compiled import Jump, SessionOutputs, integrate_sessions_compiled
from .options import SolverOptions
from .scipy_backend import integrate_sessions

__all__ = ["integrate_course"]


def integrate_course(
    rhs: Callable[..., Any],
    y0: np.ndarray,
    args: dict[str, Any],
    *,
    t_end: float,
    session_days: Sequence[float],
    jump: Jump,
    t_eval: Sequence[float] | np.ndarray,
    redness_threshold: np.ndarray,
    options: SolverOptions,
) -> SessionOutputs:
    """Integrate ``y0`` through the sessions with the backend ``options`` resolve to.

    Parameters are those of :func:`~dermasim.solve.compiled.integrate_sessions_compiled`;
    ``options`` carries the backend, tolerances and the downtime resolution
    (``dense_days``, ``dense_step_days``; ``dense_days = 0`` when downtime is not needed).
    """
    wanted = np.unique(np.asarray(t_eval, dtype=float))
    if options.resolved_backend() == "compiled":
        return integrate_sessions_compiled(
            rhs,
            y0,
            args,
            t_end=t_end,
            session_days=session_days,
            jump=jump,
            t_eval=wanted,
            redness_columns=REDNESS_COLUMNS,
            redness_threshold=redness_threshold,
            rtol=options.rtol,
            atol=options.atol,
            dense_days=options.dense_days,
            dense_step_days=options.dense_step_days,
            resting=resting_columns(),
        )
    traj = integrate_sessions(
        rhs,
        y0,
        args,
        t_end=t_end,
        session_days=session_days,
        jump=jump,
        t_eval=wanted,
        options=options,
    )
    days = np.asarray(sorted({float(d) for d in session_days if 0.0 <= d < t_end}), dtype=float)
    threshold = np.broadcast_to(
        np.asarray(redness_threshold, dtype=float).reshape(-1), (y0.shape[0],)
    )
    downtime = downtime_days(traj.times, redness(traj.states), days, threshold)
    return SessionOutputs(
        times=wanted,
        states=traj.at(wanted.tolist()),
        downtime=downtime,
        steps=np.zeros(y0.shape[0], dtype=np.int64),
    )
