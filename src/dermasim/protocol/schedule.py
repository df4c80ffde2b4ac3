"""Protocols: ordered courses of sessions, and the ways to make one.

:class:`Protocol` holds validated :class:`~dermasim.protocol.course.Course` objects (plain
data, :mod:`.course`); its constructors read the compact string (:mod:`.grammar`), TOML and
mappings (:mod:`.toml_io`) and the bundled protocols (:mod:`.bundled`), which sit below it and
know nothing of it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from .._files import looks_like_path
from ..errors import ProtocolError, invalid_value
from .bundled import BUNDLED_NAMES, bundled_text, near_bundled_name, unknown_bundled
from .course import FILLER_WINDOW_DAYS, MAX_FILLER_ML_PER_CM2, Course, Session, compact_string
from .grammar import parse_compact
from .toml_io import fields_to_toml, protocol_fields, toml_fields

__all__ = [
    "Protocol",
    "bundled_protocol",
    "bundled_protocols",
    "load_protocol",
    "protocol_from_dict",
    "protocol_from_toml",
    "protocol_to_toml",
]


@dataclass(frozen=True)
class Protocol:
    """An ordered set of treatment courses; no courses means no treatment.

    ``name`` and ``description`` are labels: they are not part of the compact string and
    do not take part in equality.

    Parameters
    ----------
    courses
        The courses (a list is accepted and stored as a tuple).
    name
        Short human label.
    description
        Longer free text.
    """

    courses: tuple[Course, ...] = ()
    name: str = field(default="", compare=False)
    description: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        courses = self.courses
        if isinstance(courses, Course):
            courses = (courses,)
        if not isinstance(courses, list | tuple):
            raise ProtocolError(
                invalid_value("courses", courses, "a tuple of Course", "courses = (Course(...),)")
            )
        for i, course in enumerate(courses):
            if not isinstance(course, Course):
                raise ProtocolError(
                    invalid_value(
                        f"course[{i}]", course, "a Course", 'Course("microneedling", 4, 30.0)'
                    )
                )
        object.__setattr__(self, "courses", tuple(courses))
        self._check_filler_totals()
        for label in ("name", "description"):
            if not isinstance(getattr(self, label), str):
                raise ProtocolError(
                    invalid_value(label, getattr(self, label), "a string", f'{label} = "..."')
                )

    def _check_filler_totals(self) -> None:
        """The gel ceiling of one session holds for a day's sessions together, and for the
        sessions of any :data:`~dermasim.protocol.course.FILLER_WINDOW_DAYS` (365) days
        together: gel injected within a year is never more than
        :data:`~dermasim.protocol.course.MAX_FILLER_ML_PER_CM2` (10 mm of gel, assumed),
        however it is split between sessions, since gel persists at least a year in people."""
        by_day: dict[float, float] = {}
        for session in self.sessions():
            c = session.course
            if c.treatment == "hyaluronic_filler" and c.volume_ml and c.area_cm2:
                by_day[session.day] = by_day.get(session.day, 0.0) + c.volume_ml / c.area_cm2
        ceiling = MAX_FILLER_ML_PER_CM2
        limit = f"at most {ceiling:g} mL per cm2 (10 mm of gel; assumed ceiling)"
        for day, total in by_day.items():
            if total > ceiling * (1 + 1e-12):
                raise ProtocolError(
                    invalid_value(
                        f"filler on day {day:g}: volume_ml / area_cm2 of the day's sessions",
                        round(total, 6),
                        limit + " for one day",
                        "one session of 1 mL over 10 cm2 that day",
                    )
                )
        days = sorted(by_day)
        for end in days:
            start = next(d for d in days if d > end - FILLER_WINDOW_DAYS)
            total = sum(by_day[d] for d in days if start <= d <= end)
            if total > ceiling * (1 + 1e-12):
                raise ProtocolError(
                    invalid_value(
                        f"filler from day {start:g} to day {end:g}: volume_ml / area_cm2 of "
                        "the sessions within a year",
                        round(total, 6),
                        f"{limit} within any {FILLER_WINDOW_DAYS:g} days (the gel persists "
                        "at least a year in people: HA-MRI-1, HA-MRI24-1)",
                        '"hyaluronic_filler 2 mL over 10 cm2; hyaluronic_filler 2 mL over '
                        '10 cm2 at day 180"',
                    )
                )

    # ------------------------------------------------------------------ constructors
    @classmethod
    def parse(cls, text: str) -> Protocol:
        """Parse a compact protocol string such as ``"4 x microneedling 1.5 mm every 30 days"``.

        See :mod:`dermasim.protocol.grammar` for the syntax.
        """
        return cls(courses=parse_compact(text))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Protocol:
        """Build a protocol from a mapping with the TOML schema (see :mod:`.toml_io`)."""
        return cls(**protocol_fields(data))

    @classmethod
    def from_toml(cls, source: str | os.PathLike[str]) -> Protocol:
        """Read a protocol from a TOML file path or from TOML text (see :mod:`.toml_io`)."""
        return cls(**toml_fields(source))

    @classmethod
    def load(cls, spec: str | os.PathLike[str]) -> Protocol:
        """Load a protocol from a TOML file, a bundled protocol name or a compact string.

        Parameters
        ----------
        spec
            A path (``os.PathLike``, or a string naming an existing file or ending in
            ``.toml``), the name of a bundled protocol (``"pn-standard"``) or a compact string.
        """
        if isinstance(spec, os.PathLike):
            return cls.from_toml(spec)
        if not isinstance(spec, str):
            raise ProtocolError(
                invalid_value(
                    "protocol",
                    spec,
                    "a file path, bundled name or protocol string",
                    '"pn-standard"',
                )
            )
        stripped = spec.strip()
        if stripped in BUNDLED_NAMES:
            return bundled_protocol(stripped)
        path = looks_like_path(stripped)
        if path is not None:
            return cls.from_toml(path)
        try:
            return cls.parse(spec)
        except ProtocolError:
            if " " not in stripped and near_bundled_name(stripped):
                raise unknown_bundled(stripped) from None
            raise

    # ------------------------------------------------------------------ views
    def to_dict(self) -> dict[str, Any]:
        """Return a canonical JSON-serialisable dict.

        Keys: ``name``, ``description`` (only when not empty), ``compact`` (``str(self)``)
        and ``course`` (a list of course dicts holding only the keys that apply).
        """
        out: dict[str, Any] = {"name": self.name}
        if self.description:
            out["description"] = self.description
        out["compact"] = str(self)
        out["course"] = [course.to_dict() for course in self.courses]
        return out

    def to_toml(self) -> str:
        """Return TOML text such that ``Protocol.from_toml(p.to_toml()) == p``."""
        return fields_to_toml(self.courses, self.name, self.description)

    def sessions(self) -> tuple[Session, ...]:
        """All sessions of all courses, sorted by day (ties keep course order)."""
        items = [
            Session(day=day, course_index=i, course=course)
            for i, course in enumerate(self.courses)
            for day in course.session_days()
        ]
        return tuple(sorted(items, key=lambda s: s.day))

    @property
    def treatments(self) -> frozenset[str]:
        """The set of treatments used."""
        return frozenset(course.treatment for course in self.courses)

    @property
    def last_session_day(self) -> float | None:
        """Day of the last session, or ``None`` for no treatment."""
        days = [day for course in self.courses for day in course.session_days()]
        return max(days) if days else None

    def _repr_html_(self) -> str:
        """A notebook's view: the compact string and each course's session days."""
        from html import escape

        items = "".join(
            f"<li><code>{escape(str(c))}</code>: days "
            f"{escape(', '.join(f'{d:g}' for d in c.session_days()))}</li>"
            for c in self.courses
        )
        return f"<p><b>Protocol</b> <code>{escape(str(self))}</code></p><ul>{items}</ul>"

    def __repr__(self) -> str:
        """``Protocol.parse('<compact string>')``: the protocol as the string that builds it."""
        return f"Protocol.parse({str(self)!r})"

    def __str__(self) -> str:
        """Canonical compact string; ``"no treatment"`` when there are no courses."""
        return compact_string(self.courses)


def protocol_from_dict(data: Mapping[str, Any]) -> Protocol:
    """Build a :class:`Protocol` from a mapping with the TOML schema (:mod:`.toml_io`).

    Raises
    ------
    ProtocolError
        For unknown keys, bad values, or a ``compact`` string that disagrees with ``course``.
    """
    return Protocol.from_dict(data)


def protocol_from_toml(source: str | os.PathLike[str]) -> Protocol:
    """Read a protocol from a TOML file or TOML text (:func:`.toml_io.toml_fields`)."""
    return Protocol.from_toml(source)


def protocol_to_toml(protocol: Protocol) -> str:
    """Write a protocol as TOML text that :func:`protocol_from_toml` reads back equal."""
    return protocol.to_toml()


def bundled_protocol(name: str) -> Protocol:
    """Return the bundled protocol called ``name``.

    Raises
    ------
    ProtocolError
        For an unknown name (of any type), listing the bundled names.
    """
    if not isinstance(name, str) or name not in BUNDLED_NAMES:
        raise unknown_bundled(name)
    return _bundled(name)


@cache
def _bundled(name: str) -> Protocol:
    return Protocol.from_toml(bundled_text(name))


def bundled_protocols() -> dict[str, Protocol]:
    """Return all bundled protocols by name, in :data:`BUNDLED_NAMES` order."""
    return {name: bundled_protocol(name) for name in BUNDLED_NAMES}


def load_protocol(spec: str | os.PathLike[str]) -> Protocol:
    """Load a protocol from a TOML file, a bundled protocol name or a compact string.

    Parameters
    ----------
    spec
        An ``os.PathLike``, or a string that names an existing file or ends in ``.toml``
        (read as TOML); a bundled name such as ``"pn-standard"``; else a compact string.

    Raises
    ------
    ProtocolError
        If none of these readings works; a near miss of a bundled name is pointed out.
    """
    return Protocol.load(spec)
