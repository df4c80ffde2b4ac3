r"""Hyaluronic-acid filler gel: degradation and fibroblast stretch.

.. math::

    \dot H = -k_H\, H, \qquad h = 10\,H, \qquad
    \mathrm{stretch} = \frac{h}{h + K_H}

``H`` is gel volume per treated area (mL/cm2), so ``h = 10 H`` is its thickness in mm
(1 mL over 1 cm2 is 1 cm). The gel degrades first-order (43% of gel mass left at 16 weeks
in mice, Kim 2015, row HA-K15-1: ``k_H`` = 0.0075 /day, wide prior since human decay may be
slower, HA-M21) and stretches fibroblasts, a modest collagen stimulus (Wang 2007, HA-W07-1).
``K_H`` (``filler_stretch_half_mm``) is assumed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MM_PER_ML_PER_CM2", "filler_stretch", "gel_rate"]

#: 1 mL spread over 1 cm2 is a layer 1 cm = 10 mm thick.
MM_PER_ML_PER_CM2 = 10.0


def gel_rate(gel: Any, a: dict[str, Any]) -> Any:
    """``dH/dt``: first-order degradation of the gel."""
    return -a["filler_degradation_rate"] * gel


def filler_stretch(gel: Any, a: dict[str, Any]) -> Any:
    """Fibroblast stretch by the gel, in [0, 1)."""
    h_mm = MM_PER_ML_PER_CM2 * gel
    return h_mm / (h_mm + a["filler_stretch_half_mm"])
