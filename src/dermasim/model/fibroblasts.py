r"""Quiescent and activated fibroblasts.

.. math::

    W &= \frac{G}{G + K_G}, \qquad S = W + w_H\,\mathrm{stretch} + w_P\,A \\
    \dot F_a &= \mathrm{cap}^\kappa \big(k_\mathrm{act} S F_q
                + r_p S F_a (1 - F/F_\max)\big) - k_q F_a \\
    \dot F_q &= -\mathrm{cap}^\kappa k_\mathrm{act} S F_q + k_q F_a
                - k_\mathrm{apo} (F - 1)\, F_q / F

with ``F = F_q + F_a`` relative to the resting density (1). The signal ``S`` combines the
wound signal ``W`` of growth factors (half-activation ``K_G``), filler stretch (weight
``w_H``) and polynucleotide activation of adenosine A2A receptors ``A``
(:mod:`dermasim.model.polynucleotide`; weight ``w_P``): PN raises fibroblast growth through
A2A receptors (Thellung 1999, row PN-MECH-2, blocked by an A2 antagonist; Squadrito 2017,
PN-MECH-1) without an injury, so it enters the fibroblast signal directly, not the wound's
growth-factor pool. ``W`` also sets the type-III share of the matrix activated fibroblasts
lay down (:mod:`dermasim.model.collagen`). Activated fibroblasts
proliferate logistically up to ``F_max`` and return to quiescence at ``k_q``; fibroblasts
above the resting density are removed by apoptosis at ``k_apo`` (and below it regrow at the
same rate). ``cap`` is the age-dependent synthesis capacity (:mod:`dermasim.model.ageing`);
the exponent ``kappa`` (assumed) makes the response to a stimulus fall faster with age than
resting synthesis (Varani 2006: defective mechanical stimulation of aged fibroblasts,
direction only).

Parameters: ``fibroblast_proliferation_rate`` (``r_p``; 0.693-0.924 /day, Waugh 2006 and
Jin 2011, row WH-3), ``fibroblast_apoptosis_rate`` (``k_apo``; 0.12 /day, Jin 2011, WH-4);
``fibroblast_activation_rate``, ``fibroblast_quiescence_rate``, ``fibroblast_capacity``,
``growth_factor_half_activation``, ``filler_stretch_weight``, ``pn_signal_weight`` and
``ageing_responsiveness_exponent`` are assumed. No human measurement of how much collagen
a polynucleotide course adds exists yet: ``w_P`` is informed only by clinical grades and
direction-only findings through the fit.
"""

from __future__ import annotations

from typing import Any

__all__ = ["activation_signal", "fibroblast_rates", "wound_signal"]


def wound_signal(g: Any, a: dict[str, Any]) -> Any:
    """Wound signal ``W = G / (G + K_G)`` of the growth factors, in [0, 1)."""
    return g / (g + a["growth_factor_half_activation"])


def activation_signal(wound: Any, stretch: Any, pn: Any, a: dict[str, Any]) -> Any:
    """Fibroblast activation signal ``S`` from the wound signal, filler stretch and PN."""
    return wound + a["filler_stretch_weight"] * stretch + a["pn_signal_weight"] * pn


def fibroblast_rates(
    quiescent: Any, activated: Any, signal: Any, cap: Any, a: dict[str, Any]
) -> tuple[Any, Any]:
    """``(dF_q/dt, dF_a/dt)``."""
    response = cap ** a["ageing_responsiveness_exponent"]
    total = quiescent + activated
    activation = response * a["fibroblast_activation_rate"] * signal * quiescent
    proliferation = (
        response
        * a["fibroblast_proliferation_rate"]
        * signal
        * activated
        * (1.0 - total / a["fibroblast_capacity"])
    )
    quiescence = a["fibroblast_quiescence_rate"] * activated
    apoptosis = a["fibroblast_apoptosis_rate"] * (total - 1.0) * quiescent / total
    return -activation + quiescence - apoptosis, activation + proliferation - quiescence
