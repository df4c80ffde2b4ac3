"""Courses and sessions: the validated treatment plan objects.

A protocol (:mod:`dermasim.protocol.schedule`) is an ordered tuple of :class:`Course`
objects; this module holds the courses as plain validated data. A course is one treatment
repeated ``sessions`` times, ``interval_days`` apart, from ``start_day``. Every constructed
course is complete and canonical: settings that apply to its treatment and were left out are
filled with defaults, settings that do not apply are rejected.

Default settings and their sources:

* microneedling needle depth 1.5 mm (Harris2015: median needle length 1.5 mm);
* polynucleotide 2 mL of 20 mg/mL (Cavallini2022, clinic norm), injected at 1 mm
  (assumed: intradermal) over 60 cm2 (assumed: 40 to 60 points 1 to 1.5 cm apart);
* hyaluronic_filler 1 mL over 10 cm2 (assumed);
* topical: the bundled ``growth_factor_serum`` at its own concentration, 2 mg of product per
  cm2 (assumed: a thin film, of the order of the finite doses of skin-absorption studies),
  applied straight after needling (0 min) without occlusion.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

from ..errors import ProtocolError, invalid_value
from ..units import format_number
from .products import CONCENTRATION_RANGE, DEFAULT_PRODUCT, TopicalProduct, resolve_product

__all__ = [
    "COURSE_FIELDS",
    "FILLER_PLANES",
    "SETTINGS",
    "TREATMENTS",
    "TREATMENT_ALIASES",
    "Course",
    "Session",
    "compact_string",
    "make_course",
    "resolve_treatment",
]

TREATMENTS: tuple[str, ...] = ("microneedling", "polynucleotide", "hyaluronic_filler", "topical")

#: Other names accepted by the parsers (compact string, TOML, dict); lower case.
TREATMENT_ALIASES: dict[str, str] = {
    "pn": "polynucleotide",
    "pdrn": "polynucleotide",
    "ha_filler": "hyaluronic_filler",
    "ha-filler": "hyaluronic_filler",
    "ha filler": "hyaluronic_filler",
    "hyaluronic filler": "hyaluronic_filler",
    "filler": "hyaluronic_filler",
    "serum": "topical",
}


@dataclass(frozen=True)
class _Setting:
    """Range, unit and per-treatment defaults of one optional numeric course setting."""

    low: float
    high: float
    unit: str
    noun: str
    defaults: Mapping[str, float]
    ranges: Mapping[str, tuple[float, float]] = field(default_factory=dict)

    def range_for(self, treatment: str) -> tuple[float, float]:
        """Allowed range for ``treatment``."""
        return self.ranges.get(treatment, (self.low, self.high))


#: Optional treatment settings: field name -> range, unit and defaults by treatment.
#: A treatment missing from ``defaults`` does not accept the setting.
SETTINGS: dict[str, _Setting] = {
    "depth_mm": _Setting(0.1, 3.0, "mm", "depth", {"microneedling": 1.5, "polynucleotide": 1.0}),
    "volume_ml": _Setting(
        0.1, 10.0, "mL", "volume", {"polynucleotide": 2.0, "hyaluronic_filler": 1.0}
    ),
    "concentration_mg_per_ml": _Setting(
        1.0,
        40.0,
        "mg/mL",
        "concentration",
        # topical: the product's own concentration (see _normalise)
        {"polynucleotide": 20.0, "topical": math.nan},
        {"topical": CONCENTRATION_RANGE},
    ),
    "area_cm2": _Setting(
        1.0, 400.0, "cm2", "area", {"polynucleotide": 60.0, "hyaluronic_filler": 10.0}
    ),
    "dose_mg_per_cm2": _Setting(0.01, 50.0, "mg/cm2", "dose", {"topical": 2.0}),
    "minutes_after_needling": _Setting(
        0.0, 1440.0, "min", "delay after needling", {"topical": 0.0}
    ),
}

#: Course fields that are not numbers: the product (a name or a table) and occlusion (a
#: boolean), both of topical courses only.
TOPICAL_FIELDS: tuple[str, ...] = ("product", "occluded")

#: Planes a filler gel may be placed in: ``"dermal"`` (the default: in the dermis, where it
#: thickens the dermis and stretches its fibroblasts) or ``"subdermal"`` (below the dermis,
#: as for volume loss: the gel lifts the skin but neither thickens nor stretches the dermis).
FILLER_PLANES: tuple[str, ...] = ("dermal", "subdermal")

#: Course fields of filler courses only that are not numbers: the gel's plane.
FILLER_FIELDS: tuple[str, ...] = ("plane",)

#: All fields of a course, in canonical order.
COURSE_FIELDS: tuple[str, ...] = (
    "treatment",
    "sessions",
    "interval_days",
    "start_day",
    *SETTINGS,
    *TOPICAL_FIELDS,
    *FILLER_FIELDS,
)

MAX_SESSIONS = 24
INTERVAL_RANGE = (1.0, 730.0)
START_RANGE = (0.0, 3650.0)


def resolve_treatment(name: object, *, where: str = "course", aliases: bool = True) -> str:
    """Return the canonical treatment name for ``name``.

    Parameters
    ----------
    name
        A treatment name; aliases (``"pn"``, ``"ha filler"``...) only if ``aliases``.
    where
        Prefix of the field name in error messages, e.g. ``"course[1]"``.
    aliases
        Whether to accept aliases and any letter case.

    Raises
    ------
    ProtocolError
        For an unknown treatment, with a close match suggested when there is one.
    """
    allowed = ", ".join(TREATMENTS)
    if isinstance(name, str):
        if name in TREATMENTS:
            return name
        key = " ".join(name.lower().split())
        if aliases:
            if key in TREATMENTS:
                return key
            if key in TREATMENT_ALIASES:
                return TREATMENT_ALIASES[key]
        candidates = [*TREATMENTS, *TREATMENT_ALIASES] if aliases else list(TREATMENTS)
        close = difflib.get_close_matches(key, candidates, n=1, cutoff=0.6)
        if close:
            allowed += f" (did you mean {TREATMENT_ALIASES.get(close[0], close[0])!r}?)"
    raise ProtocolError(
        invalid_value(f"{where}.treatment", name, allowed, 'treatment = "microneedling"')
    )


#: Largest filler volume per treated area accepted (mL/cm2): 1 mL/cm2 is a 10 mm gel layer,
#: well above clinical volumes per area; an assumed guard against unphysical input.
MAX_FILLER_ML_PER_CM2 = 1.0

#: The window (days) within which filler sessions share :data:`MAX_FILLER_ML_PER_CM2`: gel
#: persists at least a year in people (MRI: no volume loss from month 1 to month 12, HA-MRI-1;
#: detectable at 2 years in 33 of 33 patients, HA-MRI24-1), so what a year's sessions inject
#: is present together. The window's length is assumed from those rows.
FILLER_WINDOW_DAYS = 365.0


def _number(
    value: object, name: str, low: float, high: float, unit: str, example: str, *, floats: bool
) -> float:
    show = repr if floats else format_number
    allowed = f"{show(low)} to {show(high)} {unit}".rstrip()
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ProtocolError(invalid_value(name, value, allowed, example))
    try:
        number = float(value) + 0.0
    except OverflowError:
        number = math.inf
    if not math.isfinite(number) or not low <= number <= high:
        raise ProtocolError(invalid_value(name, value, allowed, example))
    return number


def _normalise(values: Mapping[str, Any], where: str, *, aliases: bool) -> dict[str, Any]:
    """Validate course values and return them complete (defaults filled) and canonical."""
    treatment = resolve_treatment(values.get("treatment"), where=where, aliases=aliases)
    out: dict[str, Any] = {"treatment": treatment}

    sessions = values.get("sessions", 1)
    allowed = f"a whole number from 1 to {MAX_SESSIONS}"
    try:
        count = (
            float(sessions)
            if isinstance(sessions, Real) and not isinstance(sessions, bool)
            else 0.0
        )
    except OverflowError:
        count = 0.0
    if not (count.is_integer() and 1 <= count <= MAX_SESSIONS):
        raise ProtocolError(invalid_value(f"{where}.sessions", sessions, allowed, "sessions = 4"))
    out["sessions"] = int(count)

    interval = values.get("interval_days")
    if interval is not None:
        interval = _number(
            interval,
            f"{where}.interval_days",
            *INTERVAL_RANGE,
            "days",
            "interval_days = 30",
            floats=False,
        )
    if out["sessions"] > 1 and interval is None:
        raise ProtocolError(
            invalid_value(
                f"{where}.interval_days",
                None,
                f"1 to 730 days, required when sessions = {out['sessions']} > 1",
                "interval_days = 30",
            )
        )
    out["interval_days"] = interval if out["sessions"] > 1 else None

    start = values.get("start_day", 0.0)
    start = 0.0 if start is None else start
    out["start_day"] = _number(
        start, f"{where}.start_day", *START_RANGE, "days", "start_day = 0", floats=False
    )

    product = _topical_fields(values, treatment, where, out)
    for name, setting in SETTINGS.items():
        value = values.get(name)
        default = setting.defaults.get(treatment)
        if product is not None and name == "concentration_mg_per_ml":
            default = product.concentration_mg_per_ml
        if default is None:
            if value is not None:
                takers = ", ".join(t for t in TREATMENTS if t in setting.defaults)
                raise ProtocolError(
                    invalid_value(
                        f"{where}.{name}",
                        value,
                        f"no {name} for {treatment} (it applies to {takers})",
                        f"leave {name} out",
                    )
                )
            out[name] = None
            continue
        if value is None:
            out[name] = default
            continue
        out[name] = _number(
            value,
            f"{where}.{name}",
            *setting.range_for(treatment),
            f"{setting.unit} for {treatment}",
            f"{name} = {format_number(default)}",
            floats=True,
        )
    out["plane"] = _filler_plane(values.get("plane"), treatment, where)
    if treatment == "hyaluronic_filler":
        per_area = out["volume_ml"] / out["area_cm2"]
        if per_area > MAX_FILLER_ML_PER_CM2:
            raise ProtocolError(
                invalid_value(
                    f"{where}.volume_ml / area_cm2",
                    round(per_area, 6),
                    f"at most {format_number(MAX_FILLER_ML_PER_CM2)} mL per cm2 "
                    "(10 mm of gel; assumed ceiling)",
                    "volume_ml = 1, area_cm2 = 10",
                )
            )
    return out


def _filler_plane(plane: object, treatment: str, where: str) -> str | None:
    """The plane of a filler course (``"dermal"`` when not given); ``None`` for the others."""
    allowed = " or ".join(repr(p) for p in FILLER_PLANES)
    if treatment != "hyaluronic_filler":
        if plane is not None:
            raise ProtocolError(
                invalid_value(
                    f"{where}.plane",
                    plane,
                    f"no plane for {treatment} (it applies to hyaluronic_filler)",
                    "leave plane out",
                )
            )
        return None
    if plane is None:
        return FILLER_PLANES[0]
    if isinstance(plane, str) and plane.strip().lower() in FILLER_PLANES:
        return plane.strip().lower()
    raise ProtocolError(
        invalid_value(
            f"{where}.plane", plane, f"{allowed} for hyaluronic_filler", 'plane = "subdermal"'
        )
    )


def _topical_fields(
    values: Mapping[str, Any], treatment: str, where: str, out: dict[str, Any]
) -> TopicalProduct | None:
    """Fill ``product`` and ``occluded`` into ``out``; return the product of a topical course."""
    if treatment != "topical":
        for name in TOPICAL_FIELDS:
            if values.get(name) is not None:
                raise ProtocolError(
                    invalid_value(
                        f"{where}.{name}",
                        values[name],
                        f"no {name} for {treatment} (it applies to topical)",
                        f"leave {name} out",
                    )
                )
            out[name] = None
        return None
    product = values.get("product")
    out["product"] = resolve_product(
        DEFAULT_PRODUCT if product is None else product, where=f"{where}.product"
    )
    occluded = values.get("occluded")
    if occluded is None:
        occluded = False
    if not isinstance(occluded, bool):
        raise ProtocolError(
            invalid_value(f"{where}.occluded", occluded, "true or false", "occluded = true")
        )
    out["occluded"] = occluded
    return out["product"]


def make_course(*, where: str = "course", aliases: bool = True, **values: Any) -> Course:
    """Build a :class:`Course`, naming fields ``<where>.<field>`` in error messages.

    Parameters
    ----------
    where
        Prefix of field names in error messages, e.g. ``"course[2]"``.
    aliases
        Whether treatment aliases (``"pn"``, ``"ha filler"``...) are accepted.
    **values
        Course fields; unknown fields raise :class:`ProtocolError`.

    Returns
    -------
    Course
        The validated, complete course.
    """
    unknown = [key for key in values if key not in COURSE_FIELDS]
    if unknown:
        raise ProtocolError(
            invalid_value(
                f"{where}.{unknown[0]}",
                values[unknown[0]],
                "only the keys " + ", ".join(COURSE_FIELDS),
                "depth_mm = 1.5",
            )
        )
    return Course(**_normalise(values, where, aliases=aliases))


@dataclass(frozen=True)
class Course:
    """One treatment repeated ``sessions`` times, ``interval_days`` apart.

    Parameters
    ----------
    treatment
        One of :data:`TREATMENTS` (aliases are accepted only by the parsers).
    sessions
        Number of sessions, 1 to 24.
    interval_days
        Days between sessions, 1 to 730; required when ``sessions > 1`` and stored as
        ``None`` when ``sessions == 1``.
    start_day
        Day of the first session, 0 to 3650.
    depth_mm
        Needle depth (microneedling, 0.1 to 3.0, default 1.5) or injection depth
        (polynucleotide, 0.1 to 3.0, default 1.0); not allowed for hyaluronic_filler.
    volume_ml
        Injected volume per session: polynucleotide 0.1 to 10 (default 2.0),
        hyaluronic_filler 0.1 to 10 (default 1.0); not allowed for microneedling.
    concentration_mg_per_ml
        Polynucleotide only, 1 to 40 (default 20).
    area_cm2
        Treated area: polynucleotide 1 to 400 (default 60), hyaluronic_filler 1 to 400
        (default 10); not allowed for microneedling or topical.
    dose_mg_per_cm2
        Topical only: product applied per cm2, 0.01 to 50 (default 2).
    minutes_after_needling
        Topical only: minutes between a microneedling session on the same day and the
        application, 0 to 1440 (default 0); without needling that day the product meets
        intact skin.
    product
        Topical only: a bundled product's name (default ``"growth_factor_serum"``), a
        table of product keys or a :class:`~dermasim.protocol.products.TopicalProduct`.
        ``concentration_mg_per_ml`` defaults to the product's (1e-6 to 1000 for topical).
    occluded
        Topical only: whether the skin is occluded after application (default False).
    plane
        Hyaluronic filler only: where the gel is placed, ``"dermal"`` (default) or
        ``"subdermal"`` (:data:`FILLER_PLANES`).

    Raises
    ------
    ProtocolError
        If any value is missing, of the wrong type, out of range or not applicable.
    """

    treatment: str
    sessions: int = 1
    interval_days: float | None = None
    start_day: float = 0.0
    depth_mm: float | None = None
    volume_ml: float | None = None
    concentration_mg_per_ml: float | None = None
    area_cm2: float | None = None
    dose_mg_per_cm2: float | None = None
    minutes_after_needling: float | None = None
    product: TopicalProduct | None = None
    occluded: bool | None = None
    plane: str | None = None

    def __post_init__(self) -> None:
        values = {name: getattr(self, name) for name in COURSE_FIELDS}
        for name, value in _normalise(values, "course", aliases=False).items():
            object.__setattr__(self, name, value)

    def session_days(self) -> tuple[float, ...]:
        """Days of the sessions: ``start_day + k * interval_days`` for ``k < sessions``."""
        if self.sessions == 1 or self.interval_days is None:
            return (self.start_day,)
        return tuple(self.start_day + k * self.interval_days for k in range(self.sessions))

    @property
    def dose_mg(self) -> float | None:
        """Polynucleotide mass per session in mg (volume times concentration), else ``None``."""
        if self.volume_ml is None or self.concentration_mg_per_ml is None:
            return None
        return self.volume_ml * self.concentration_mg_per_ml

    def to_dict(self) -> dict[str, Any]:
        """Return the course as a dict holding only the keys that apply (TOML schema)."""
        out: dict[str, Any] = {"treatment": self.treatment, "sessions": self.sessions}
        if self.interval_days is not None:
            out["interval_days"] = self.interval_days
        out["start_day"] = self.start_day
        for name in SETTINGS:
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        if self.product is not None:
            out["product"] = (
                self.product.name if self.product.is_bundled else self.product.to_dict()
            )
            out["occluded"] = self.occluded
        if self.plane is not None:
            out["plane"] = self.plane
        return out

    def __str__(self) -> str:
        """Canonical compact form, e.g. ``4 x microneedling 1.5 mm every 30 days``."""
        words = [f"{self.sessions} x {self.treatment}"]
        if self.product is not None:
            words.append(self.product.name)
        if self.treatment == "microneedling":
            words.append(f"{format_number(self.depth_mm or 0.0)} mm")
        if self.volume_ml is not None:
            words.append(f"{format_number(self.volume_ml)} mL")
        if self.plane == "subdermal":
            words.append("subdermal")
        if self.concentration_mg_per_ml is not None:
            words.append(f"{format_number(self.concentration_mg_per_ml)} mg/mL")
        if self.dose_mg_per_cm2 is not None:
            words.append(f"{format_number(self.dose_mg_per_cm2)} mg/cm2")
        if self.minutes_after_needling is not None:
            words.append(f"{format_number(self.minutes_after_needling)} min after needling")
        if self.occluded:
            words.append("occluded")
        if self.treatment != "microneedling" and self.depth_mm is not None:
            words.append(f"at {format_number(self.depth_mm)} mm")
        if self.area_cm2 is not None:
            words.append(f"over {format_number(self.area_cm2)} cm2")
        if self.interval_days is not None:
            unit = "day" if self.interval_days == 1 else "days"
            words.append(f"every {format_number(self.interval_days)} {unit}")
        if self.start_day != 0:
            words.append(f"from day {format_number(self.start_day)}")
        return " ".join(words)


@dataclass(frozen=True)
class Session:
    """One treatment session of a protocol.

    Parameters
    ----------
    day
        Day of the session.
    course_index
        Index of its course in :attr:`Protocol.courses`.
    course
        The course it belongs to.
    """

    day: float
    course_index: int
    course: Course


def compact_string(courses: tuple[Course, ...]) -> str:
    """Canonical compact string of a sequence of courses; ``"no treatment"`` for none."""
    if not courses:
        return "no treatment"
    return "; ".join(str(course) for course in courses)
