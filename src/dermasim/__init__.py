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

import logging

from ._version import version as __version__
from .calibration import Posterior, validate
from .cohort import Cohort, Trial, paired_difference, run_cohort
from .compare import Comparison, compare_protocols
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
from .patient import Patient
from .protocol import Course, Protocol, bundled_protocols
from .simulation import Simulation, simulate
from .solution import Solution
from .solve import SolverOptions

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
    "run_cohort",
    "simulate",
    "skin_geometry",
    "validate",
]
