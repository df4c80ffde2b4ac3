r"""Treatment sessions as jumps of the state.

Sessions are hard breakpoints: the solver stops at each session day, the jump is applied,
and integration restarts.

Microneedling
    The micro-channel reaches ``d_ch = \chi\, d_\mathrm{needle}`` (``\chi``: channel depth as a
    fraction of needle length, 0.20 with a metal roller in rat skin, 0.77 with a hydrogel
    array in human skin; rows MC-1, MC-2). Each layer ``l`` with top ``z_l`` and bottom
    ``z_{l+1}`` is injured in proportion to the part of it the channels reach:
    ``f_l = c\, \mathrm{clip}((\min(d_ch, z_{l+1}) - z_l) / (z_{l+1} - z_l), 0, 1)``
    with needle coverage ``c`` (assumed), and likewise the epidermis. Needles shallower than
    the epidermis therefore barely injure the dermis. New channels fall at random on skin
    that may still be injured, so the injured fraction grows as a union,
    ``I_l \leftarrow I_l + f_l (1 - I_l)``, and stays a fraction however many sessions share
    a day (as do the injection injuries below).
Polynucleotide
    The dose ``V c`` (mg) spread over the treated area enters the depot ``P`` of the layer
    that holds the injection depth (mg/cm2). The injection blebs leave visible swelling and
    redness, carried by the epidermal injury; the dermal volume of a fine needle track is
    negligible next to a needling session's, so no dermal injury (no inflammatory spike).
Hyaluronic-acid filler
    The gel volume per area enters ``H`` (mL/cm2) for a gel placed in the dermis, or ``H_s``
    for one placed below it (``plane = "subdermal"``); the injection's swelling and redness
    are carried by the epidermal injury, as for polynucleotides.
Topical product
    The amount of active delivered over the first day (:mod:`dermasim.model.topical`),
    through the channels of a microneedling session on the same day (its needle length) or
    through intact skin, enters the topical depot ``T`` of the layer holding the channels'
    tips (the papillary layer on intact skin) when the active's action is ``growth_signal``.
    Sessions of one day are applied together (:func:`apply_day_sessions`), so a product
    finds the channels of that day's needling whichever course is listed first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..protocol import Course
from .layout import LAYERS, global_index, layer_index
from .topical import topical_delivery_ng_per_cm2

__all__ = ["apply_course_session", "apply_day_sessions", "layer_overlap"]


def layer_overlap(depth_mm: Any, top_mm: Any, bottom_mm: Any) -> Any:
    """Fraction of the layer ``[top, bottom]`` lying above ``depth_mm``."""
    reach = np.minimum(depth_mm, bottom_mm) - top_mm
    return np.clip(reach / (bottom_mm - top_mm), 0.0, 1.0)


def _in_papillary(depth_mm: Any, a: dict[str, np.ndarray]) -> np.ndarray:
    """Per draw: whether ``depth_mm`` lies in the papillary layer (else the reticular)."""
    return np.asarray(depth_mm <= a["papillary_bottom_mm"][:, 0])


def _injure(out: np.ndarray, column: int, fraction: Any) -> None:
    """Add a newly injured ``fraction`` of a layer to its injured fraction, as a union."""
    out[:, column] += fraction * (1.0 - out[:, column])


def _add_to_layer(out: np.ndarray, state: str, amount: Any, papillary: np.ndarray) -> None:
    out[:, layer_index(state, "papillary")] += np.where(papillary, amount, 0.0)
    out[:, layer_index(state, "reticular")] += np.where(papillary, 0.0, amount)


def apply_day_sessions(
    y: np.ndarray, courses: Sequence[Course], a: dict[str, np.ndarray]
) -> np.ndarray:
    """Return the state just after all sessions of one day (``y`` is not modified).

    A topical session meets the channels of the day's deepest microneedling session.
    """
    needles = [c.depth_mm for c in courses if c.treatment == "microneedling" and c.depth_mm]
    needle_mm = max(needles) if needles else None
    for course in courses:
        y = apply_course_session(y, course, a, needle_mm=needle_mm)
    return y


def apply_course_session(
    y: np.ndarray,
    course: Course,
    a: dict[str, np.ndarray],
    *,
    needle_mm: float | None = None,
) -> np.ndarray:
    """Return the state just after one session of ``course`` (``y`` is not modified).

    The layer geometry is read from the model arguments, row by row
    (:data:`dermasim.model.arguments.GEOMETRY_ARGUMENTS`), so each draw may be a different
    patient. ``needle_mm`` is the needle length of a microneedling session on the same day,
    which a topical session's product passes through; ``None`` for intact skin.
    """
    out = np.array(y, dtype=float, copy=True)
    ie = global_index("epidermal_injury")
    epi_top = a["epidermis_top_mm"][:, 0]
    epi_bottom = a["epidermis_bottom_mm"][:, 0]
    if course.treatment == "microneedling":
        assert course.depth_mm is not None
        channel = a["channel_depth_fraction"][:, 0] * course.depth_mm
        cover = a["needle_coverage"][:, 0]
        _injure(out, ie, cover * layer_overlap(channel, epi_top, epi_bottom))
        for layer in LAYERS:
            top, bottom = a[f"{layer}_top_mm"][:, 0], a[f"{layer}_bottom_mm"][:, 0]
            _injure(out, layer_index("injury", layer), cover * layer_overlap(channel, top, bottom))
    elif course.treatment == "polynucleotide":
        assert course.depth_mm is not None and course.area_cm2 is not None
        assert course.dose_mg is not None
        dose = course.dose_mg / course.area_cm2
        _add_to_layer(out, "pn_depot", dose, _in_papillary(course.depth_mm, a))
        _injure(out, ie, a["pn_injection_injury"][:, 0])
    elif course.treatment == "hyaluronic_filler":
        assert course.volume_ml is not None and course.area_cm2 is not None
        state = "filler_gel_subdermal" if course.plane == "subdermal" else "filler_gel"
        out[:, global_index(state)] += course.volume_ml / course.area_cm2
        _injure(out, ie, a["filler_injection_injury"][:, 0])
    elif course.treatment == "topical":
        assert course.product is not None
        if course.product.action == "growth_signal":
            amount, depth = topical_delivery_ng_per_cm2(course, needle_mm, a)
            _add_to_layer(out, "topical_depot", amount, _in_papillary(depth, a))
    else:  # pragma: no cover - Course validates the treatment name
        raise ValueError(course.treatment)
    return out
