r"""Quiescent and activated fibroblasts.

.. math::

    S &= \frac{G}{G + K_G} + w_H\,\mathrm{stretch} \\
    \dot F_a &= \mathrm{cap}^\kappa \big(k_\mathrm{act} S F_q
                + r_p S F_a (1 - F/F_\max)\big) - k_q F_a \\
    \dot F_q &= -\mathrm{cap}^\kappa k_\mathrm{act} S F_q + k_q F_a
                - k_\mathrm{apo} (F - 1)\, F_q / F

with ``F = F_q + F_a`` relative to the resting density (1). The signal ``S`` combines growth
factors (half-activation ``K_G``) and filler stretch (weight ``w_H``). Activated fibroblasts
proliferate logistically up to ``F_max`` and return to quiescence at ``k_q``; fibroblasts
above the resting density are removed by apoptosis at ``k_apo`` (and below it regrow at the
same rate). ``cap`` is the age-dependent synthesis capacity (:mod:`dermasim.model.ageing`);
the exponent ``kappa`` (assumed) makes the response to a stimulus fall faster with age than
resting synthesis (Varani 2006: defective mechanical stimulation of aged fibroblasts,
direction only).

Parameters: ``fibroblast_proliferation_rate`` (``r_p``; 0.693-0.924 /day, Waugh 2006 and
Jin 2011, row WH-3), ``fibroblast_apoptosis_rate`` (``k_apo``; 0.12 /day, Jin 2011, WH-4);
``fibroblast_activation_rate``, ``fibroblast_quiescence_rate``, ``fibroblast_capacity``,
``growth_factor_half_activation``, ``filler_stretch_weight`` and
``ageing_responsiveness_exponent`` are assumed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["activation_signal", "fibroblast_rates"]


def activation_signal(g: Any, stretch: Any, a: dict[str, Any]) -> Any:
    """Fibroblast activation signal ``S`` from growth factors and filler stretch."""
    return g / (g + a["growth_factor_half_activation"]) + a["filler_stretch_weight"] * stretch


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
