"""Parameter records, priors, bundled parameter sets, observation parameters and posteriors."""

from .observation import observation_parameters
from .parameter_set import ParameterSet, bundled_parameter_sets
from .posterior import DEFAULT_POSTERIOR, Posterior, load_parameters
from .priors import PRIOR_FAMILIES, Prior
from .record import EVIDENCE_GRADES, Parameter

__all__ = [
    "DEFAULT_POSTERIOR",
    "EVIDENCE_GRADES",
    "PRIOR_FAMILIES",
    "Parameter",
    "ParameterSet",
    "Posterior",
    "Prior",
    "bundled_parameter_sets",
    "load_parameters",
    "observation_parameters",
]
