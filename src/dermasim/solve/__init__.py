"""Numerical integration backends: the SciPy reference and the compiled batched backend."""

from .compiled import SessionOutputs, compiled_available, integrate_sessions_compiled
from .course import integrate_course
from .options import BACKENDS, SolverOptions, floor_round_off
from .scipy_backend import Trajectory, integrate_sessions

__all__ = [
    "BACKENDS",
    "SessionOutputs",
    "SolverOptions",
    "Trajectory",
    "compiled_available",
    "floor_round_off",
    "integrate_course",
    "integrate_sessions",
    "integrate_sessions_compiled",
]
