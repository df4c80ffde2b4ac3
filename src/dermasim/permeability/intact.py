"""Predicted permeability of intact skin for a compound, with an interval and domain checks.

The prediction is the two-pathway model (:mod:`dermasim.permeability.models`) fitted to the
filtered HuskinDB rows. Its uncertainty combines the fit's uncertainty, from refits on
bootstrap resamples of compounds (every row of a drawn compound together), with the
residual scatter of each refit (experiment-to-experiment variation). The figure is for
heat-separated or full epidermis in an aqueous vehicle at 30-37 C. Inputs outside the range
of the fitted compounds give a warning in the result, not a silent extrapolation.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from numbers import Real
from typing import Any

import numpy as np

from ..errors import DermasimError, invalid_value
from .dataset import filtered_rows
from .models import TwoPathwayModel, fit_two_pathway

__all__ = [
    "BOOTSTRAP_FITS",
    "IntactPermeability",
    "check_descriptors",
    "check_number",
    "intact_log_kp_draws",
    "intact_log_kp_point",
    "intact_permeability",
]

#: Number of bootstrap refits behind the interval.
BOOTSTRAP_FITS = 200
SECONDS_PER_HOUR = 3600.0
#: Molecular weights accepted, Da: small molecules to large proteins.
MW_RANGE = (1.0, 500_000.0)
LOG_KOW_RANGE = (-5.0, 10.0)


class DescriptorError(DermasimError):
    """A molecular descriptor is missing or outside its allowed range."""


@dataclass(frozen=True)
class IntactPermeability:
    """log10 kp (cm/s) through intact skin: median and 5-95% interval, with warnings."""

    mw: float
    log_kow: float
    median: float
    p05: float
    p95: float
    warnings: tuple[str, ...]

    def kp_cm_per_h(self) -> tuple[float, float, float]:
        """kp in cm/h: (p05, median, p95)."""
        lo, mid, hi = (10.0**v * SECONDS_PER_HOUR for v in (self.p05, self.median, self.p95))
        return lo, mid, hi

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "log10_kp_cm_s": {"median": self.median, "p05": self.p05, "p95": self.p95},
        }


def check_number(
    name: str,
    value: Any,
    bounds: tuple[float, float],
    example: str,
    unit: str = "",
    error: type[DermasimError] = DescriptorError,
) -> float:
    """``value`` as a float if it is a finite real number within ``bounds``, else a one-line
    ``error`` (:class:`DescriptorError` unless given) naming the field, the value, the range
    (in ``unit``) and ``example``."""
    ok = isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or not bounds[0] <= float(value) <= bounds[1]:
        allowed = f"{bounds[0]:g} to {bounds[1]:g} {unit}".rstrip()
        raise error(invalid_value(name, value, allowed, example))
    return float(value)


@cache
def _bootstrap() -> tuple[TwoPathwayModel, ...]:
    rows = filtered_rows()
    compounds = sorted({r.compound for r in rows})
    by_compound = {c: [r for r in rows if r.compound == c] for c in compounds}
    rng = np.random.default_rng(20201)
    fits = []
    for _ in range(BOOTSTRAP_FITS):
        drawn = rng.choice(len(compounds), size=len(compounds), replace=True)
        sample = [row for i in drawn for row in by_compound[compounds[i]]]
        fits.append(fit_two_pathway(sample))
    return tuple(fits)


@cache
def _full_fit() -> TwoPathwayModel:
    return fit_two_pathway(filtered_rows())


def intact_log_kp_point(mw: float, log_kow: float | None) -> float:
    """log10 kp (cm/s) of the two-pathway model fitted to all filtered rows.

    ``log_kow=None`` stands for an active without a lipid route (a protein): only the
    aqueous pore route carries it. Descriptors are not checked here.
    """
    model = _full_fit()
    if log_kow is None:
        return float(model.pore_log_kp(np.array([mw]))[0])
    return float(model.log_kp(np.array([log_kow]), np.array([mw]))[0])


@cache
def training_domain() -> dict[str, tuple[float, float]]:
    """Ranges of MW and log Kow of the fitted compounds."""
    rows = filtered_rows()
    return {
        "mw": (min(r.mw for r in rows), max(r.mw for r in rows)),
        "log_kow": (min(r.log_kow for r in rows), max(r.log_kow for r in rows)),
    }


def check_descriptors(mw: float, log_kow: float) -> tuple[float, float, tuple[str, ...]]:
    """Validated ``(mw, log_kow)`` and the warnings for values outside the fitted domain.

    Raises
    ------
    DescriptorError
        ``mw`` outside 1-500000 Da or ``log_kow`` outside -5 to 10, or not a finite number.
    """
    mw = check_number("mw", mw, MW_RANGE, "--mw 287")
    log_kow = check_number("logkow", log_kow, LOG_KOW_RANGE, "--logkow 2.7")
    warnings = []
    domain = training_domain()
    for name, value in (("mw", mw), ("log_kow", log_kow)):
        lo, hi = domain[name]
        if not lo <= value <= hi:
            warnings.append(
                f"{name} = {value:g} is outside the fitted compounds' range {lo:.3g} to {hi:.3g}: "
                "the prediction is an extrapolation"
            )
    return mw, log_kow, tuple(warnings)


def intact_log_kp_draws(
    mw: float, log_kow: float, rng: np.random.Generator, per_fit: int = 20
) -> np.ndarray:
    """Draws of log10 kp (cm/s): each bootstrap refit's prediction plus its residual scatter.

    Returns an array of ``BOOTSTRAP_FITS * per_fit`` draws, grouped by refit. Descriptors are
    not checked here (see :func:`check_descriptors`).
    """
    draws = []
    for model in _bootstrap():
        centre = float(model.log_kp(np.array([log_kow]), np.array([mw]))[0])
        draws.append(centre + rng.normal(0.0, model.residual_sd, size=per_fit))
    return np.concatenate(draws)


def intact_permeability(mw: float, log_kow: float, *, seed: int = 0) -> IntactPermeability:
    """log10 kp (cm/s) of a compound through intact skin.

    Parameters
    ----------
    mw
        Molecular weight in Da (1 to 500000).
    log_kow
        Octanol-water partition coefficient, log10 (-5 to 10).
    seed
        Seed of the residual draws.

    Examples
    --------
    >>> r = intact_permeability(287, 2.7)
    >>> r.p05 < r.median < r.p95
    True
    """
    mw, log_kow, warnings = check_descriptors(mw, log_kow)
    values = intact_log_kp_draws(mw, log_kow, np.random.default_rng(seed))
    p05, median, p95 = (float(v) for v in np.quantile(values, [0.05, 0.5, 0.95]))
    return IntactPermeability(mw, log_kow, median, p05, p95, warnings)
