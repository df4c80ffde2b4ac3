"""Numerical integration backends."""

from .scipy_backend import SolverOptions, Trajectory, integrate_sessions

__all__ = ["SolverOptions", "Trajectory", "integrate_sessions"]
