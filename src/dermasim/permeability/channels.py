r"""Delivery of a topical active through the micro-channels left by microneedling.

Needling opens fluid-filled channels through the stratum corneum; until they close, an
active applied to the skin reaches the tissue through them as well as through the intact
barrier. With ``t`` the time in hours since needling and ``C`` the concentration applied,
held constant (an infinite dose, the usual condition of the evidence) and with no lag time:

.. math::

    \frac{1}{k_\mathrm{ch}} &= \frac{1}{4\, n\, D(\mathrm{MW})\, r}
        + \frac{h}{D(\mathrm{MW})}, \qquad
    h = \max(z_\mathrm{sink} - d, 0), \qquad
    D(\mathrm{MW}) = D_{300} \left(\frac{300}{\mathrm{MW}}\right)^{1/3} \\
    o(t) &= 2^{-t / t_{1/2}} \\
    J(t) &= C \left(k_p + o(t)\, k_\mathrm{ch}\right) \\
    Q(T) &= C \left(k_p T + k_\mathrm{ch}\, \frac{t_{1/2}}{\ln 2}
            \left(1 - 2^{-T / t_{1/2}}\right)\right)

``k_p`` is the intact-skin permeability (:mod:`.intact`). From the bottom of each of the
``n`` channels per cm2 (open radius ``r``) the active spreads into the tissue: the steady
spreading resistance of a disk into a half-space, ``1 / (4 D r)`` per channel, in series with
the tissue slab between the channels' depth ``d`` and the sink at ``z_sink`` (the dermal
capillaries in vivo, the receptor under a skin sample in vitro). The diffusivity falls with
molecular size as the Stokes-Einstein radius grows (``MW^{1/3}``). The channels are taken
as filled with the product down to their bottom; exchange through their walls and overlap of
neighbouring spreading fields are neglected. These structural choices are uncertain by about
an order of magnitude either way, more than the parameter intervals show: at the prior
medians, a channel holding tissue fluid that the active must first diffuse down would
deliver about 50 times less, and a filled channel exchanging through its walls as a
slender cylinder about 15 times more. Channels close
exponentially with half-life ``t_{1/2}``: under an hour in people without occlusion
(Gupta 2011, row MC-5; rat rows MC-3, MC-4 are slower), about a day under occlusion (MC-6).

Excised skin in a diffusion cell does not heal, so the in-vitro enhancement that studies
report is that of open channels,

.. math::

    E_\mathrm{open} = 1 + k_\mathrm{ch} / k_p ,

while the enhancement of a treatment is the ratio of the amounts delivered over ``T``,
``E_T = Q(T) / (C k_p T)``.

A product applied ``delta`` hours after needling meets channels already closing on open skin
(occlusion starts with the application), so the channel term is multiplied by
``2^{-delta / t_{1/2,open}}``. A finite dose of ``m`` mg of product per cm2 is a well-mixed
film of thickness ``V = m / rho`` (``rho`` = 1 g/mL, assumed: about that of water) holding
``C V`` of active, which the skin depletes; with ``X`` the exposure
``k_p T + k_ch 2^{-delta / t_{1/2,open}} int_0^T o(t) dt`` (cm) the amount delivered is

.. math::

    Q_m(T) = C V \left(1 - e^{-X / V}\right),

which tends to the infinite-dose ``C X`` when the film is thick.

The channel depth is ``d = chi`` times the needle length (``channel_depth_fraction``, rows
MC-1 and MC-2, drawn from the bundled posterior); it shortens the slab ``h`` and says which
layer an active lands in.

The channel geometry, the diffusivity and the sink depth are assumed with wide priors
(records in ``data/parameters/default.toml``, :data:`CHANNEL_PARAMETER_NAMES`); the intervals
carry that uncertainty together with the intact-skin model's. The simulator's topical
sessions use the same functions (:mod:`dermasim.model.topical`). The enhancement rows MC-7 to
MC-10 are a check, not a fit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

from ..errors import check_integer, invalid_value
from ..parameters import ParameterSet, load_parameters
from .intact import DescriptorError, check_descriptors, check_number, intact_log_kp_draws

__all__ = [
    "CHANNEL_HOURS",
    "CHANNEL_PARAMETER_NAMES",
    "ChannelDelivery",
    "Interval",
    "amount_delivered_ug_per_cm2",
    "channel_exposure_cm",
    "channel_parameters",
    "delivery_draws",
    "needled_skin_delivery",
]

#: Hours over which the delivered amount and the treatment's enhancement are given.
CHANNEL_HOURS = 24.0
#: Needle lengths accepted, mm (as for a microneedling course).
NEEDLE_RANGE_MM = (0.1, 3.0)
#: Concentrations accepted, mg/mL.
CONCENTRATION_RANGE = (1e-6, 1000.0)
REFERENCE_MW = 300.0
SECONDS_PER_HOUR = 3600.0
#: Draws of the intact-skin model per bootstrap refit, each paired with channel draws.
DRAWS_PER_FIT = 20
#: Finite doses accepted, mg of product per cm2 (a film up to 0.5 mm thick), and application
#: delays after needling, minutes.
DOSE_RANGE = (0.01, 50.0)
#: Density of a topical product, mg/mL (assumed: about that of water).
PRODUCT_DENSITY_MG_PER_ML = 1000.0
DELAY_RANGE_MIN = (0.0, 1440.0)
#: The assumptions every amount rests on, repeated in the outputs.
INFINITE_DOSE = "infinite dose (the applied concentration stays constant), no lag time"
FINITE_DOSE = (
    "finite dose: a well-mixed film of product (density 1 g/mL) that the skin depletes, "
    "no evaporation, no lag time"
)
ASSUMPTIONS = INFINITE_DOSE


#: The channel parameters, records of the bundled model parameter set.
CHANNEL_PARAMETER_NAMES = (
    "channel_density_per_cm2",
    "channel_radius_um",
    "channel_diffusivity_cm2_s",
    "sink_depth_mm",
    "channel_closure_half_life_h",
    "occluded_channel_closure_half_life_h",
)


@cache
def channel_parameters() -> ParameterSet:
    """The channel parameters' records, taken from the bundled model parameter set."""
    base = ParameterSet.load("default")
    return ParameterSet(
        name="channels",
        records=tuple(base[name] for name in CHANNEL_PARAMETER_NAMES),
        description="Micro-channel route: channel geometry, diffusion from the channels, closure",
    )


