"""dermasim: dermal collagen and elastin after regenerative aesthetic treatments.

A research and planning aid, not medical advice. Every prediction is a distribution over
parameter draws, reported as a median and a 5th-95th percentile interval.

Examples
--------
>>> import dermasim
>>> sol = dermasim.simulate("4 x microneedling 1.5 mm every 30 days", days=180, draws=20)
>>> sorted(sol.summary(at=[180]))[:2]
['collagen_III', 'collagen_I']
"""

import importlib
import logging
from typing import TYPE_CHECKING, Any

from ._version import version as __version__
from .errors import (
    ContraindicationError,
    DermasimError,
    ParameterError,
    PatientError,
    ProtocolError,
    SimulationError,
    SolverError,
)
from .geometry import SkinGeometry, skin_geometry
from .parameters import Parameter, ParameterSet
from .parameters.posterior import Posterior
from .patient import Patient
from .protocol import Course, Protocol, bundled_protocols
from .simulation import Simulation, simulate
from .solution import Solution
from .solve import SolverOptions

if TYPE_CHECKING:
    from . import plan
    from .calibration.validation import validate
    from .cohort import Cohort, Trial, paired_difference, run_cohort
    from .plan.compare import Comparison, compare_protocols

# Names whose modules load on first use, so that `import dermasim` (and a one-patient command
# line) does not pay for calibration, the cohort engine and comparison (about 0.15 s).
_LAZY = {
    "validate": ".calibration.validation",
    "Cohort": ".cohort",
    "Trial": ".cohort",
    "paired_difference": ".cohort",
    "run_cohort": ".cohort",
    "Comparison": ".plan.compare",
    "compare_protocols": ".plan.compare",
}


def __getattr__(name: str) -> Any:
    if name == "plan":  # the package, callable as dermasim.plan.plan
        return importlib.import_module(".plan", __name__)
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'dermasim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | {"plan"})


# A library logs, the application decides what to show: without this handler, Python's
# last-resort handler would print dermasim's warnings from the Python API.
logging.getLogger("dermasim").addHandler(logging.NullHandler())

__all__ = [
    "Cohort",
    "Comparison",
    "ContraindicationError",
    "Course",
    "DermasimError",
    "Parameter",
    "ParameterError",
    "ParameterSet",
    "Patient",
    "PatientError",
    "Posterior",
    "Protocol",
    "ProtocolError",
    "Simulation",
    "SimulationError",
    "SkinGeometry",
    "Solution",
    "SolverError",
    "SolverOptions",
    "Trial",
    "__version__",
    "bundled_protocols",
    "compare_protocols",
    "paired_difference",
    "plan",
    "run_cohort",
    "simulate",
    "skin_geometry",
    "validate",
]
