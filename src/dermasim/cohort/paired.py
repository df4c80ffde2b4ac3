"""Two courses for one patient, compared on paired draws.

Both courses are simulated with the same parameter draws (the same seed), so draw ``d`` of
one and draw ``d`` of the other are the same skin under two treatments. The paired
difference :math:`\\Delta_d = y_{A,d} - y_{B,d}` then carries only the uncertainty about how
the *treatments* differ, not the larger uncertainty shared by both (how this skin responds
to anything): its median and 5-95% interval, and :math:`P(A \\text{ better than } B)`, the
share of draws where A is better.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import SimulationError, invalid_value
from ..model import ENDPOINTS
from ..parameters import ParameterSet
from ..patient import Patient
from ..protocol import Protocol
from ..simulation import simulate
from ..solution import QUANTILES, share_better

__all__ = ["PairedDifference", "paired_difference"]


@dataclass(frozen=True)
class PairedDifference:
    """The paired difference of A minus B at one day, over the draws.

    Attributes
    ----------
    endpoint, unit, day
        What was compared, and when.
    difference
        ``A - B`` per draw.
    better
        ``"higher"`` or ``"lower"``: which way is better.
    """

    endpoint: str
    unit: str
    day: float
    difference: np.ndarray
    better: str = "higher"

    @property
    def p_better(self) -> float:
        """Share of draws where A is better than B (ties count half)."""
        return share_better(self.difference, self.better)

    def to_json_dict(self) -> dict[str, Any]:
        p05, p50, p95 = np.quantile(self.difference, QUANTILES)
        return {
            "endpoint": self.endpoint,
            "unit": self.unit,
            "t_days": self.day,
            "median": float(p50),
            "p05": float(p05),
            "p95": float(p95),
            "p_better": self.p_better,
            "draws": int(self.difference.size),
        }


def paired_difference(
    a: Protocol | str | os.PathLike[str],
    b: Protocol | str | os.PathLike[str],
    patient: Patient | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    endpoint: str = "collagen_density",
    day: float = 180.0,
    better: str = "higher",
    draws: int = 200,
    seed: int = 0,
    parameters: str | ParameterSet = "posterior",
) -> PairedDifference:
    """Paired difference of ``endpoint`` at ``day`` between courses ``a`` and ``b``.

    Examples
    --------
    >>> d = paired_difference("4 x microneedling 1.5 mm every 30 days", "none", draws=20)
    >>> d.p_better
    1.0
    """
    if endpoint not in ENDPOINTS:
        raise SimulationError(
            invalid_value(
                "endpoint", endpoint, "one of " + ", ".join(ENDPOINTS), "collagen_density"
            )
        )
    if better not in ("higher", "lower"):
        raise SimulationError(invalid_value("better", better, "higher or lower", '"higher"'))
    runs = [
        simulate(course, patient, days=day, draws=draws, seed=seed, at=[day], parameters=parameters)
        for course in (a, b)
    ]
    ya, yb = (r.dataset[endpoint].sel(time=day).values for r in runs)
    return PairedDifference(endpoint, ENDPOINTS[endpoint][0], float(day), ya - yb, better)