@dataclass(frozen=True)
class Interval:
    """Median and 5-95% interval of a predicted quantity."""

    median: float
    p05: float
    p95: float

    @classmethod
    def of(cls, values: np.ndarray) -> Interval:
        p05, median, p95 = (float(v) for v in np.quantile(values, [0.05, 0.5, 0.95]))
        return cls(median, p05, p95)

    def to_json_dict(self) -> dict[str, float]:
        return {"median": self.median, "p05": self.p05, "p95": self.p95}


@dataclass(frozen=True)
class ChannelDelivery:
    """Delivery of one compound through needled skin, as distributions over the priors.

    Attributes
    ----------
    enhancement
        ``E_T``: amount delivered over :data:`CHANNEL_HOURS` after needling divided by that
        through intact skin.
    enhancement_open_channels
        ``E_open``: flux through needled skin with every channel open (excised skin in a
        diffusion cell) divided by the intact flux; what in-vitro studies report.
    delivered_24h_ug_per_cm2, intact_24h_ug_per_cm2
        Amounts over :data:`CHANNEL_HOURS` after and without needling, ug/cm2.
    channel_share_first_6h
        Share of the channel route's exposure in the first 6 hours after application (the
        depletion of a finite dose is not counted here).
    channel_depth_mm
        Depth of the channels.
    """

    mw: float
    log_kow: float
    needle_mm: float
    occluded: bool
    concentration_mg_per_ml: float
    dose_mg_per_cm2: float | None
    minutes_after_needling: float
    enhancement: Interval
    enhancement_open_channels: Interval
    delivered_24h_ug_per_cm2: Interval
    intact_24h_ug_per_cm2: Interval
    channel_share_first_6h: Interval
    channel_depth_mm: Interval
    warnings: tuple[str, ...] = field(default=())

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "needle_mm": self.needle_mm,
            "occluded": self.occluded,
            "concentration_mg_per_ml": self.concentration_mg_per_ml,
            "dose_mg_per_cm2": self.dose_mg_per_cm2,
            "minutes_after_needling": self.minutes_after_needling,
            "hours": CHANNEL_HOURS,
            "enhancement": self.enhancement.to_json_dict(),
            "enhancement_open_channels": self.enhancement_open_channels.to_json_dict(),
            "delivered_24h_ug_per_cm2": self.delivered_24h_ug_per_cm2.to_json_dict(),
            "intact_24h_ug_per_cm2": self.intact_24h_ug_per_cm2.to_json_dict(),
            "channel_share_first_6h": self.channel_share_first_6h.to_json_dict(),
            "channel_depth_mm": self.channel_depth_mm.to_json_dict(),
            "assumptions": self.assumptions,
        }

    @property
    def assumptions(self) -> str:
        """The dose and timing assumptions behind the amounts."""
        return INFINITE_DOSE if self.dose_mg_per_cm2 is None else FINITE_DOSE


