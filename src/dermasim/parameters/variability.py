r"""Between-patient variability: a patient's own value of a parameter around a draw.

Uncertainty (which value the population median takes, a posterior draw :math:`\theta_d`) and
variability (how patient :math:`i` differs from that median) are kept apart. Patient
:math:`i` has one standard-normal deviate :math:`z_i` per varying parameter and

.. math::

    \theta_{id} = g^{-1}\bigl(g(\theta_d) + \sigma\, z_i\bigr), \qquad
    g(\theta) = \operatorname{logit}\frac{\theta - L}{U - L},

with :math:`[L, U]` the parameter's bounds (:math:`g = \log(\theta - L)` for a record
without an upper bound) and :math:`\sigma` its between-patient standard deviation on that
scale (the record's ``population_sd``). A value never leaves its bounds and nothing is
clipped: this is a log-normal random effect of :math:`\theta - L` well below :math:`U`.

An evidence row gives a spread as a coefficient of variation between people at a typical
value :math:`\theta`. By the delta method
:math:`\mathrm{SD}(\theta_{i}) \approx \sigma\, |dg^{-1}/du| = \sigma\,(\theta - L)(1 - s)`
with :math:`s = (\theta - L)/(U - L)`, so :func:`spread_for_cv` returns

.. math::

    \sigma = \frac{\mathrm{CV}\,\theta}{(\theta - L)(1 - s)}.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["individual_values", "spread_for_cv", "to_bounded", "to_real_line"]


def to_real_line(x: np.ndarray, low: float, high: float) -> np.ndarray:
    """:math:`g(x)`: a bounded value on the real line."""
    if math.isinf(high):
        return np.log(x - low)
    s = (x - low) / (high - low)
    return np.log(s) - np.log1p(-s)


def to_bounded(u: np.ndarray, low: float, high: float) -> np.ndarray:
    """:math:`g^{-1}(u)`: the inverse of :func:`to_real_line`."""
    if math.isinf(high):
        return low + np.exp(u)
    return low + (high - low) / (1.0 + np.exp(-u))


def individual_values(
    theta: np.ndarray, sd: float, z: np.ndarray, bounds: tuple[float, float]
) -> np.ndarray:
    """Patients' own values :math:`g^{-1}(g(\\theta) + \\sigma z)`.

    ``theta`` (the population median of each row) and ``z`` (each row's deviate) broadcast
    together. A ``theta`` exactly at a bound stays there; callers refuse one outside.
    """
    low, high = bounds
    with np.errstate(divide="ignore"):
        u = to_real_line(np.asarray(theta, dtype=float), low, high) + sd * np.asarray(z)
    return to_bounded(u, low, high)


def spread_for_cv(cv: float, value: float, bounds: tuple[float, float]) -> float:
    """The ``population_sd`` whose between-patient CV is ``cv`` at ``value`` (delta method).

    Examples
    --------
    >>> round(spread_for_cv(0.171, 0.0036, (0.0003, 0.03)), 3)
    0.21
    """
    low, high = bounds
    above = value - low
    slope = above if math.isinf(high) else above * (1.0 - above / (high - low))
    return cv * value / slope
