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

from ._version import version as __version__
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

__all__ = [
    "Comparison",
    "ContraindicationError",
    "Course",
    "DermasimError",
    "Parameter",
    "ParameterError",
    "ParameterSet",
    "Patient",
    "PatientError",
    "Protocol",
    "ProtocolError",
    "Simulation",
    "SimulationError",
    "SkinGeometry",
    "Solution",
    "SolverError",
    "SolverOptions",
    "__version__",
    "bundled_protocols",
    "compare_protocols",
    "simulate",
    "skin_geometry",
]
