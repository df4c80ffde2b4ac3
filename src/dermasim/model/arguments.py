r"""Model arguments: parameter draws and patient constants turned into rate arrays.

:func:`model_arguments` is the only place where record units (years, half-lives) are turned
into the per-day rates the right-hand side uses, and where rates fixed by the young-adult
steady state are derived. Every entry has shape ``(batch, 1)`` so that it broadcasts against
per-layer arrays ``(batch, n_layers)`` and whole-skin arrays ``(batch, 1)``.

Derived steady-state rates (collagen, at the reference age with resting fibroblasts):

.. math::

    k_{d1} = \frac{\ln 2}{t_{1/2,I}}, \quad
    k_{d3} = r_3\, k_{d1}, \quad
    k_\mathrm{mat} = m\, k_{d1}\, \frac{1 - f_3}{f_3}, \\
    s_3 = (k_\mathrm{mat} + k_{d3})\, f_3, \quad
    s_1 = k_{d1}\,(1 - f_3)\,(1 - m),

so that ``C3 = f3`` and ``C1 = 1 - f3`` at rest, a share ``m`` of the renewal of
collagen I passes through collagen III, and collagen III turns over ``r3`` times faster than
collagen I.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..patient import Patient
from .ageing import DAYS_PER_YEAR

__all__ = ["exposure_factor", "model_arguments"]


def exposure_factor(patient: Patient, p: Mapping[str, np.ndarray]) -> np.ndarray:
    """Extrinsic ageing factor: UV class factor times smoking factor (1 = moderate UV)."""
    uv = {
        "low": p["uv_factor_low"],
        "moderate": np.ones_like(p["uv_factor_low"]),
        "high": p["uv_factor_high"],
    }[patient.uv_exposure]
    smoking = p["smoking_factor"] if patient.smoker else np.ones_like(uv)
    return np.asarray(uv * smoking, dtype=float)


def model_arguments(p: Mapping[str, np.ndarray], patient: Patient) -> dict[str, np.ndarray]:
    """Arrays of shape ``(batch, 1)`` for :func:`dermasim.model.rhs.rhs`.

    Parameters
    ----------
    p
        Parameter draws by name, each of shape ``(batch,)``.
    patient
        The patient (age and exposures).
    """
    col = {k: np.asarray(v, dtype=float)[:, None] for k, v in p.items()}
    a: dict[str, np.ndarray] = dict(col)
    batch = next(iter(col.values())).shape[0]
    a["age0"] = np.full((batch, 1), float(patient.age))
    a["exposure"] = exposure_factor(patient, p)[:, None]

    k_d1 = np.log(2.0) / (col["collagen_I_half_life_years"] * DAYS_PER_YEAR)
    f3 = col["collagen_III_fraction"]
    m = col["collagen_maturation_share"]
    a["collagen_I_degradation"] = k_d1
    a["collagen_III_degradation"] = col["collagen_III_turnover_ratio"] * k_d1
    a["collagen_maturation_rate"] = m * k_d1 * (1.0 - f3) / f3
    a["collagen_III_synthesis"] = (
        a["collagen_maturation_rate"] + a["collagen_III_degradation"]
    ) * f3
    a["collagen_I_synthesis"] = k_d1 * (1.0 - f3) * (1.0 - m)
    a["elastin_turnover"] = np.log(2.0) / (col["elastin_half_life_years"] * DAYS_PER_YEAR)
    a["elastosis_rate"] = col["elastosis_rate_per_year"] / DAYS_PER_YEAR
    return a
