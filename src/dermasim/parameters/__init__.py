"""Parameter records, priors and bundled parameter sets."""

from .parameter_set import ParameterSet, bundled_parameter_sets
from .priors import PRIOR_FAMILIES, Prior
from .record import EVIDENCE_GRADES, Parameter

__all__ = [
    "EVIDENCE_GRADES",
    "PRIOR_FAMILIES",
    "Parameter",
    "ParameterSet",
    "Prior",
    "bundled_parameter_sets",
]
