"""Protocols as TOML files and plain mappings: their fields read and written.

The readers return the fields of a protocol (``courses``, ``name``, ``description``) as a
plain mapping; :class:`dermasim.protocol.Protocol` is built from them one layer up
(:mod:`dermasim.protocol.schedule`).

Schema (unknown keys are errors)::

    name = "SkinPen, 4 sessions a month apart"   # optional label
    description = "..."                          # optional free text
    compact = "4 x microneedling ..."            # optional; checked against [[course]]

    [[course]]
    treatment = "microneedling"   # required; aliases such as "pn" or "ha filler" accepted
    sessions = 4                  # optional, default 1
    interval_days = 30            # required when sessions > 1
    start_day = 0                 # optional, default 0
    depth_mm = 1.5                # microneedling, polynucleotide
    # volume_ml, area_cm2 (polynucleotide, hyaluronic_filler);
    # concentration_mg_per_ml (polynucleotide, topical)

    [[course]]
    treatment = "topical"
    product = "growth_factor_serum"  # a bundled product, or a table: { name = "...",
                                     # active = "...", mw_da = 802, log_kow = 1.5,
                                     # intact_route = "two_pathway", "pore" or "none"
                                     # (no log_kow for the last two),
                                     # concentration_mg_per_ml = 0.1,
                                     # action = "growth_signal" or "none" }
    dose_mg_per_cm2 = 2           # product per area
    minutes_after_needling = 0    # delay after a microneedling session on the same day
    occluded = false

Numbers are in internal units (days, mm, mL, mg/mL, cm2, mg/cm2; minutes for
``minutes_after_needling``); a string with a unit such as
``interval_days = "4 weeks"`` is also accepted. A file with no ``[[course]]`` (or with
``course = []``) is a valid protocol with no treatment. A file with only ``compact`` takes
its courses from the compact string.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import tomli_w

from .._files import loads_toml, looks_like_path, read_text, toml_problem
from ..errors import ProtocolError, invalid_value
from ..units import to_cm2, to_days, to_mg_per_cm2, to_mg_per_ml, to_minutes, to_ml, to_mm
from .course import COURSE_FIELDS, Course, compact_string, make_course
from .grammar import parse_compact

__all__ = ["TOP_LEVEL_KEYS", "fields_to_toml", "protocol_fields", "toml_fields"]

#: Keys allowed at the top level of a protocol TOML file or mapping.
TOP_LEVEL_KEYS: tuple[str, ...] = ("name", "description", "compact", "course")

_TOML_EXAMPLE = '"[[course]] treatment = \\"microneedling\\" sessions = 4 interval_days = 30"'
_CONVERTERS: dict[str, Callable[..., float]] = {
    "interval_days": to_days,
    "start_day": to_days,
    "depth_mm": to_mm,
    "volume_ml": to_ml,
    "concentration_mg_per_ml": to_mg_per_ml,
    "area_cm2": to_cm2,
    "dose_mg_per_cm2": to_mg_per_cm2,
    "minutes_after_needling": to_minutes,
}


def _course_from_mapping(data: object, index: int) -> Course:
    where = f"course[{index}]"
    if not isinstance(data, Mapping):
        raise ProtocolError(invalid_value(where, data, "a table of course settings", _TOML_EXAMPLE))
    values: dict[str, Any] = {}
    for key, value in data.items():
        if key not in COURSE_FIELDS:
            raise ProtocolError(
                invalid_value(
                    f"{where}.{key}",
                    value,
                    "only the keys " + ", ".join(COURSE_FIELDS),
                    "depth_mm = 1.5",
                )
            )
        if key in _CONVERTERS and isinstance(value, str):
            value = _CONVERTERS[key](value, field=f"{where}.{key}")
        values[key] = value
    if "treatment" not in values:
        raise ProtocolError(
            invalid_value(
                f"{where}.treatment", None, "a treatment name (required)", 'treatment = "pn"'
            )
        )
    return make_course(where=where, **values)


def protocol_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a protocol (``courses``, ``name``, ``description``) from a mapping with
    the TOML schema.

    Parameters
    ----------
    data
        Keys ``name``, ``description``, ``compact`` and ``course`` (a list of mappings),
        all optional. ``Protocol.to_dict()`` output is accepted.

    Raises
    ------
    ProtocolError
        For unknown keys, bad values, or a ``compact`` string that disagrees with ``course``.
    """
    if not isinstance(data, Mapping):
        raise ProtocolError(
            invalid_value("protocol", data, "a mapping with the keys name, course", _TOML_EXAMPLE)
        )
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise ProtocolError(
                invalid_value(
                    str(key),
                    data[key],
                    "only the top-level keys " + ", ".join(TOP_LEVEL_KEYS),
                    'name = "my protocol"',
                )
            )
    labels = {}
    for label in ("name", "description"):
        value = data.get(label, "")
        if not isinstance(value, str):
            raise ProtocolError(invalid_value(label, value, "a string", f'{label} = "..."'))
        labels[label] = value

    raw_courses = data.get("course")
    courses: tuple[Course, ...] | None = None
    if raw_courses is not None:
        if not isinstance(raw_courses, list | tuple):
            raise ProtocolError(
                invalid_value("course", raw_courses, "an array of tables [[course]]", _TOML_EXAMPLE)
            )
        courses = tuple(_course_from_mapping(item, i) for i, item in enumerate(raw_courses))

    compact = data.get("compact")
    if courses is not None and isinstance(compact, str) and compact == compact_string(courses):
        compact = None  # the canonical form of the courses (it may name a custom product)
    if compact is not None:
        if not isinstance(compact, str):
            raise ProtocolError(
                invalid_value("compact", compact, "a protocol string", 'compact = "none"')
            )
        parsed = parse_compact(compact)
        if courses is not None and parsed != courses:
            expected = compact_string(courses)
            raise ProtocolError(
                invalid_value(
                    "compact",
                    compact,
                    "a string that agrees with the [[course]] tables",
                    f"compact = {expected!r} or leave compact out",
                )
            )
        courses = parsed
    return {"courses": courses or (), **labels}


