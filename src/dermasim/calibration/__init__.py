"""Calibration against the published evidence, validation, and the posterior.

The pipeline is simulator + cost + sampler -> result:

    CalibrationProblem (evidence, scenarios, observation models, likelihood)
        --> calibrate() (emcee) --> CalibrationResult --> Posterior
        --> validate() --> ValidationResult --> write_report()

The bundled posterior is the default parameter choice of :func:`dermasim.simulate`.
"""

from ..parameters.posterior import Posterior, load_parameters
from .evidence import Endpoint, Evidence, Observable, Scenario, load_evidence_set
from .fit import CalibrationResult, calibrate
from .likelihood import DEFAULT_FIT, CalibrationProblem
from .report import write_report
from .validation import ValidationResult, validate

__all__ = [
    "DEFAULT_FIT",
    "CalibrationProblem",
    "CalibrationResult",
    "Endpoint",
    "Evidence",
    "Observable",
    "Posterior",
    "Scenario",
    "ValidationResult",
    "calibrate",
    "load_evidence_set",
    "load_parameters",
    "validate",
    "write_report",
]
