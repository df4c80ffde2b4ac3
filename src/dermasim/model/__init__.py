"""The dermal remodelling model: state layout, right-hand side, jumps and observations."""

from .arguments import model_arguments
from .initial import initial_state
from .layout import GLOBAL_STATES, LAYER_STATES, LAYERS, N_STATES, STATE_NAMES
from .observation import (
    ENDPOINT_UNITS,
    ENDPOINTS,
    REDNESS_COLUMNS,
    downtime_days,
    observe,
    redness,
)
from .rhs import rhs
from .treatments import apply_course_session, apply_day_sessions

__all__ = [
    "ENDPOINTS",
    "ENDPOINT_UNITS",
    "GLOBAL_STATES",
    "LAYERS",
    "LAYER_STATES",
    "N_STATES",
    "REDNESS_COLUMNS",
    "STATE_NAMES",
    "apply_course_session",
    "apply_day_sessions",
    "downtime_days",
    "initial_state",
    "model_arguments",
    "observe",
    "redness",
    "rhs",
]
