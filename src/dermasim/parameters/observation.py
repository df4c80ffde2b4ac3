"""Parameters of the observation models: instrument gains, offsets and the baseline grade.

They turn model states into what a study measured (:mod:`dermasim.calibration.observables`),
are fitted with the model parameters and carried in a posterior's draws, so they are
parameters like the others: records with unit, bounds, prior and source, read from
``data/calibration/observation_parameters.toml``.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

from .parameter_set import ParameterSet

__all__ = ["observation_parameters"]


@cache
def _observation_text() -> str:
    path = resources.files("dermasim") / "data" / "calibration" / "observation_parameters.toml"
    return path.read_text(encoding="utf-8")


def observation_parameters() -> ParameterSet:
    """Parameters of the observation models (gains, baseline grade), with priors."""
    return ParameterSet.from_toml_text(_observation_text(), name="observation")
