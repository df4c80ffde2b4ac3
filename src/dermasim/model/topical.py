r"""Topical actives: delivery into the dermis at a session, dermal depot and activation.

.. math::

    \dot T = -k_T\, T, \qquad A_T = \frac{T}{T + K_T}

``T`` is the depot of a growth-signal active in a layer, in ng/cm2 rather than mg/cm2 so that
the solver's absolute tolerance is small next to the amounts a serum delivers (of order
1-100 ng/cm2); the activation counts only ``max(T, 0)``. A topical session adds the
amount delivered over the first day (:mod:`dermasim.permeability.channels`): through intact
skin, with the two-pathway model's log10 kp for the active (its pore route alone, or none,
as the product's ``intact_route`` says) plus a per-draw error ``intact_log_kp_error`` (sd the
model's cross-validated RMSE), and, after a microneedling session the same day, through the
closing micro-channels of that session's needle length:

.. math::

    Q = C V \left(1 - e^{-X / V}\right), \qquad
    X = 24\,\mathrm{h}\left(k_p + k_\mathrm{ch}\, 2^{-\delta / t_{1/2,\mathrm{open}}}\,
        \frac{t_{1/2}}{24\,\mathrm{h} \ln 2}\left(1 - 2^{-24\,\mathrm{h} / t_{1/2}}\right)\right)

with the product film ``V`` (dose over density), concentration ``C`` and application delay
``delta``. The delivered amount lands in the layer holding the channels' tips (the papillary
layer on intact skin). Delivery over the first day is entered at the session as a jump, a
simplification next to depot half-lives of days. ``A_T`` in [0, 1] raises the
growth-factor signal with weight ``w_T`` (:mod:`dermasim.model.growth_factors`). Products
whose action is ``none`` are delivered but fill no depot.

Parameters: ``topical_clearance`` (``k_T``), ``topical_half_activation`` (``K_T``) and
``topical_growth_weight`` (``w_T``), all assumed with wide priors: no evidence row measures
a serum's effect on the dermis.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..permeability.channels import (
    CHANNEL_HOURS,
    CHANNEL_PARAMETER_NAMES,
    SECONDS_PER_HOUR,
    amount_delivered_ug_per_cm2,
    channel_exposure_cm,
    channel_permeability_cm_s,
)
from ..permeability.intact import check_descriptors, intact_log_kp_point
from ..protocol import Course
from ..protocol.products import TopicalProduct

#: Nanograms per milligram: the depot's unit is ng/cm2.
NG_PER_MG = 1e6

__all__ = [
    "NG_PER_MG",
    "product_warnings",
    "topical_activation",
    "topical_delivery_ng_per_cm2",
    "topical_depot_rate",
]


def topical_activation(depot: Any, a: dict[str, Any], xp: Any = np) -> Any:
    """Activation by a growth-signal active, ``A_T = T / (T + K_T)`` (``T`` floored at 0)."""
    positive = xp.maximum(depot, 0.0)
    return positive / (positive + a["topical_half_activation"])


def topical_depot_rate(depot: Any, a: dict[str, Any]) -> Any:
    """``dT/dt``: first-order clearance of the depot."""
    return -a["topical_clearance"] * depot


def product_warnings(product: TopicalProduct) -> tuple[str, ...]:
    """Warnings for an active outside the fitted compounds' range, where its intact-skin
    route is used (none for ``intact_route = "none"``)."""
    if product.intact_route == "none":
        return ()
    log_kow = product.log_kow if product.log_kow is not None else 0.0
    _, _, warnings = check_descriptors(product.mw_da, log_kow)
    if product.log_kow is None:
        warnings = tuple(w for w in warnings if not w.startswith("log_kow"))
    return tuple(f"topical product {product.name!r}: {w}" for w in warnings)


def topical_delivery_ng_per_cm2(
    course: Course, needle_mm: float | None, a: dict[str, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """Amount of a topical course's active delivered in one session, per draw.

    Parameters
    ----------
    course
        A topical course.
    needle_mm
        Needle length of a microneedling session the same day, or ``None`` (intact skin).
    a
        Model arguments, arrays of shape ``(batch, 1)``.

    Returns
    -------
    tuple of numpy.ndarray
        The amount delivered over the first day (ng/cm2) and the depth it lands at (mm;
        the channel depth, 0 on intact skin), each of shape ``(batch,)``.
    """
    product = course.product
    assert product is not None and course.dose_mg_per_cm2 is not None
    assert course.concentration_mg_per_ml is not None
    assert course.minutes_after_needling is not None
    error = a["intact_log_kp_error"][:, 0]
    if product.intact_route == "none":
        exposure = np.zeros_like(error)
    else:
        log_kp = intact_log_kp_point(product.mw_da, product.log_kow) + error
        exposure = 10.0**log_kp * SECONDS_PER_HOUR * CHANNEL_HOURS  # cm
    depth = np.zeros_like(exposure)
    if needle_mm is not None:
        p = {name: a[name][:, 0] for name in CHANNEL_PARAMETER_NAMES}
        depth = a["channel_depth_fraction"][:, 0] * needle_mm
        k_ch_h = channel_permeability_cm_s(product.mw_da, p, depth) * SECONDS_PER_HOUR
        exposure = exposure + channel_exposure_cm(
            k_ch_h,
            p,
            occluded=bool(course.occluded),
            delay_h=course.minutes_after_needling / 60.0,
        )
    amount_ug = amount_delivered_ug_per_cm2(
        course.concentration_mg_per_ml, course.dose_mg_per_cm2, exposure
    )
    return amount_ug * (NG_PER_MG / 1000.0), depth
