r"""Collagen types III and I and the new, immature matrix of a response.

.. math::

    D &= \sigma F_a\, g(C_1 + C_3 + N) \\
    g(C) &= \min\left(1, \max\left(0, \frac{C_\mathrm{max} - C}{C_\mathrm{max} - C_0}\right)\right),
        \qquad C_\mathrm{max} = C_0 \left(\frac{D_\mathrm{max}}{D_0}\right)^{1/\theta} \\
    \dot N &= \mathrm{cap}\, D - k_s N - k_r\,\mathrm{MMP}\, N \\
    \dot N_3 &= \mathrm{cap}\, \varphi\, D - k_s N_3 - k_r\,\mathrm{MMP}\, N_3,
        \qquad \varphi = f_3 + (\varphi_3 - f_3)\, W \\
    \dot C_3 &= \mathrm{cap}\, s_3 F_q\, g - k_\mathrm{mat} C_3 - k_{d3}\,\mathrm{MMP}\, C_3 \\
    \dot C_1 &= \mathrm{cap}\, s_1 F_q\, g + k_s N + k_\mathrm{mat} C_3
                - k_{d1}\,\mathrm{MMP}\, C_1

Contents are fractions of the layer's young-adult collagen. Resting fibroblasts make both
types at rates ``s_3``, ``s_1`` derived from the young-adult steady state
(:mod:`dermasim.model.arguments`); type III matures (is remodelled) into type I at
``k_mat``; both are degraded in proportion to MMP activity. ``cap`` is the age-dependent
synthesis capacity.

Activated fibroblasts lay down ``D`` as new, immature matrix ``N``. Its type-III part
``N_3`` is laid down at the share ``phi``, which moves from the resting share ``f_3`` of
dermal collagen to the wound share ``phi_3`` with the wound signal ``W = G / (G + K_G)``
(:mod:`dermasim.model.fibroblasts`): wound matrix is type-III rich (COL3A1 up after
needling of a skin model, MN-S18-1), while fibroblasts stimulated without an injury (by
polynucleotides or filler stretch) are given the resting mix, since no source reports a
type-III surge after either. The new matrix is not yet stable: it is either stabilised
at ``k_s`` into mature, cross-linked type I collagen (as wound matrix matures its type III
is replaced by type I, so type III rises first and type I later: WH-7, WH-8, MN-S18-1), or
resorbed at ``k_r`` times the MMP activity. With the mean residence ``tau`` of new matrix
(``new_matrix_lifetime_days``) and the share ``r`` of it that a young adult keeps
(``new_matrix_retained_share``), ``k_s = r / tau`` and ``k_r = (1 - r) / tau``, so at
resting MMP a share ``k_s / (k_s + k_r MMP)`` survives: less in older and sun-exposed skin,
whose MMP activity is higher (row AG-6). A course's gain therefore rises while new matrix
is laid down, falls over a few ``tau`` as the unstable part is resorbed, and what was
stabilised then turns over with mature collagen; sessions during the remodelling window
add new matrix before the last is gone, which is what maintenance does. At rest ``N = 0``:
the untreated trajectory and the young-adult steady state are those of the mature pools.
Endpoints read ``N`` as collagen (``N_3`` as type III, ``N - N_3`` as type I); ``N_3``
matures and is resorbed with the rest of ``N``, so ``0 <= N_3 <= N``.

``g`` is the packing limit. A dermis cannot hold more collagen than the thickest healthy
young-adult dermis of its site: ``D_max`` (:func:`dermasim.geometry.thickest_dermis_mm`), the
20-29 decade's full thickness plus 3 SD (50 MHz ultrasound, rows TH-1 to TH-5, FacialHFUS)
minus the epidermis, 2.46 mm on a woman's cheek and 3.24 mm on a man's. Collagen is tied to
thickness by the relation ``D = D_0 (C / C_0)^theta`` that the dermal-thickness endpoint uses
(:mod:`dermasim.model.observation`: ``D_0`` and ``C_0`` the patient's untreated dermis and
content, ``theta`` the fitted ``thickness_collagen_exponent``), so the limit in content is
``C_max`` above, derived per draw (:func:`dermasim.model.arguments.model_arguments`); a
dermis that thickens little per unit collagen (small ``theta``) holds more. Deposition,
activated and resting, slows linearly as a layer fills the room between its own untreated
content and ``C_max`` and stops there, so no course can thicken the dermis (without gel)
beyond ``D_max``, and the untreated trajectory, which only loses collagen, is unaffected
(``g = 1`` at or below ``C_0``). Young-adult dermis being the upper end of what skin holds
is an assumption resting on those rows, and the linear slowing is assumed: no measurement
of the most collagen a treated dermis can hold was found.

Parameters: ``collagen_I_half_life_years`` (about 15 years, Verzijl 2000, row AG-8,
unverified: wide prior); ``activated_deposition_rate`` (``sigma``),
``activated_type_III_share`` (``phi_3``, the share in wound matrix), ``collagen_III_fraction``,
``collagen_maturation_share`` and ``collagen_III_turnover_ratio`` are assumed. The residence
of new matrix rests on the timing of wound remodelling: the remodelling phase, in which
wound matrix is cross-linked or resorbed, lasts weeks to about two years (reviews, row
WH-6); tensile strength of healing wounds peaks near 6 weeks (Ireton 2013, WH-7) and is half
its final value at 40 days in mice (Carlson 2011, WH-8). No measurement of how much
treatment-induced collagen survives remodelling was found: the retained share is assumed,
with a flat prior, and informed only through the fit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["collagen_rates", "packing_room"]


def packing_room(content: Any, a: dict[str, Any], xp: Any = np) -> Any:
    """Packing factor ``g(C)`` in [0, 1] of a layer holding ``content`` (young-adult units):
    1 up to the patient's untreated content ``resting_collagen``, 0 from the derived
    ``collagen_packing_limit`` on."""
    limit = a["collagen_packing_limit"]
    return xp.clip((limit - content) / (limit - a["resting_collagen"]), 0.0, 1.0)


def collagen_rates(
    c3: Any,
    c1: Any,
    new: Any,
    new3: Any,
    quiescent: Any,
    activated: Any,
    wound: Any,
    cap: Any,
    mmp: Any,
    a: dict[str, Any],
    xp: Any = np,
) -> tuple[Any, Any, Any, Any]:
    """``(dC_3/dt, dC_1/dt, dN/dt, dN_3/dt)``; ``wound`` is the wound signal ``W``; ``xp`` is
    the array namespace (``numpy`` or ``jax.numpy``)."""
    room = packing_room(c3 + c1 + new, a, xp)
    deposit = cap * a["activated_deposition_rate"] * activated * room
    resting = cap * quiescent * room
    f3 = a["collagen_III_fraction"]
    share3 = f3 + (a["activated_type_III_share"] - f3) * wound
    loss = a["new_matrix_stabilisation"] + a["new_matrix_resorption"] * mmp
    stabilised = a["new_matrix_stabilisation"] * new
    matured = a["collagen_maturation_rate"] * c3
    d_new = deposit - loss * new
    d_new3 = share3 * deposit - loss * new3
    d_c3 = resting * a["collagen_III_synthesis"] - matured
    d_c3 = d_c3 - a["collagen_III_degradation"] * mmp * c3
    d_c1 = resting * a["collagen_I_synthesis"] + stabilised + matured
    d_c1 = d_c1 - a["collagen_I_degradation"] * mmp * c1
    return d_c3, d_c1, d_new, d_new3
