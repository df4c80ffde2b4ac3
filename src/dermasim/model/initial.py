"""Initial state: the patient at their own age on the untreated ageing trajectory."""

from __future__ import annotations

import numpy as np

from .ageing import age_slow_states
from .layout import LAYERS, N_STATES, global_index, layer_index

__all__ = ["initial_state"]


def initial_state(a: dict[str, np.ndarray]) -> np.ndarray:
    """State array ``(batch, N_STATES)`` before any treatment.

    Fast states rest (no injury, inflammation, depot or gel; fibroblasts quiescent at their
    resting density; epidermal thickness 1), and the slow matrix states are aged from the
    reference age to the patient's age by :func:`dermasim.model.ageing.age_slow_states`.
    Both dermal layers start from the same relative contents.
    """
    batch = a["age0"].shape[0]
    y = np.zeros((batch, N_STATES))
    slow = age_slow_states(a, a["age0"])
    for layer in LAYERS:
        y[:, layer_index("quiescent_fibroblasts", layer)] = 1.0
        for name, value in slow.items():
            y[:, layer_index(name, layer)] = value[:, 0]
    y[:, global_index("epidermal_thickness")] = 1.0
    return y
