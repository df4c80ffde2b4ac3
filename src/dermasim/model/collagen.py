r"""Collagen types III and I.

.. math::

    D &= \sigma F_a\, g(C_1 + C_3) \\
    g(C) &= \min\left(1, \max\left(0, \frac{C_\mathrm{max} - C}{C_\mathrm{max} - 1}\right)\right) \\
    \dot C_3 &= \mathrm{cap}\,(s_3 F_q + \phi_3 D) - k_\mathrm{mat} C_3
                - k_{d3}\,\mathrm{MMP}\, C_3 \\
    \dot C_1 &= \mathrm{cap}\,(s_1 F_q + (1-\phi_3) D) + k_\mathrm{mat} C_3
                - k_{d1}\,\mathrm{MMP}\, C_1

Contents are fractions of the layer's young-adult collagen. Resting fibroblasts make both
types at rates ``s_3``, ``s_1`` derived from the young-adult steady state
(:mod:`dermasim.model.arguments`); activated fibroblasts lay down ``D`` with a larger type-III
share ``phi_3``; type III matures (is remodelled) into type I at ``k_mat``; both are degraded
in proportion to MMP activity. ``cap`` is the age-dependent synthesis capacity.

``g`` is the packing limit: activated deposition is unhindered up to young-adult content
(``C = 1``) and falls linearly to zero at ``C_max`` (``collagen_packing_limit``), so repeated
treatment cannot pack a layer beyond ``C_max`` times its young-adult collagen, and a patient
below young-adult content (every adult past the reference age) is unaffected. The linear
form and ``C_max`` are assumed: no measurement of the most collagen a treated
dermis can hold was found.

Parameters: ``collagen_I_half_life_years`` (about 15 years, Verzijl 2000, row AG-8,
unverified: wide prior); ``activated_deposition_rate`` (``sigma``),
``activated_type_III_share`` (``phi_3``), ``collagen_packing_limit`` (``C_max``),
``collagen_III_fraction``,
``collagen_maturation_share`` and ``collagen_III_turnover_ratio`` are assumed. Timing
evidence: tensile strength of healing wounds peaks near 6 weeks (Ireton 2013, WH-7) and is
half its final value at 40 days in mice (Carlson 2011, WH-8).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["collagen_rates", "packing_room"]


def packing_room(content: Any, a: dict[str, Any], xp: Any = np) -> Any:
    """Packing factor ``g(C)`` in [0, 1] of a layer holding ``content`` (young-adult units)."""
    limit = a["collagen_packing_limit"]
    return xp.clip((limit - content) / (limit - 1.0), 0.0, 1.0)


def collagen_rates(
    c3: Any,
    c1: Any,
    quiescent: Any,
    activated: Any,
    cap: Any,
    mmp: Any,
    a: dict[str, Any],
    xp: Any = np,
) -> tuple[Any, Any]:
    """``(dC_3/dt, dC_1/dt)``; ``xp`` is the array namespace (``numpy`` or ``jax.numpy``)."""
    deposit = a["activated_deposition_rate"] * activated * packing_room(c3 + c1, a, xp)
    share3 = a["activated_type_III_share"]
    matured = a["collagen_maturation_rate"] * c3
    d_c3 = (
        cap * (a["collagen_III_synthesis"] * quiescent + share3 * deposit)
        - matured
        - a["collagen_III_degradation"] * mmp * c3
    )
    d_c1 = (
        cap * (a["collagen_I_synthesis"] * quiescent + (1.0 - share3) * deposit)
        + matured
        - a["collagen_I_degradation"] * mmp * c1
    )
    return d_c3, d_c1
