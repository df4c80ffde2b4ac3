r"""Hyaluronic-acid filler gel: hydration, degradation and fibroblast stretch.

.. math::

    \dot H = -k_H\, H, \qquad h = 10\,(1 + w)\,H, \qquad
    \mathrm{stretch} = \frac{h}{h + K_H}

``H`` is the injected gel per treated area (mL/cm2); 1 mL over 1 cm2 is a layer 1 cm thick.
The gel binds water once injected: in people its volume by MRI was 331% above the injected
volume a month after injection (HIV facial lipoatrophy, n = 10, row HA-MRI-1), so the
hydrated gel is ``(1 + w)`` times the injected volume, with ``w`` (``filler_water_uptake``)
set from that row. No row resolves the uptake's course within the first month, so the gel
is taken as hydrated from the day it is injected. ``h`` is the hydrated layer's thickness in
mm. The gel degrades first-order. The only measured rate is from mice (43% of gel mass left
at 16 weeks, Kim 2015, row HA-K15-1: ``k_H`` = 0.0075 /day); in people the gel lasts longer
(no MRI volume loss from month 1 to month 12, HA-MRI-1; gel still found 2 to 15 years after
the last injection, HA-MRI24-1; 44% of the ultrasound thickness gain left at week 52,
HA-B07-2), so the prior is wide and reaches far below the mouse rate, and the human imaging
rows are fitted. Hydration changes the gel's volume, not its decay: the volume's relative
change over time (``filler_volume_change``) is that of ``H``. The hydrated gel stretches
fibroblasts, a modest collagen stimulus (Wang 2007, HA-W07-1); ``K_H``
(``filler_stretch_half_mm``) is assumed.

The gel acts in the layer where it is placed. ``H`` is gel placed in the dermis (the default,
as for wrinkle and fold correction): it thickens the dermis and stretches its fibroblasts.
``H_s`` is gel placed below the dermis (``plane = "subdermal"``, as for volume loss in
HA-B07 and HA-MRI-1): it decays and binds water as ``H`` does but neither thickens the
dermis nor stretches dermal fibroblasts, so it adds no collagen; the lift it gives the skin
is read only by the imaging and fold-filling observables of the calibration.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["MM_PER_ML_PER_CM2", "filler_stretch", "gel_rate", "hydrated_gel_mm"]

#: 1 mL spread over 1 cm2 is a layer 1 cm = 10 mm thick.
MM_PER_ML_PER_CM2 = 10.0


def gel_rate(gel: Any, a: dict[str, Any]) -> Any:
    """``dH/dt``: first-order degradation of the gel."""
    return -a["filler_degradation_rate"] * gel


def hydrated_gel_mm(gel: Any, a: Mapping[str, Any]) -> Any:
    """``h = 10 (1 + w) H``: thickness in mm of the gel layer once it has bound water."""
    return MM_PER_ML_PER_CM2 * (1.0 + a["filler_water_uptake"]) * gel


def filler_stretch(gel: Any, a: dict[str, Any]) -> Any:
    """Fibroblast stretch by the hydrated gel, in [0, 1)."""
    h_mm = hydrated_gel_mm(gel, a)
    return h_mm / (h_mm + a["filler_stretch_half_mm"])
