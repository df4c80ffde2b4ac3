r"""Chronological and extrinsic ageing of the dermis.

Two age-dependent factors drive the untreated trajectory:

.. math::

    \mathrm{cap}(a) = \exp\!\big(-\delta_s \max(a - a_\mathrm{ref}, 0)\big), \qquad
    \mathrm{MMP}_0(a) = 1 + \rho_m\, x\, \max(a - a_\mathrm{ref}, 0),

where ``cap`` scales fibroblast synthesis and responsiveness (Varani 2006: type I
procollagen output about 32% lower from donors aged 80+ than from donors aged 18-29, row
AG-4), ``MMP_0`` is the resting matrix-metalloproteinase activity (about twice as high in aged
dermis, Fisher 2009, row AG-6), and ``x`` is the extrinsic exposure factor: the UV factor of
the patient's exposure class times the smoking factor (both assumed). ``a_ref`` is the
young-adult reference age (the midpoint of the young donors of AG-4); every content is
expressed relative to the layer's content at that age.

A patient enters the simulation on this trajectory at their own age, not at equilibrium:
:func:`age_slow_states` integrates the slow states from ``a_ref`` to the patient's age with
an exponential integrator (steps of a quarter year, coefficients frozen at the step
midpoint), with every fast state at rest.

References
----------
Varani2006, Fisher2009, Shuster1975 (the resulting decline is checked against row AG-1).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = [
    "AGEING_STEP_YEARS",
    "REFERENCE_AGE_YEARS",
    "age_slow_states",
    "mmp_basal",
    "synthesis_capacity",
]

#: Young-adult reference age: midpoint of the 18-29-year donors of Varani 2006 (row AG-4).
REFERENCE_AGE_YEARS = 23.5
DAYS_PER_YEAR = 365.25
#: Step of the exponential integrator of :func:`age_slow_states` (years).
AGEING_STEP_YEARS = 0.25


def synthesis_capacity(age: Any, a: dict[str, Any], xp: Any = np) -> Any:
    """Fibroblast synthesis capacity at ``age`` relative to the reference age."""
    years = xp.maximum(age - REFERENCE_AGE_YEARS, 0.0)
    return xp.exp(-a["synthesis_decline_per_year"] * years)


def mmp_basal(age: Any, a: dict[str, Any], xp: Any = np) -> Any:
    """Resting MMP activity at ``age`` (1 at the reference age)."""
    years = xp.maximum(age - REFERENCE_AGE_YEARS, 0.0)
    return 1.0 + a["mmp_rise_per_year"] * a["exposure"] * years


def age_slow_states(
    a: dict[str, np.ndarray], age: np.ndarray, step_years: float = AGEING_STEP_YEARS
) -> dict[str, np.ndarray]:
    """Slow matrix states at ``age`` for an untreated patient, per draw.

    Parameters
    ----------
    a
        Model arguments (see :func:`dermasim.model.arguments.model_arguments`), arrays of
        shape ``(batch, 1)``.
    age
        Patient age in years, shape ``(batch, 1)``.
    step_years
        Step of the exponential integrator.

    Returns
    -------
    dict
        ``collagen_III``, ``collagen_I``, ``tropoelastin``, ``elastin`` and
        ``elastotic_material``, each of shape ``(batch, 1)``.
    """
    c3 = np.array(a["collagen_III_fraction"], dtype=float)
    c1 = 1.0 - c3
    t_e = a["elastin_turnover"] / a["tropoelastin_maturation_rate"]
    e = np.ones_like(c3)
    x = np.zeros_like(c3)
    span = np.maximum(age - REFERENCE_AGE_YEARS, 0.0)
    n_steps = int(np.ceil(np.max(span) / step_years)) if np.max(span) > 0 else 0
    for k in range(n_steps):
        start = REFERENCE_AGE_YEARS + k * step_years
        h_years = np.clip(age - start, 0.0, step_years)  # per-draw step (0 once arrived)
        h = h_years * DAYS_PER_YEAR
        mid = start + 0.5 * h_years
        cap = synthesis_capacity(mid, a)
        mmp = mmp_basal(mid, a)
        # collagen III: dC3 = cap s3 - (k_mat + k_d3 mmp) C3
        b3 = a["collagen_maturation_rate"] + a["collagen_III_degradation"] * mmp
        eq3 = cap * a["collagen_III_synthesis"] / b3
        c3_new = eq3 + (c3 - eq3) * np.exp(-b3 * h)
        c3_mid = eq3 + (c3 - eq3) * np.exp(-b3 * h / 2)
        # collagen I: dC1 = cap s1 + k_mat C3 - k_d1 mmp C1
        b1 = a["collagen_I_degradation"] * mmp
        eq1 = (cap * a["collagen_I_synthesis"] + a["collagen_maturation_rate"] * c3_mid) / b1
        c1 = eq1 + (c1 - eq1) * np.exp(-b1 * h)
        c3 = c3_new
        # tropoelastin (fast) and functional elastin
        t_eq = cap * a["elastin_turnover"] / a["tropoelastin_maturation_rate"]
        t_mid = t_eq + (t_e - t_eq) * np.exp(-a["tropoelastin_maturation_rate"] * h / 2)
        t_e = t_eq + (t_e - t_eq) * np.exp(-a["tropoelastin_maturation_rate"] * h)
        be = a["elastin_turnover"] * mmp
        eq_e = a["tropoelastin_maturation_rate"] * t_mid / be
        e = eq_e + (e - eq_e) * np.exp(-be * h)
        # elastotic material accumulates with extrinsic exposure
        x = x + a["elastosis_rate"] * a["exposure"] * h
    return {
        "collagen_III": c3,
        "collagen_I": c1,
        "tropoelastin": t_e,
        "elastin": e,
        "elastotic_material": x,
    }