def channel_permeability_cm_s(
    mw: float, p: dict[str, np.ndarray], depth_mm: np.ndarray
) -> np.ndarray:
    """``k_ch`` (cm/s) of fully open channels.

    Parameters
    ----------
    mw
        Molecular weight, Da.
    p
        Draws of the channel parameters (:func:`channel_parameters`), arrays of one shape.
    depth_mm
        Channel depth of each draw, mm.

    Returns
    -------
    numpy.ndarray
        ``1 / (1 / (4 n D r) + h / D)`` per draw.
    """
    diffusivity = p["channel_diffusivity_cm2_s"] * (REFERENCE_MW / mw) ** (1.0 / 3.0)
    spreading = 4.0 * p["channel_density_per_cm2"] * diffusivity * p["channel_radius_um"] * 1e-4
    slab_cm = np.maximum(p["sink_depth_mm"] - depth_mm, 0.0) * 0.1
    return np.asarray(1.0 / (1.0 / spreading + slab_cm / diffusivity))


def open_fraction_integral_h(half_life_h: np.ndarray, hours: float) -> np.ndarray:
    """Open-channel hours over the first ``hours``.

    Parameters
    ----------
    half_life_h
        Closure half-life of each draw, h.
    hours
        The period ``T``, h.

    Returns
    -------
    numpy.ndarray
        ``int_0^T o(t) dt = t_half / ln 2 (1 - 2^(-T / t_half))``, h.
    """
    return np.asarray(half_life_h / math.log(2.0) * (1.0 - 2.0 ** (-hours / half_life_h)))


def channel_exposure_cm(
    k_ch_h: np.ndarray,
    p: dict[str, np.ndarray],
    *,
    occluded: bool,
    delay_h: float,
    hours: float = CHANNEL_HOURS,
) -> np.ndarray:
    """Channel exposure ``k_ch 2^(-delta / t_half,open) int_0^T o(t) dt`` (cm).

    Parameters
    ----------
    k_ch_h
        Open-channel permeability of each draw, cm/h.
    p
        Draws of the channel parameters (the two closure half-lives are used).
    occluded
        Whether the skin is occluded from the application on.
    delay_h
        Hours between needling and application (channels close at the open-skin rate).
    hours
        The period ``T`` from the application, h.
    """
    open_half_life = p["channel_closure_half_life_h"]
    half_life = p["occluded_channel_closure_half_life_h"] if occluded else open_half_life
    still_open = 2.0 ** (-delay_h / open_half_life)
    return np.asarray(k_ch_h * still_open * open_fraction_integral_h(half_life, hours))


def amount_delivered_ug_per_cm2(
    conc_mg_per_ml: float, dose_mg_per_cm2: float | None, exposure_cm: np.ndarray
) -> np.ndarray:
    """Amount of active delivered (ug/cm2) for an exposure ``X`` (cm).

    ``C X`` for an infinite dose (``dose_mg_per_cm2=None``), else ``C V (1 - exp(-X / V))``
    with the film thickness ``V = m / rho`` (cm).
    """
    ug_per_cm3 = conc_mg_per_ml * 1000.0
    if dose_mg_per_cm2 is None:
        return np.asarray(ug_per_cm3 * exposure_cm)
    film_cm = dose_mg_per_cm2 / PRODUCT_DENSITY_MG_PER_ML  # mL of product per cm2 = cm
    return np.asarray(ug_per_cm3 * film_cm * -np.expm1(-exposure_cm / film_cm))


