"""Skin-layer geometry by body site, sex and age.

The skin is four stacked layers, measured in mm from the surface: stratum corneum, viable
epidermis, papillary dermis and reticular dermis. Numbers come from
``dermasim/data/sites.toml``, where each carries its source (keys of ``references.bib``) and
evidence row (``evidence/physiology.csv``) or an explicit ``assumed`` with a reason.

How a geometry is built
-----------------------
1. Full skin thickness (epidermis + dermis, 50 MHz ultrasound) by site, sex and decade
   (rows TH-1..TH-5, FacialHFUS) is placed at the decade midpoints 25, 35 and 45 years and
   interpolated linearly between them. Below the first midpoint it is held constant
   (assumed: no younger data).
2. The epidermis is the facial site average 68.6 um (TH-7, Tsugita2013), of which the stratum
   corneum is 14.1 um (TH-8, Tsugita2013); the rest is viable epidermis. Dermis is full
   thickness minus epidermis.
3. Beyond the last decade midpoint with data, the dermis thins by 6 % per decade (AG-3) and
   the epidermis by 5.7 % (women) or 7.2 % (men) per decade (AG-2), both Branchet1990,
   compounding:

   .. math:: d(a) = d(a_\\mathrm{last}) \\, (1 + r/100)^{(a - a_\\mathrm{last})/10}

4. The papillary dermis is a fixed fraction (0.15, assumed: no evidence row) of the dermis;
   the reticular dermis is the rest.
5. The thickest dermis of a site (:func:`thickest_dermis_mm`), the most collagen it can hold
   (:mod:`dermasim.model.collagen`), is that of its thickest healthy young adults: the 20-29
   decade's full thickness plus 3 SD of that decade (TH-1 to TH-5; 99.9 % of young adults
   are thinner if thickness is normal; the 3 is assumed), minus the epidermis.

Periorbital skin uses the eyelid row TH-5 (women); for men it is scaled by the cheek
men/women ratio (assumed). Neck, decolletage and dorsal hand have no numbers in the evidence
(TH-9 has them but they were not retrieved): they are taken equal to the cheek (assumed).

References
----------
FacialHFUS, Tsugita2013, Branchet1990 (see ``dermasim/data/references.bib``).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from dermasim.errors import PatientError, invalid_value

__all__ = [
    "LAYERS",
    "SkinGeometry",
    "geometry_provenance",
    "site_names",
    "skin_geometry",
    "thickest_dermis_mm",
]

LAYERS: tuple[str, ...] = ("stratum_corneum", "viable_epidermis", "papillary", "reticular")
"""Layer names from the skin surface down."""

_AGE_MIN = 18.0
_AGE_MAX = 90.0
_SEXES = ("female", "male")


@dataclass(frozen=True)
class SkinGeometry:
    """Thickness of the four skin layers, in mm.

    Parameters
    ----------
    stratum_corneum_mm
        Stratum corneum thickness.
    viable_epidermis_mm
        Viable (living) epidermis thickness.
    papillary_mm
        Papillary dermis thickness.
    reticular_mm
        Reticular dermis thickness.
    """

    stratum_corneum_mm: float
    viable_epidermis_mm: float
    papillary_mm: float
    reticular_mm: float

    def __post_init__(self) -> None:
        for name in (
            "stratum_corneum_mm",
            "viable_epidermis_mm",
            "papillary_mm",
            "reticular_mm",
        ):
            value = getattr(self, name)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok or not math.isfinite(value) or value <= 0:
                raise PatientError(
                    invalid_value(
                        f"geometry.{name}", value, "a finite number above 0 mm", f"{name} = 0.5"
                    )
                )
            object.__setattr__(self, name, float(value))

    @property
    def epidermis_mm(self) -> float:
        """Stratum corneum plus viable epidermis, in mm."""
        return self.stratum_corneum_mm + self.viable_epidermis_mm

    @property
    def dermis_mm(self) -> float:
        """Papillary plus reticular dermis, in mm."""
        return self.papillary_mm + self.reticular_mm

    @property
    def total_mm(self) -> float:
        """Full skin thickness (epidermis plus dermis), in mm."""
        return self.epidermis_mm + self.dermis_mm

    def layer_bounds(self) -> dict[str, tuple[float, float]]:
        """Top and bottom of each layer, in mm from the skin surface.

        Returns
        -------
        dict
            Layer name (see :data:`LAYERS`) -> ``(top_mm, bottom_mm)``.
        """
        thickness = (
            self.stratum_corneum_mm,
            self.viable_epidermis_mm,
            self.papillary_mm,
            self.reticular_mm,
        )
        bounds: dict[str, tuple[float, float]] = {}
        top = 0.0
        for name, h in zip(LAYERS, thickness, strict=True):
            bounds[name] = (top, top + h)
            top += h
        return bounds

    def to_dict(self) -> dict[str, float]:
        """Layer thicknesses in mm, JSON-serialisable."""
        return {
            "stratum_corneum_mm": self.stratum_corneum_mm,
            "viable_epidermis_mm": self.viable_epidermis_mm,
            "papillary_mm": self.papillary_mm,
            "reticular_mm": self.reticular_mm,
        }


@cache
def _data() -> dict[str, Any]:
    text = resources.files("dermasim").joinpath("data/sites.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def site_names() -> tuple[str, ...]:
    """Body sites with geometry data, in file order."""
    return tuple(_data()["sites"])


def _check_site(site: Any) -> str:
    names = site_names()
    if site not in names:
        raise PatientError(
            invalid_value("site", site, "one of " + ", ".join(names), 'site = "cheek"')
        )
    return site


def _check_sex(sex: Any) -> str:
    if sex not in _SEXES:
        raise PatientError(invalid_value("sex", sex, "female or male", 'sex = "female"'))
    return sex


def _check_age(age: Any) -> float:
    ok = isinstance(age, int | float) and not isinstance(age, bool)
    if not ok or not math.isfinite(age) or not _AGE_MIN <= age <= _AGE_MAX:
        raise PatientError(invalid_value("age", age, "18 to 90 years", "age = 45"))
    return float(age)


def _full_thickness_series(site: str, sex: str) -> list[float]:
    """Full thickness (mm) at the decade midpoints for which the site has data."""
    entry = _data()["sites"][site]
    if "same_as" in entry:
        scale = float(entry["scale"])
        return [scale * v for v in _full_thickness_series(entry["same_as"], sex)]
    table = entry["full_thickness_mm"]
    if sex in table:
        return [float(v) for v in table[sex]]
    ref_site = entry["male_from_female_ratio_of"]
    ref = _data()["sites"][ref_site]["full_thickness_mm"]
    n = min(len(table["female"]), len(ref["female"]), len(ref["male"]))
    return [table["female"][i] * ref["male"][i] / ref["female"][i] for i in range(n)]


def _young_adult_sd_mm(site: str, sex: str) -> float:
    """SD of full thickness in the 20-29 decade (mm); scaled as the mean where the site's
    mean is (``same_as``, ``male_from_female_ratio_of``)."""
    entry = _data()["sites"][site]
    if "same_as" in entry:
        return float(entry["scale"]) * _young_adult_sd_mm(entry["same_as"], sex)
    sds = entry["full_thickness_sd_mm"]
    if sex in sds:
        return float(sds[sex])
    ref = _data()["sites"][entry["male_from_female_ratio_of"]]["full_thickness_mm"]
    return float(sds["female"]) * ref["male"][0] / ref["female"][0]


def thickest_dermis_mm(sex: str, site: str) -> float:
    """The thickest healthy young-adult dermis of a site, in mm.

    The 20-29 decade's full skin thickness plus ``thickest_young_adult_sds`` (3) SD of that
    decade (rows TH-1 to TH-5, FacialHFUS), minus the epidermis of the geometry (TH-7): the
    most collagen :mod:`dermasim.model.collagen` lets a treated dermis hold.

    Examples
    --------
    >>> round(thickest_dermis_mm("female", "cheek"), 3)
    2.461
    """
    sex = _check_sex(sex)
    site = _check_site(site)
    data = _data()
    sds = float(data["dermis"]["thickest_young_adult_sds"])
    mean = _full_thickness_series(site, sex)[0]
    epidermis = data["epidermis"]["total_um"] / 1000.0
    return mean + sds * _young_adult_sd_mm(site, sex) - epidermis


def skin_geometry(age: float, sex: str, site: str) -> SkinGeometry:
    """Layer thicknesses for a patient of given age, sex and body site.

    Parameters
    ----------
    age
        Age in years, 18 to 90.
    sex
        ``"female"`` or ``"male"``.
    site
        One of :func:`site_names` (cheek, forehead, periorbital, neck, decolletage,
        dorsal_hand).

    Returns
    -------
    SkinGeometry
        Thickness of each layer in mm.

    Raises
    ------
    PatientError
        If age, sex or site is not valid.

    Examples
    --------
    >>> round(skin_geometry(35, "female", "cheek").total_mm, 2)
    2.12
    """
    age = _check_age(age)
    sex = _check_sex(sex)
    site = _check_site(site)
    data = _data()
    series = _full_thickness_series(site, sex)
    mids = [float(m) for m in data["decades"]["midpoints_years"]][: len(series)]

    epi = data["epidermis"]
    sc = epi["stratum_corneum_um"] / 1000.0
    viable = (epi["total_um"] - epi["stratum_corneum_um"]) / 1000.0

    if age <= mids[0]:
        full = series[0]
    elif age <= mids[-1]:
        full = _interp(age, mids, series)
    else:
        full = series[-1]
    dermis = full - sc - viable

    if age > mids[-1]:
        decades = (age - mids[-1]) / 10.0
        ageing = data["ageing"]
        dermal = 1.0 + ageing["dermal_thinning_percent_per_decade"] / 100.0
        epidermal = 1.0 + ageing["epidermal_thinning_percent_per_decade"][sex] / 100.0
        dermis *= dermal**decades
        sc *= epidermal**decades
        viable *= epidermal**decades

    fraction = data["dermis"]["papillary_fraction"]
    return SkinGeometry(
        stratum_corneum_mm=sc,
        viable_epidermis_mm=viable,
        papillary_mm=fraction * dermis,
        reticular_mm=(1.0 - fraction) * dermis,
    )


def _interp(x: float, xs: list[float], ys: list[float]) -> float:
    for i in range(len(xs) - 1):
        if xs[i] <= x <= xs[i + 1]:
            w = (x - xs[i]) / (xs[i + 1] - xs[i])
            return ys[i] + w * (ys[i + 1] - ys[i])
    return ys[-1]


def _record(
    source: Any = (), evidence: Any = (), assumed: str | None = None, **extra: Any
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source": tuple(source),
        "evidence": tuple(evidence),
        "assumed": assumed,
    }
    out.update(extra)
    return out


def geometry_provenance(site: str) -> dict[str, dict[str, Any]]:
    """Where each number of a site's geometry comes from.

    Parameters
    ----------
    site
        One of :func:`site_names`.

    Returns
    -------
    dict
        Quantity name -> ``{"source": (bib keys...), "evidence": (row ids...),
        "assumed": reason or None, ...}``. Quantities: ``full_thickness_female``,
        ``full_thickness_male``, ``young_ages``, ``stratum_corneum``, ``viable_epidermis``,
        ``thickest_dermis``, ``papillary_fraction``, ``dermal_ageing``, ``epidermal_ageing``.

    Examples
    --------
    >>> geometry_provenance("cheek")["full_thickness_female"]["evidence"]
    ('TH-1', 'TH-2')
    >>> geometry_provenance("neck")["full_thickness_female"]["assumed"] is not None
    True
    """
    site = _check_site(site)
    data = _data()
    entry = data["sites"][site]
    epi = data["epidermis"]
    ageing = data["ageing"]
    dermis = data["dermis"]

    if "same_as" in entry:
        ref = geometry_provenance(entry["same_as"])
        note = f"equal to {entry['same_as']} times {entry['scale']}"
        full_f = _record(
            ref["full_thickness_female"]["source"],
            ref["full_thickness_female"]["evidence"],
            entry["assumed"],
            note=note,
            scale_range=tuple(entry["scale_range"]),
        )
        full_m = _record(
            ref["full_thickness_male"]["source"],
            ref["full_thickness_male"]["evidence"],
            entry["assumed"],
            note=note,
            scale_range=tuple(entry["scale_range"]),
        )
    else:
        full_f = _record(entry["source"], entry["evidence"])
        if "male" in entry["full_thickness_mm"]:
            full_m = _record(entry["source"], entry["evidence"])
        else:
            ref = data["sites"][entry["male_from_female_ratio_of"]]
            full_m = _record(
                tuple(entry["source"])
                + tuple(k for k in ref["source"] if k not in entry["source"]),
                tuple(entry["evidence"]) + tuple(ref["evidence"]),
                entry["male_assumed"],
            )

    epi_assumed = entry.get("epidermis_assumed")
    return {
        "full_thickness_female": full_f,
        "full_thickness_male": full_m,
        "young_ages": _record(assumed=data["decades"]["before_first"]),
        "stratum_corneum": _record(
            epi["stratum_corneum_source"],
            epi["stratum_corneum_evidence"],
            epi_assumed,
            value_um=epi["stratum_corneum_um"],
        ),
        "viable_epidermis": _record(
            tuple(epi["total_source"]),
            tuple(epi["total_evidence"]) + tuple(epi["stratum_corneum_evidence"]),
            epi_assumed,
            value_um=round(epi["total_um"] - epi["stratum_corneum_um"], 6),
            note=epi["note"],
        ),
        "thickest_dermis": _record(
            full_f["source"],
            full_f["evidence"],
            dermis["thickest_young_adult_assumed"],
            value_sds=dermis["thickest_young_adult_sds"],
        ),
        "papillary_fraction": _record(
            assumed=dermis["papillary_fraction_assumed"],
            value=dermis["papillary_fraction"],
            range=tuple(dermis["papillary_fraction_range"]),
        ),
        "dermal_ageing": _record(
            ageing["dermal_source"],
            ageing["dermal_evidence"],
            value_percent_per_decade=ageing["dermal_thinning_percent_per_decade"],
            note=ageing["note"],
        ),
        "epidermal_ageing": _record(
            ageing["epidermal_source"],
            ageing["epidermal_evidence"],
            value_percent_per_decade=dict(ageing["epidermal_thinning_percent_per_decade"]),
            note=ageing["note"],
        ),
    }
