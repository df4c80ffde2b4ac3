"""The course space the planner searches: usual clinical ranges, enumerated as a grid.

Every candidate is a protocol built from the compact grammar, so each plan prints as the
string a practitioner could paste into ``dermasim simulate``. The ranges and their sources:

==================== ============================ ==============================================
treatment            settings searched            source
==================== ============================ ==============================================
microneedling        depth 0.5, 1.0, 1.5, 2.0 mm;  DESIGN notes (usual depths 0.25-2.5 mm);
                     1 to 6 sessions, 14, 28 or   Harris2015 (MN-H15-1: median 3 sessions,
                     42 days apart                4 weeks, 1.5 mm); Kenkel2021 and Ablon2018
                                                  (4 sessions, 30 days); bundled 6 x 14 days
polynucleotide       2, 3 or 4 sessions, 14 or    PN-CL-1 (3-4 sessions 2-4 weeks apart);
                     28 days apart; 2 mL of       Cavallini2022 (the bundled pn-standard)
                     20 mg/mL at 1 mm
hyaluronic_filler    0.5, 1 or 2 mL over 10 cm2   assumed (the bundled ha-filler-single is
                                                  1 mL over 10 cm2)
maintenance          one more session of the      PN-CL-1 (maintenance every 6 to 12 months)
                     course's treatment on day
                     180, for courses ending by
                     day 138 (horizons past 180)
topical after        the bundled growth-factor    the bundled microneedling-growth-factor-serum
needling             serum after every needling   course (its effect parameters are assumed)
                     session (3 or 4 sessions,
                     28 days, 1.5 mm)
combination          the needling norm with       the bundled pn-plus-microneedling course
                     3 PN sessions 28 days apart
                     from day 14
==================== ============================ ==============================================

Needle and injection depths deeper than the patient's skin at the site are left out of the
grid (and reported as left out); the screen refuses them anyway.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..protocol import Protocol
from ..units import format_number

__all__ = ["MAINTENANCE_DAY", "MIN_GAP_DAYS", "Candidate", "SearchSpace"]

#: Day of the optional maintenance session (PN-CL-1: every 6 to 12 months).
MAINTENANCE_DAY = 180.0

#: Maintenance is tried only for courses that end at least this many days before it (the
#: longest interval of the needling grid, so that it is not one more induction session).
MIN_GAP_DAYS = 42.0


@dataclass(frozen=True)
class Candidate:
    """One course of the grid.

    Attributes
    ----------
    protocol
        The protocol.
    family
        ``"microneedling"``, ``"polynucleotide"``, ``"hyaluronic_filler"``,
        ``"microneedling + topical"`` or ``"microneedling + polynucleotide"``.
    """

    protocol: Protocol
    family: str

    @property
    def compact(self) -> str:
        return str(self.protocol)


def _n(x: float) -> str:
    return format_number(x)


@dataclass(frozen=True)
class SearchSpace:
    """The grid of courses the planner evaluates (see the module docstring for sources).

    Parameters
    ----------
    needle_depths_mm, needling_sessions, needling_intervals_days
        The microneedling grid.
    pn_sessions, pn_intervals_days
        The polynucleotide grid (2 mL of 20 mg/mL at 1 mm over 60 cm2 per session).
    filler_volumes_ml
        Hyaluronic filler volumes, over 10 cm2.
    maintenance
        Also try each single-treatment course with one more session on day 180.
    combinations
        Also try needling with the growth-factor serum, and needling with polynucleotide.
    """

    needle_depths_mm: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0)
    needling_sessions: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
    needling_intervals_days: tuple[float, ...] = (14.0, 28.0, 42.0)
    pn_sessions: tuple[int, ...] = (2, 3, 4)
    pn_intervals_days: tuple[float, ...] = (14.0, 28.0)
    filler_volumes_ml: tuple[float, ...] = (0.5, 1.0, 2.0)
    maintenance: bool = True
    combinations: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable description of the grid."""
        return {
            "microneedling": {
                "depth_mm": list(self.needle_depths_mm),
                "sessions": list(self.needling_sessions),
                "interval_days": list(self.needling_intervals_days),
            },
            "polynucleotide": {
                "sessions": list(self.pn_sessions),
                "interval_days": list(self.pn_intervals_days),
                "per_session": "2 mL of 20 mg/mL at 1 mm over 60 cm2",
            },
            "hyaluronic_filler": {"volume_ml": list(self.filler_volumes_ml), "area_cm2": 10},
            "maintenance_day": MAINTENANCE_DAY if self.maintenance else None,
            "combinations": [
                "microneedling + growth-factor serum after each session",
                "microneedling + polynucleotide",
            ]
            if self.combinations
            else [],
        }

    def candidates(
        self,
        treatments: Iterable[str],
        *,
        horizon_days: float,
        max_depth_mm: float,
    ) -> list[Candidate]:
        """The courses of the grid that use only ``treatments``.

        Parameters
        ----------
        treatments
            Allowed treatments.
        horizon_days
            Sessions must fall before the horizon; maintenance is tried only when day 180
            falls inside it.
        max_depth_mm
            Needle and injection depths above this (the patient's skin) are left out.
        """
        allowed = set(treatments)
        maintain = self.maintenance and horizon_days > MAINTENANCE_DAY
        texts: list[tuple[str, str]] = []

        def course(n: int, name: str, settings: str, interval: float | None) -> str:
            every = f" every {_n(interval)} days" if n > 1 and interval is not None else ""
            return f"{n} x {name}{settings}{every}"

        def add(family: str, base: str, repeat: str, last_day: float) -> None:
            texts.append((family, base))
            if maintain and last_day + MIN_GAP_DAYS <= MAINTENANCE_DAY:
                texts.append((family, f"{base}; 1 x {repeat} from day {_n(MAINTENANCE_DAY)}"))

        if "microneedling" in allowed:
            for depth in self.needle_depths_mm:
                if depth > max_depth_mm:
                    continue
                for n in self.needling_sessions:
                    for interval in self.needling_intervals_days if n > 1 else (None,):
                        if interval is not None and (n - 1) * interval >= horizon_days:
                            continue
                        base = course(n, "microneedling", f" {_n(depth)} mm", interval)
                        last = (n - 1) * (interval or 0.0)
                        add("microneedling", base, f"microneedling {_n(depth)} mm", last)
        if "polynucleotide" in allowed and max_depth_mm >= 1.0:
            for n in self.pn_sessions:
                for interval in self.pn_intervals_days:
                    if (n - 1) * interval >= horizon_days:
                        continue
                    add("polynucleotide", course(n, "pn", "", interval), "pn", (n - 1) * interval)
        if "hyaluronic_filler" in allowed:
            for volume in self.filler_volumes_ml:
                settings = f" {_n(volume)} mL over 10 cm2"
                base = course(1, "filler", settings, None)
                add("hyaluronic_filler", base, f"filler{settings}", 0.0)
        if self.combinations and "microneedling" in allowed and max_depth_mm >= 1.5:
            if "topical" in allowed:
                for n in (3, 4):
                    texts.append(
                        (
                            "microneedling + topical",
                            f"{n} x microneedling 1.5 mm every 28 days; {n} x serum every 28 days",
                        )
                    )
            if "polynucleotide" in allowed and horizon_days > 56.0 + 14.0:
                texts.append(
                    (
                        "microneedling + polynucleotide",
                        "3 x microneedling 1.5 mm every 28 days; 3 x pn every 28 days from day 14",
                    )
                )
        seen: set[str] = set()
        out = []
        for family, text in texts:
            protocol = Protocol.parse(text)
            if str(protocol) in seen:
                continue
            seen.add(str(protocol))
            out.append(Candidate(protocol, family))
        return out
