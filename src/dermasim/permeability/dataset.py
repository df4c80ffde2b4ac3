"""The intact-skin permeability data set: HuskinDB rows and the documented filter.

The filter keeps the experiments the intact-skin model speaks for (heat-separated or full
epidermis, an aqueous donor vehicle, skin-surface temperature 30-37 C, not neat) and removes
nothing else silently. Rows whose log kp lies more than :data:`OUTLIER_MADS` robust standard
deviations from a robust (Huber) fit on log Kow and MW are *flagged* as outliers, reported
by :func:`filter_report` with their reason, and left out of the fit.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

__all__ = [
    "AQUEOUS_VEHICLES",
    "OUTLIER_MADS",
    "PermeabilityRow",
    "filter_report",
    "filtered_rows",
    "load_rows",
]

#: Donor vehicles counted as aqueous (water, saline and buffers, with preservatives).
AQUEOUS_VEHICLES = frozenset(
    {
        "PBS",
        "Water",
        "NaCl solution",
        "NaCl, sodium azide",
        "PBS with sodium azide",
        "Succinate solution",
        "Borate buffer",
        "Sorensen buffer",
        "HEPES",
        "Acetate solution",
        "Citrate-phosphate buffer",
        "Citro-phosphate-buffer",
        "Potassium phosphate buffer",
        "TRIS buffer",
        "HCl/NaOH, KCl",
    }
)
#: Skin layers that stand for intact epidermal barrier (heat-separated or full epidermis).
LAYERS = frozenset({"epidermis"})
#: Skin-surface (donor) temperatures accepted, in C.
TEMPERATURE_C = (30.0, 37.0)
#: Robust z beyond which a row is flagged as an outlier.
OUTLIER_MADS = 3.5


@dataclass(frozen=True)
class PermeabilityRow:
    """One experiment: compound, descriptors, log10 kp (cm/s) and conditions."""

    compound: str
    log_kp_cm_s: float
    log_kow: float
    mw: float
    layer: str
    vehicle: str
    temperature_c: float | None
    neat: bool
    reference: str


def _float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@cache
def load_rows() -> tuple[PermeabilityRow, ...]:
    """Every row of the bundled table with numeric kp, LogP and MW."""
    text = (resources.files("dermasim") / "data" / "permeability" / "huskindb.csv").read_text(
        "utf-8"
    )
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        kp, logp, mw = (_float(r[k]) for k in ("logkp (cm/s)", "LogP", "molecular weight"))
        if kp is None or logp is None or mw is None:
            continue
        rows.append(
            PermeabilityRow(
                compound=r["Compound name"].strip(),
                log_kp_cm_s=kp,
                log_kow=logp,
                mw=mw,
                layer=r["used layer"],
                vehicle=r["donor type"],
                temperature_c=_float(r["donor/skin surface temperature (°C)"]),
                neat=r["neat"] == "1",
                reference=r["reference"],
            )
        )
    return tuple(rows)


def _condition_reason(row: PermeabilityRow) -> str | None:
    if row.layer not in LAYERS:
        return f"layer {row.layer!r} is not epidermis"
    if row.neat:
        return "neat compound, no vehicle"
    if row.vehicle not in AQUEOUS_VEHICLES:
        return f"vehicle {row.vehicle!r} is not aqueous"
    t = row.temperature_c
    if t is None or not TEMPERATURE_C[0] <= t <= TEMPERATURE_C[1]:
        return f"temperature {t} C outside {TEMPERATURE_C[0]:g}-{TEMPERATURE_C[1]:g} C"
    return None


def _robust_residuals(rows: list[PermeabilityRow]) -> np.ndarray:
    """Residuals of a Huber (IRLS) fit of log kp on log Kow and MW, in robust sds."""
    x = np.column_stack([np.ones(len(rows)), [r.log_kow for r in rows], [r.mw for r in rows]])
    y = np.array([r.log_kp_cm_s for r in rows])
    w = np.ones_like(y)
    for _ in range(50):
        beta = np.linalg.lstsq(x * w[:, None] ** 0.5, y * w**0.5, rcond=None)[0]
        resid = y - x @ beta
        scale = 1.4826 * np.median(np.abs(resid - np.median(resid))) or 1.0
        z = np.abs(resid) / scale
        w = np.where(z <= 1.345, 1.0, 1.345 / z)
    return resid / scale


@cache
def filter_report() -> tuple[tuple[PermeabilityRow, str], ...]:
    """Every loaded row with the reason it is left out, or ``""`` when it is kept."""
    first = [(r, _condition_reason(r)) for r in load_rows()]
    candidates = [r for r, why in first if why is None]
    z = dict(zip(candidates, _robust_residuals(candidates), strict=True))
    out = []
    for row, why in first:
        if why is None and abs(z[row]) > OUTLIER_MADS:
            why = f"outlier: {z[row]:+.1f} robust sds from the robust fit"
        out.append((row, why or ""))
    return tuple(out)


def filtered_rows() -> tuple[PermeabilityRow, ...]:
    """The rows the permeability model is fitted and cross-validated on."""
    return tuple(r for r, why in filter_report() if not why)
