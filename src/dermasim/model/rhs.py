r"""The right-hand side ``dy/dt = rhs(t, y, a)`` of the dermal remodelling model.

A pure function over arrays with a leading batch axis; it assembles the submodels

=================  ==========================================================
submodel           module
=================  ==========================================================
injury, M          :mod:`dermasim.model.injury`
PN depot, A        :mod:`dermasim.model.polynucleotide`
topical depot, A_T :mod:`dermasim.model.topical`
growth factors G   :mod:`dermasim.model.growth_factors` (quasi-steady state)
filler gel H, H_s  :mod:`dermasim.model.filler` (in the dermis, below it)
fibroblasts        :mod:`dermasim.model.fibroblasts`
MMPs               :mod:`dermasim.model.mmp`
collagen III, I, N :mod:`dermasim.model.collagen` (N and its type-III part N3)
elastin            :mod:`dermasim.model.elastin`
epidermis          :mod:`dermasim.model.epidermis`
ageing             :mod:`dermasim.model.ageing` (``cap`` and ``MMP_0`` at age
                   ``a_0 + t/365.25``)
=================  ==========================================================

per dermal layer (papillary, reticular) and for the whole site; each module's docstring
states its equations and references. Only arithmetic, ``xp.exp``, ``xp.maximum``,
``xp.stack`` and ``xp.concatenate`` are used, so the same code runs on ``jax.numpy``
(pass ``xp=jax.numpy``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ageing import DAYS_PER_YEAR, synthesis_capacity
from .collagen import collagen_rates
from .elastin import elastin_rates
from .epidermis import epidermis_rate
from .fibroblasts import activation_signal, fibroblast_rates, wound_signal
from .filler import MM_PER_ML_PER_CM2, filler_stretch, gel_rate
from .growth_factors import growth_factor
from .injury import inflammation_rate, injury_rate
from .layout import N_LAYER_STATES, N_LAYERS
from .mmp import mmp_activity
from .polynucleotide import pn_activation, pn_depot_rate
from .topical import topical_activation, topical_depot_rate

__all__ = ["MM_PER_ML_PER_CM2", "rhs"]


def rhs(t: Any, y: Any, a: dict[str, Any], xp: Any = np) -> Any:
    """Time derivative of the state array.

    Parameters
    ----------
    t
        Time in days since the start of the simulation (scalar).
    y
        State array of shape ``(batch, N_STATES)`` (layout in :mod:`dermasim.model.layout`).
    a
        Model arguments, arrays of shape ``(batch, 1)``
        (:func:`dermasim.model.arguments.model_arguments`).
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
    inj, infl, fq, fa, c3, c1, new, new3, tro, ela, xel, depot, topical = (
        layer[:, k, :] for k in range(N_LAYER_STATES)
    )
    ie = y[:, n_layer : n_layer + 1]
    ep = y[:, n_layer + 1 : n_layer + 2]
    gel = y[:, n_layer + 2 : n_layer + 3]
    gel_below = y[:, n_layer + 3 : n_layer + 4]

    age = a["age0"] + t / DAYS_PER_YEAR
    cap = synthesis_capacity(age, a, xp)
    mmp = mmp_activity(age, infl, a, xp)
    act = pn_activation(depot, a)
    g = growth_factor(infl, topical_activation(topical, a, xp), a)
    wound = wound_signal(g, a)
    signal = activation_signal(wound, filler_stretch(gel, a), act, a)

    d_fq, d_fa = fibroblast_rates(fq, fa, signal, cap, a)
    d_c3, d_c1, d_new, d_new3 = collagen_rates(c3, c1, new, new3, fq, fa, wound, cap, mmp, a, xp)
    d_tro, d_ela, d_xel = elastin_rates(tro, ela, xel, fq, fa, infl, cap, mmp, a)
    d_layer = xp.stack(
        [
            injury_rate(inj, a),
            inflammation_rate(inj, infl, act, a),
            d_fq,
            d_fa,
            d_c3,
            d_c1,
            d_new,
            d_new3,
            d_tro,
            d_ela,
            d_xel,
            pn_depot_rate(depot, a),
            topical_depot_rate(topical, a),
        ],
        axis=1,
    ).reshape(batch, n_layer)
    d_ie = injury_rate(ie, a)
    d_ep = epidermis_rate(ep, ie, g[:, :1], a)
    return xp.concatenate([d_layer, d_ie, d_ep, gel_rate(gel, a), gel_rate(gel_below, a)], axis=1)