def _read_source(source: str | os.PathLike[str]) -> str:
    """Return TOML text: read a file for paths, pass TOML text through."""
    path: Path | None = None
    if isinstance(source, os.PathLike):
        path = Path(source)
    elif isinstance(source, str):
        if "=" not in source:
            path = looks_like_path(source)
    else:
        raise ProtocolError(
            invalid_value(
                "protocol TOML", source, "a path or TOML text", 'Protocol.from_toml("plan.toml")'
            )
        )
    if path is None:
        return source  # type: ignore[return-value]
    try:
        return read_text(path)
    except FileNotFoundError:
        raise ProtocolError(
            invalid_value(
                "protocol file", str(path), "an existing TOML file", "protocol file = plan.toml"
            )
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = " ".join(str(exc).split())
        raise ProtocolError(
            invalid_value(
                "protocol file",
                str(path),
                f"a readable UTF-8 TOML file ({reason})",
                "protocol file = plan.toml",
            )
        ) from None


def toml_fields(source: str | os.PathLike[str]) -> dict[str, Any]:
    """The fields of a protocol read from a TOML file or TOML text.

    Parameters
    ----------
    source
        An ``os.PathLike`` path; a one-line string that names an existing file or ends in
        ``.toml`` (a path); otherwise TOML text.

    Raises
    ------
    ProtocolError
        For a missing or unreadable file, malformed TOML or an invalid protocol.
    """
    text = _read_source(source)
    try:
        data = loads_toml(text)
    except tomllib.TOMLDecodeError as exc:
        if isinstance(source, os.PathLike) or text is not source:
            raise ProtocolError(
                invalid_value(
                    "protocol file",
                    str(source),
                    f"valid TOML ({toml_problem(exc)})",
                    "protocol file = plan.toml",
                )
            ) from None
        raise ProtocolError(
            f"protocol TOML is malformed: {toml_problem(exc)}; for example {_TOML_EXAMPLE}"
        ) from None
    fields = protocol_fields(data)  # unknown keys and bad courses first
    if "course" not in data and "compact" not in data:  # a file must ask for no treatment
        raise ProtocolError(
            invalid_value(
                "course",
                "(missing)",
                "[[course]] tables, a compact string, or course = [] for no treatment",
                _TOML_EXAMPLE,
            )
        )
    return fields


def _plain(value: Any) -> Any:
    """Write integral floats as TOML integers for readability (they read back equal)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def fields_to_toml(courses: tuple[Course, ...], name: str, description: str) -> str:
    """TOML text of a protocol's fields that :func:`toml_fields` reads back equal."""
    data: dict[str, Any] = {"name": name}
    if description:
        data["description"] = description
    data["course"] = [
        {key: _plain(value) for key, value in course.to_dict().items()} for course in courses
    ]
    return tomli_w.dumps(data)