def needled_skin_delivery(
    mw: float,
    log_kow: float,
    needle_mm: float,
    *,
    occluded: bool = False,
    concentration_mg_per_ml: float = 1.0,
    dose_mg_per_cm2: float | None = None,
    minutes_after_needling: float = 0.0,
    seed: int = 0,
) -> ChannelDelivery:
    """Delivery of a compound applied after a microneedling session, with intervals.

    Parameters
    ----------
    mw
        Molecular weight in Da (1 to 500000).
    log_kow
        Octanol-water partition coefficient, log10 (-5 to 10).
    needle_mm
        Needle length of the session, mm (0.1 to 3).
    occluded
        Whether the skin is occluded after application (channels stay open longer).
    concentration_mg_per_ml
        Concentration of the active in the applied product.
    dose_mg_per_cm2
        Amount of product applied per cm2 (0.01 to 50 mg/cm2; a finite dose holding
        ``concentration * dose / 1000`` mg of active, depleted as it is absorbed), or ``None``
        for an infinite dose (the condition of diffusion-cell studies).
    minutes_after_needling
        Delay between needling and application (0 to 1440 min); the channels close
        meanwhile.
    seed
        Seed of the draws.

    Returns
    -------
    ChannelDelivery
        Medians and 90% intervals of the enhancement, the amounts and the channel depth.

    Examples
    --------
    >>> d = needled_skin_delivery(287, 2.7, 1.5)
    >>> d.enhancement.median > 1.0
    True
    """
    mw, log_kow, warnings = check_descriptors(mw, log_kow)
    needle_mm = check_number(
        "needle_mm (--after-needling)", needle_mm, NEEDLE_RANGE_MM, "--after-needling 1.5mm", "mm"
    )
    conc = check_number(
        "concentration_mg_per_ml (--concentration)",
        concentration_mg_per_ml,
        CONCENTRATION_RANGE,
        "--concentration 1",
        "mg/mL",
    )
    if not isinstance(occluded, bool):
        raise DescriptorError(invalid_value("occluded", occluded, "True or False", "occluded=True"))
    dose = None
    if dose_mg_per_cm2 is not None:
        dose = check_number(
            "dose_mg_per_cm2 (--dose)",
            dose_mg_per_cm2,
            DOSE_RANGE,
            "--dose 2",
            "mg of product per cm2",
        )
    delay = check_number(
        "minutes_after_needling (--minutes-after)",
        minutes_after_needling,
        DELAY_RANGE_MIN,
        "--minutes-after 10",
        "min",
    )
    seed = check_integer("seed", seed, 0, 2**32 - 1, "seed = 0")
    draws = delivery_draws(
        mw, log_kow, needle_mm, occluded, conc, seed, dose=dose, delay_h=delay / 60
    )
    return ChannelDelivery(
        mw=mw,
        log_kow=log_kow,
        needle_mm=needle_mm,
        occluded=occluded,
        concentration_mg_per_ml=conc,
        dose_mg_per_cm2=dose,
        minutes_after_needling=delay,
        warnings=warnings,
        **{name: Interval.of(values) for name, values in draws.items()},
    )


def delivery_draws(
    mw: float,
    log_kow: float,
    needle_mm: float,
    occluded: bool,
    conc: float,
    seed: int,
    *,
    dose: float | None = None,
    delay_h: float = 0.0,
) -> dict[str, np.ndarray]:
    """Draws behind :func:`needled_skin_delivery` (arguments already checked there).

    Parameters
    ----------
    mw, log_kow, needle_mm, occluded
        As for :func:`needled_skin_delivery`.
    conc
        Concentration of the active, mg/mL.
    seed
        Seed of the draws.
    dose
        Finite dose, mg of product per cm2, or ``None`` for an infinite dose.
    delay_h
        Hours between needling and application.

    Returns
    -------
    dict
        One array of draws per quantity of :class:`ChannelDelivery`.
    """
    rng = np.random.default_rng(seed)
    log_kp = intact_log_kp_draws(mw, log_kow, rng, per_fit=DRAWS_PER_FIT)
    n = log_kp.size
    p = channel_parameters().sample(n, rng)
    depth_mm = load_parameters("posterior").sample(n, rng)["channel_depth_fraction"] * needle_mm
    kp_h = 10.0**log_kp * SECONDS_PER_HOUR
    k_ch_h = channel_permeability_cm_s(mw, p, depth_mm) * SECONDS_PER_HOUR
    half_life = p[
        "occluded_channel_closure_half_life_h" if occluded else "channel_closure_half_life_h"
    ]
    intact_exposure = kp_h * CHANNEL_HOURS  # cm
    channel_exposure = channel_exposure_cm(k_ch_h, p, occluded=occluded, delay_h=delay_h)
    intact = amount_delivered_ug_per_cm2(conc, dose, intact_exposure)
    needled = amount_delivered_ug_per_cm2(conc, dose, intact_exposure + channel_exposure)
    first_6h = open_fraction_integral_h(half_life, 6.0) / open_fraction_integral_h(
        half_life, CHANNEL_HOURS
    )
    return {
        "enhancement": needled / intact,
        "enhancement_open_channels": 1.0 + k_ch_h / kp_h,
        "delivered_24h_ug_per_cm2": needled,
        "intact_24h_ug_per_cm2": intact,
        "channel_share_first_6h": first_6h,
        "channel_depth_mm": depth_mm,
    }
