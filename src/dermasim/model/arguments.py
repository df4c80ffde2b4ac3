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
collagen I. New matrix (:mod:`dermasim.model.collagen`) is stabilised at
``k_s = r / tau`` and resorbed at ``k_r = (1 - r) / tau`` (times MMP), from its mean residence
``tau`` and the share ``r`` a young adult keeps.

The collagen limit (:mod:`dermasim.model.collagen`) is derived per draw: the patient's
untreated content ``C_0`` (``resting_collagen``, aged by
:func:`~dermasim.model.ageing.age_slow_states`) and the content at which the dermis reaches
the thickest young-adult dermis of its site, ``D_max`` (rows TH-1 to TH-5), through the
thickness relation ``D = D_0 (C / C_0)^theta`` of :mod:`dermasim.model.observation`:

.. math::

    C_\mathrm{max} = C_0 \left(\frac{D_\mathrm{max}}{D_0}\right)^{1/\theta}.

Patient constants are arguments too, one row per trajectory: the age ``age0``, the
extrinsic ``exposure`` factor, the acne-scar grade ``acne_scars`` (read only by the
observation functions) and the layer geometry (:data:`GEOMETRY_ARGUMENTS`: the top and
bottom of the epidermis and of each dermal layer and their thicknesses, and the site's
thickest young-adult dermis :func:`dermasim.geometry.thickest_dermis_mm`, in mm). So a batch may
hold one patient's draws or many different patients (a virtual population); the jumps and
observation functions read the geometry row by row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import SimulationError
from ..geometry import thickest_dermis_mm
from ..patient import Patient
from .ageing import DAYS_PER_YEAR, age_slow_states

__all__ = [
    "GEOMETRY_ARGUMENTS",
    "exposure_factor",
    "geometry_arguments",
    "model_arguments",
    "patient_rows",
]

#: Geometry arguments (mm), one value per trajectory.
GEOMETRY_ARGUMENTS: tuple[str, ...] = (
    "epidermis_top_mm",
    "epidermis_bottom_mm",
    "papillary_top_mm",
    "papillary_bottom_mm",
    "reticular_top_mm",
    "reticular_bottom_mm",
    "papillary_mm",
    "reticular_mm",
    "dermis_mm",
    "thickest_dermis_mm",
)


def patient_rows(
    patient: Patient | Sequence[Patient], batch: int
) -> tuple[Sequence[Patient], np.ndarray]:
    """The distinct patients of a batch and each draw's index into them.

    One patient for every draw gives ``([patient], zeros)``; a sequence must hold one patient
    per draw.
    """
    if isinstance(patient, Patient):
        return [patient], np.zeros(batch, dtype=int)
    if len(patient) != batch:
        raise SimulationError(
            f"patients: {len(patient)} patients for {batch} parameter draws; give one "
            f"patient, or one per draw (for example {batch} patients)"
        )
    return patient, np.arange(batch)


def exposure_factor(
    patient: Patient | Sequence[Patient], p: Mapping[str, np.ndarray]
) -> np.ndarray:
    """Extrinsic ageing factor: UV class factor times smoking factor (1 = moderate UV), per
    draw; with one patient per draw when ``patient`` is a sequence."""
    distinct, rows = patient_rows(patient, np.asarray(p["uv_factor_low"]).shape[0])
    uv_class = np.array([q.uv_exposure for q in distinct])[rows]
    smoker = np.array([q.smoker for q in distinct])[rows]
    ones = np.ones_like(p["uv_factor_low"], dtype=float)
    uv = np.where(
        uv_class == "low",
        p["uv_factor_low"],
        np.where(uv_class == "high", p["uv_factor_high"], ones),
    )
    smoking = np.where(smoker, p["smoking_factor"], ones)
    return np.asarray(uv * smoking, dtype=float)


def geometry_arguments(patients: Sequence[Patient]) -> dict[str, np.ndarray]:
    """The layer geometry of each patient as arrays ``(batch, 1)`` (mm)."""
    cache: dict[tuple[float, str, str], list[float]] = {}
    rows = []
    for q in patients:
        key = (float(q.age), q.sex, q.site)
        if key not in cache:
            g = q.geometry()
            b = g.layer_bounds()
            cache[key] = [
                b["stratum_corneum"][0],
                b["viable_epidermis"][1],
                *b["papillary"],
                *b["reticular"],
                g.papillary_mm,
                g.reticular_mm,
                g.dermis_mm,
                thickest_dermis_mm(q.sex, q.site),
            ]
        rows.append(cache[key])
    table = np.asarray(rows, dtype=float).reshape(len(rows), len(GEOMETRY_ARGUMENTS))
    return {name: table[:, j : j + 1] for j, name in enumerate(GEOMETRY_ARGUMENTS)}


def model_arguments(
    p: Mapping[str, np.ndarray], patient: Patient | Sequence[Patient]
) -> dict[str, np.ndarray]:
    """Arrays of shape ``(batch, 1)`` for :func:`dermasim.model.rhs.rhs`.

    Parameters
    ----------
    p
        Parameter draws by name, each of shape ``(batch,)``.
    patient
        The patient of every draw, or one patient per draw (a sequence of length
        ``batch``): age, exposures and layer geometry.
    """
    col = {k: np.asarray(v, dtype=float)[:, None] for k, v in p.items()}
    a: dict[str, np.ndarray] = dict(col)
    batch = next(iter(col.values())).shape[0]
    distinct, rows = patient_rows(patient, batch)
    a["age0"] = np.array([float(q.age) for q in distinct])[rows].reshape(batch, 1)
    a["exposure"] = exposure_factor(patient, p)[:, None]
    a["acne_scars"] = np.array([float(q.acne_scars) for q in distinct])[rows].reshape(batch, 1)
    a.update({k: v[rows] for k, v in geometry_arguments(distinct).items()})

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
    retained = col["new_matrix_retained_share"]
    a["new_matrix_stabilisation"] = retained / col["new_matrix_lifetime_days"]
    a["new_matrix_resorption"] = (1.0 - retained) / col["new_matrix_lifetime_days"]
    a["elastin_turnover"] = np.log(2.0) / (col["elastin_half_life_years"] * DAYS_PER_YEAR)
    a["elastosis_rate"] = col["elastosis_rate_per_year"] / DAYS_PER_YEAR
    slow = age_slow_states(a, a["age0"])
    a["resting_collagen"] = slow["collagen_III"] + slow["collagen_I"]
    room = a["thickest_dermis_mm"] / a["dermis_mm"]
    a["collagen_packing_limit"] = a["resting_collagen"] * room ** (
        1.0 / col["thickness_collagen_exponent"]
    )
    return a
