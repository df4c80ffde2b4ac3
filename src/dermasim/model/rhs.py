r"""The right-hand side ``dy/dt = rhs(t, y, a)`` of the dermal remodelling model.

A pure function over arrays with a leading batch axis; it uses only arithmetic and
``xp.exp``/``xp.maximum``/``xp.concatenate`` so that the same code runs on ``jax.numpy``
(pass ``xp=jax.numpy``). Per layer ``l`` (papillary, reticular):

.. math::

    \dot I &= -k_I I \\
    \dot M &= \frac{k_{MI} I}{1 + d_A A} - k_M M \\
    G &= M + w_A A, \qquad A = \frac{P}{P + K_A} \\
    S &= \frac{G}{G + K_G} + w_H \frac{h}{h + K_H}, \qquad h = 10\,H \;[\mathrm{mm}] \\
    \dot F_a &= \mathrm{cap}^\kappa\,\big(k_\mathrm{act} S F_q + r_p S F_a (1 - F/F_\max)\big)
                - k_q F_a \\
    \dot F_q &= -\mathrm{cap}^\kappa\,k_\mathrm{act} S F_q + k_q F_a
                - k_\mathrm{apo} (F - 1) F_q / F \\
    \mathrm{MMP} &= \mathrm{MMP}_0(a)\,(1 + g_M M) \\
    D &= \sigma F_a \\
    \dot C_3 &= \mathrm{cap}\,(s_3 F_q + \phi_3 D) - k_\mathrm{mat} C_3
                - k_{d3}\,\mathrm{MMP}\, C_3 \\
    \dot C_1 &= \mathrm{cap}\,(s_1 F_q + (1-\phi_3) D) + k_\mathrm{mat} C_3
                - k_{d1}\,\mathrm{MMP}\, C_1 \\
    \dot T &= \mathrm{cap}\,k_E (F_q + \beta_T F_a) - k_T T \\
    \dot E &= k_T T - k_E\,\mathrm{MMP}\,E \\
    \dot X &= \epsilon\, x - c_X M X \\
    \dot P &= -k_P P

and for the whole site:

.. math::

    \dot I_e = -k_I I_e, \qquad
    \dot E_p = g_e (I_e + G_\mathrm{pap}) - k_e (E_p - 1), \qquad
    \dot H = -k_H H .

``F = F_q + F_a``; ``cap`` and ``MMP_0`` are the ageing factors of
:mod:`dermasim.model.ageing` evaluated at the current age ``a = a_0 + t/365.25``; the
exponent ``kappa`` (assumed) makes the fibroblasts' response to a stimulus fall faster with
age than their resting synthesis (Varani 2006 reports defective mechanical stimulation of
aged fibroblasts; direction only). The growth-factor signal ``G`` is taken at quasi-steady
state: TGF-beta decays at 9-15 /day (rows WH-1, WH-2), an order of magnitude faster than any
other rate here, so it follows its sources and removing it removes the model's only stiff
mode.

References
----------
Waugh2006, Jin2011 (fibroblast and inflammation rates, rows WH-3 to WH-5),
Schmitt2018 (epidermal recovery, MN-S18-1), Squadrito2017 (PN through A2A receptors),
KimZH2015 (filler degradation, HA-K15-1), Wang2007 (filler stretch), Varani2006, Fisher2009.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ageing import DAYS_PER_YEAR, mmp_basal, synthesis_capacity
from .layout import N_LAYER_STATES, N_LAYERS

__all__ = ["fibroblast_signal", "growth_factor", "pn_activation", "rhs"]

MM_PER_ML_PER_CM2 = 10.0  # 1 mL spread over 1 cm2 is a layer 1 cm = 10 mm thick


def pn_activation(p_depot: Any, a: dict[str, Any]) -> Any:
    """A2A-receptor activation by the PN depot: ``A = P / (P + K_A)``."""
    return p_depot / (p_depot + a["pn_half_activation"])


def growth_factor(inflammation: Any, activation: Any, a: dict[str, Any]) -> Any:
    """Quasi-steady growth-factor signal ``G = M + w_A A`` (TGF-beta/PDGF lumped)."""
    return inflammation + a["pn_growth_weight"] * activation


def fibroblast_signal(g: Any, filler_gel: Any, a: dict[str, Any]) -> Any:
    """Fibroblast activation signal from growth factors and filler stretch."""
    h_mm = MM_PER_ML_PER_CM2 * filler_gel
    stretch = h_mm / (h_mm + a["filler_stretch_half_mm"])
    return g / (g + a["growth_factor_half_activation"]) + a["filler_stretch_weight"] * stretch


def rhs(t: Any, y: Any, a: dict[str, Any], xp: Any = np) -> Any:
    """Time derivative of the state array.

    Parameters
    ----------
    t
        Time in days since the start of the simulation (scalar).
    y
        State array of shape ``(batch, N_STATES)`` (layout in :mod:`dermasim.model.layout`).
    a
        Model arguments, arrays of shape ``(batch, 1)``.
    xp
        Array namespace (``numpy`` or ``jax.numpy``).

    Returns
    -------
    array
        ``dy/dt``, same shape as ``y``.
    """
    batch = y.shape[0]
    n_layer = N_LAYER_STATES * N_LAYERS
    layer = y[:, :n_layer].reshape(batch, N_LAYER_STATES, N_LAYERS)
    inj, infl, fq, fa, c3, c1, tro, ela, xel, pdep = (layer[:, k, :] for k in range(10))
    ie = y[:, n_layer : n_layer + 1]
    ep = y[:, n_layer + 1 : n_layer + 2]
    gel = y[:, n_layer + 2 : n_layer + 3]

    age = a["age0"] + t / DAYS_PER_YEAR
    cap = synthesis_capacity(age, a, xp)
    response = cap ** a["ageing_responsiveness_exponent"]
    mmp = mmp_basal(age, a, xp) * (1.0 + a["mmp_inflammation_gain"] * infl)

    act = pn_activation(pdep, a)
    g = growth_factor(infl, act, a)
    signal = fibroblast_signal(g, gel, a)

    d_inj = -a["injury_clearance"] * inj
    d_infl = (
        a["inflammation_production"] * inj / (1.0 + a["pn_inflammation_damping"] * act)
        - a["inflammation_clearance"] * infl
    )
    f_tot = fq + fa
    activation = response * a["fibroblast_activation_rate"] * signal * fq
    proliferation = (
        response
        * a["fibroblast_proliferation_rate"]
        * signal
        * fa
        * (1.0 - f_tot / a["fibroblast_capacity"])
    )
    d_fa = activation + proliferation - a["fibroblast_quiescence_rate"] * fa
    d_fq = (
        -activation
        + a["fibroblast_quiescence_rate"] * fa
        - a["fibroblast_apoptosis_rate"] * (f_tot - 1.0) * fq / f_tot
    )
    deposit = a["activated_deposition_rate"] * fa
    share3 = a["activated_type_III_share"]
    d_c3 = (
        cap * (a["collagen_III_synthesis"] * fq + share3 * deposit)
        - a["collagen_maturation_rate"] * c3
        - a["collagen_III_degradation"] * mmp * c3
    )
    d_c1 = (
        cap * (a["collagen_I_synthesis"] * fq + (1.0 - share3) * deposit)
        + a["collagen_maturation_rate"] * c3
        - a["collagen_I_degradation"] * mmp * c1
    )
    d_tro = (
        cap * a["elastin_turnover"] * (fq + a["activated_tropoelastin_boost"] * fa)
        - a["tropoelastin_maturation_rate"] * tro
    )
    d_ela = a["tropoelastin_maturation_rate"] * tro - a["elastin_turnover"] * mmp * ela
    d_xel = a["elastosis_rate"] * a["exposure"] - a["elastotic_clearance_gain"] * infl * xel
    d_pdep = -a["pn_clearance"] * pdep

    d_ie = -a["injury_clearance"] * ie
    d_ep = a["epidermal_growth_gain"] * (ie + g[:, :1]) - a["epidermal_relaxation_rate"] * (
        ep - 1.0
    )
    d_gel = -a["filler_degradation_rate"] * gel

    d_layer = xp.stack(
        [d_inj, d_infl, d_fq, d_fa, d_c3, d_c1, d_tro, d_ela, d_xel, d_pdep], axis=1
    ).reshape(batch, n_layer)
    return xp.concatenate([d_layer, d_ie, d_ep, d_gel], axis=1)
