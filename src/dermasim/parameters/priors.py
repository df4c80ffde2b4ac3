"""Prior distributions of model parameters, sampled inside their bounds.

Three families cover every record:

``lognormal``
    ``log x ~ Normal(log median, log gsd)`` with geometric standard deviation ``gsd > 1``;
    for positive rates and scales whose order of magnitude is uncertain.
``uniform``
    flat between the record's bounds; for fractions known only by their range.
``normal``
    ``x ~ Normal(mean, sd)``.

Every family is truncated to the record's bounds by inverse-CDF sampling, so a draw never
falls outside the bounds and nothing is clipped after the fact.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np

from ..errors import ParameterError, invalid_value

__all__ = ["PRIOR_FAMILIES", "Prior"]

PRIOR_FAMILIES = ("lognormal", "uniform", "normal")

SMALL_BATCH = 4096
"""Up to this many values the standard normal's CDF and quantile come from the standard
library (``math.erfc``, ``statistics.NormalDist.inv_cdf``, both accurate to a few ulp) rather
than ``scipy.special``, whose import (about 0.25 s) would otherwise dominate a short
interactive run; larger batches use ``scipy.special.ndtr``/``ndtri``. The two agree to 1e-12
relative. The choice depends on the batch size alone, never on what is already imported, so
identical inputs and seed give bit-identical draws in any process."""

_STANDARD_NORMAL = NormalDist()


def _ndtr(z: np.ndarray) -> np.ndarray:
    """Standard normal CDF, elementwise."""
    z = np.asarray(z, dtype=float)
    if z.size > SMALL_BATCH:
        from scipy.special import ndtr

        return np.asarray(ndtr(z))
    flat = [0.5 * math.erfc(-v / math.sqrt(2.0)) for v in z.ravel().tolist()]
    return np.array(flat, dtype=float).reshape(z.shape)


def _ndtri_one(p: float) -> float:
    if p <= 0.0:
        return -math.inf
    if p >= 1.0:
        return math.inf
    return _STANDARD_NORMAL.inv_cdf(p)


def _ndtri(p: np.ndarray) -> np.ndarray:
    """Standard normal quantile, elementwise (minus or plus infinity at 0 and 1)."""
    p = np.asarray(p, dtype=float)
    if p.size > SMALL_BATCH:
        from scipy.special import ndtri

        return np.asarray(ndtri(p))
    flat = [_ndtri_one(v) for v in p.ravel().tolist()]
    return np.array(flat, dtype=float).reshape(p.shape)


@dataclass(frozen=True)
class Prior:
    """A prior distribution truncated to ``[lower, upper]``.

    Parameters
    ----------
    distribution
        One of :data:`PRIOR_FAMILIES`.
    lower, upper
        Truncation bounds (the parameter's bounds).
    median, gsd
        Location and geometric standard deviation of a ``lognormal`` prior.
    mean, sd
        Location and scale of a ``normal`` prior.
    """

    distribution: str
    lower: float
    upper: float
    median: float | None = None
    gsd: float | None = None
    mean: float | None = None
    sd: float | None = None

    @classmethod
    def from_record(cls, name: str, data: dict[str, Any], bounds: tuple[float, float]) -> Prior:
        """Build and check a prior from the ``prior`` table of a parameter record."""
        where = f"parameter {name}.prior"
        family = data.get("distribution")
        if family not in PRIOR_FAMILIES:
            raise ParameterError(
                invalid_value(
                    f"{where}.distribution",
                    family,
                    "one of " + ", ".join(PRIOR_FAMILIES),
                    'distribution = "lognormal"',
                )
            )
        lower, upper = bounds
        prior = cls(
            distribution=family,
            lower=lower,
            upper=upper,
            median=data.get("median"),
            gsd=data.get("gsd"),
            mean=data.get("mean"),
            sd=data.get("sd"),
        )
        if family == "lognormal":
            if prior.median is None or not lower <= prior.median <= upper or lower <= 0:
                raise ParameterError(
                    invalid_value(
                        f"{where}.median",
                        prior.median,
                        f"a positive number within the bounds {lower} to {upper}",
                        "median = 0.5",
                    )
                )
            if prior.gsd is None or not prior.gsd > 1:
                raise ParameterError(
                    invalid_value(f"{where}.gsd", prior.gsd, "a number above 1", "gsd = 2.0")
                )
        if family == "normal" and (prior.mean is None or prior.sd is None or not prior.sd > 0):
            raise ParameterError(
                invalid_value(
                    f"{where}.sd", prior.sd, "a positive number, with mean", "mean = 0.5, sd = 0.1"
                )
            )
        return prior

    def _standard(self) -> tuple[float, float, str]:
        """Location, scale and space ('log' or 'linear') of the underlying normal."""
        if self.distribution == "lognormal":
            assert self.median is not None and self.gsd is not None
            return math.log(self.median), math.log(self.gsd), "log"
        assert self.mean is not None and self.sd is not None
        return self.mean, self.sd, "linear"

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values inside the bounds."""
        u = rng.uniform(size=n)
        return self.ppf(u)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Quantile function of the truncated prior at probabilities ``u`` in [0, 1]."""
        u = np.asarray(u, dtype=float)
        if self.distribution == "uniform":
            return self.lower + u * (self.upper - self.lower)
        loc, scale, space = self._standard()
        if space == "log":
            lo, hi = math.log(self.lower), math.log(self.upper)
        else:
            lo, hi = self.lower, self.upper
        c_lo, c_hi = _ndtr(np.array([(lo - loc) / scale, (hi - loc) / scale]))
        z = _ndtri(c_lo + u * (c_hi - c_lo))
        x = loc + scale * z
        out = np.exp(x) if space == "log" else x
        return np.clip(out, self.lower, self.upper)  # guards round-off at the very ends only

    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Cumulative probability of the truncated prior at ``x`` (the inverse of :meth:`ppf`)."""
        x = np.clip(np.asarray(x, dtype=float), self.lower, self.upper)
        if self.distribution == "uniform":
            return (x - self.lower) / (self.upper - self.lower)
        loc, scale, space = self._standard()
        if space == "log":
            lo, hi, v = math.log(self.lower), math.log(self.upper), np.log(x)
        else:
            lo, hi, v = self.lower, self.upper, x
        c_lo, c_hi = _ndtr(np.array([(lo - loc) / scale, (hi - loc) / scale]))
        return np.asarray((_ndtr((v - loc) / scale) - c_lo) / (c_hi - c_lo))

    def describe(self) -> str:
        """Short human description, e.g. ``lognormal(median 0.3, gsd 2) in [0.05, 2]``."""
        if self.distribution == "lognormal":
            body = f"lognormal(median {self.median:g}, gsd {self.gsd:g})"
        elif self.distribution == "normal":
            body = f"normal(mean {self.mean:g}, sd {self.sd:g})"
        else:
            body = "uniform"
        return f"{body} in [{self.lower:g}, {self.upper:g}]"
