"""Solver options shared by the backends, and the one rule for round-off below zero."""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Real

import numpy as np

from ..errors import SimulationError, SolverError, invalid_value
from . import compiled

__all__ = ["BACKENDS", "METHODS", "SolverOptions", "floor_round_off"]

#: Backends :class:`SolverOptions` accepts.
BACKENDS = ("auto", "compiled", "scipy")

#: ``solve_ivp`` methods the backend accepts.
METHODS = ("RK45", "DOP853", "RK23", "LSODA", "BDF", "Radau")


@dataclass(frozen=True)
class SolverOptions:
    """Options of the integration backends.

    Attributes
    ----------
    backend
        ``"compiled"`` (:mod:`dermasim.solve.compiled`: Numba, each trajectory its own
        steps, only requested outputs kept), ``"scipy"`` (the reference,
        :mod:`dermasim.solve.scipy_backend`) or ``"auto"`` (the default: compiled where Numba
        is installed and ``method`` is ``"RK45"``, else SciPy).
    method
        ``solve_ivp`` method (``"RK45"``, ``"DOP853"``, ``"LSODA"``, ...); the compiled
        backend is the same Dormand-Prince pair as ``"RK45"`` and takes no other.
    rtol, atol
        Tolerances. States are O(1) fractions; ``atol`` also bounds the round-off below zero
        that is tolerated (and then set to zero) in decaying states.
    dense_days, dense_step_days
        After each session, sample every ``dense_step_days`` for ``dense_days`` days (used
        for downtime).
    """

    backend: str = "auto"
    method: str = "RK45"
    rtol: float = 1e-5
    atol: float = 1e-8
    dense_days: float = 30.0
    dense_step_days: float = 0.1

    def __post_init__(self) -> None:
        if self.backend not in BACKENDS:
            raise SimulationError(
                invalid_value(
                    "solver.backend",
                    self.backend,
                    "one of " + ", ".join(BACKENDS),
                    'backend = "auto"',
                )
            )
        if self.backend == "compiled" and self.method != "RK45":
            raise SimulationError(
                invalid_value(
                    "solver.method",
                    self.method,
                    "RK45 with backend = 'compiled' (other methods need backend = 'scipy')",
                    'method = "RK45"',
                )
            )
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

    def resolved_backend(self) -> str:
        """``"compiled"`` or ``"scipy"``: what ``"auto"`` means on this machine."""
        if self.backend != "auto":
            return self.backend
        return "compiled" if self.method == "RK45" and compiled.compiled_available() else "scipy"


def floor_round_off(
    states: np.ndarray, rtol: float, atol: float, *, in_place: bool = False
) -> np.ndarray:
    """Set round-off below zero to zero; refuse anything larger.

    Decaying states may undershoot zero by the local error of the integrator. Within
    ``10 (rtol * scale + atol)`` of zero, with ``scale`` each state's largest magnitude over
    the samples of its trajectory, that is round-off and becomes 0; anything below is an
    error, never clipped silently.

    Parameters
    ----------
    states
        ``(batch, time, n_states)``.
    rtol, atol
        The tolerances the states were integrated with.
    in_place
        Floor ``states`` itself (a solver's own output) instead of a copy.
    """
    if not states.size:
        return states
    low = states.min(axis=1)  # (batch, n_states)
    rows, columns = np.nonzero(low < 0.0)
    if not rows.size:
        return states
    # the largest magnitude, read only for the (trajectory, state) pairs that went negative
    scale = np.maximum(states[rows, :, columns].max(axis=1), -low[rows, columns])
    lowest = low[rows, columns]
    if (lowest < -10.0 * (rtol * scale + atol)).any():
        raise SolverError(
            f"a state fell to {lowest.min():.3g} < 0 beyond the solver tolerance; "
            "tighten rtol/atol (for example rtol=1e-8)"
        )
    out = states if in_place else states.copy()
    return np.maximum(out, 0.0, out=out)
