"""One model parameter: value, unit, bounds, prior, source, evidence grade and note."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError, invalid_value
from .priors import Prior

__all__ = ["EVIDENCE_GRADES", "Parameter"]

EVIDENCE_GRADES = ("human-in-vivo", "human-in-vitro", "animal", "model-fit", "assumed")
_KEYS = {
    "value",
    "unit",
    "bounds",
    "prior",
    "source",
    "evidence",
    "note",
    "rows",
    "population_sd",
    "population_rows",
}


@dataclass(frozen=True)
class Parameter:
    """A parameter record as stored in a bundled TOML parameter set.

    Attributes
    ----------
    name
        Identifier used by the model (``snake_case``).
    value
        Point value used by point runs (for a lognormal prior, its median).
    unit
        Unit string, e.g. ``"1/day"`` or ``"1"`` for dimensionless.
    bounds
        Physiological bounds; priors are truncated to them.
    prior
        The prior distribution.
    source
        Keys of ``references.bib``; empty only when ``evidence == "assumed"``.
    evidence
        One of :data:`EVIDENCE_GRADES`.
    note
        How the number was obtained, or why it is assumed.
    rows
        Evidence-table row ids the number rests on (e.g. ``("WH-5",)``).
    population_sd
        Between-patient standard deviation on the bounded scale of
        :mod:`dermasim.parameters.variability` (0: none known); virtual patients draw their
        own value around each draw.
    population_rows
        Evidence-table row ids the spread rests on; required when ``population_sd > 0``
        (the note says how the spread was derived from them).
    """

    name: str
    value: float
    unit: str
    bounds: tuple[float, float]
    prior: Prior
    source: tuple[str, ...]
    evidence: str
    note: str
    rows: tuple[str, ...] = ()
    population_sd: float = 0.0
    population_rows: tuple[str, ...] = ()

    @property
    def assumed(self) -> bool:
        """True when no source supports the number."""
        return self.evidence == "assumed"

    @classmethod
    def from_record(cls, name: str, data: dict[str, Any]) -> Parameter:
        """Validate one TOML record and build the parameter."""
        where = f"parameter {name}"
        unknown = set(data) - _KEYS
        if unknown:
            key = sorted(unknown)[0]
            raise ParameterError(
                invalid_value(
                    f"{where}.{key}",
                    data[key],
                    "keys " + ", ".join(sorted(_KEYS)),
                    "unit = '1/day'",
                )
            )
        bounds = data.get("bounds")
        if (
            not isinstance(bounds, list)
            or len(bounds) != 2
            or not all(isinstance(b, int | float) and math.isfinite(b) for b in bounds)
            or not bounds[0] < bounds[1]
        ):
            raise ParameterError(
                invalid_value(
                    f"{where}.bounds",
                    bounds,
                    "[lower, upper] with lower < upper",
                    "bounds = [0.1, 1.0]",
                )
            )
        lo, hi = float(bounds[0]), float(bounds[1])
        value = data.get("value")
        if not isinstance(value, int | float) or not lo <= value <= hi:
            raise ParameterError(
                invalid_value(
                    f"{where}.value", value, f"a number within {lo:g} to {hi:g}", "value = 0.4"
                )
            )
        unit = data.get("unit")
        if not isinstance(unit, str) or not unit:
            raise ParameterError(
                invalid_value(f"{where}.unit", unit, "a unit string", "unit = '1/day'")
            )
        evidence = data.get("evidence")
        if evidence not in EVIDENCE_GRADES:
            raise ParameterError(
                invalid_value(
                    f"{where}.evidence",
                    evidence,
                    "one of " + ", ".join(EVIDENCE_GRADES),
                    "evidence = 'assumed'",
                )
            )
        source = data.get("source", [])
        if isinstance(source, str):
            source = [source]
        note = data.get("note", "")
        if evidence == "assumed" and not str(note).strip():
            raise ParameterError(
                invalid_value(
                    f"{where}.note",
                    note,
                    "a reason, since the value is assumed",
                    "note = 'no measurement found; wide prior'",
                )
            )
        if evidence != "assumed" and not source:
            raise ParameterError(
                invalid_value(
                    f"{where}.source",
                    source,
                    "one or more keys of references.bib unless evidence = 'assumed'",
                    "source = ['Waugh2006']",
                )
            )
        prior = Prior.from_record(name, dict(data.get("prior", {})), (lo, hi))
        spread = data.get("population_sd", 0.0)
        if (
            isinstance(spread, bool)
            or not isinstance(spread, int | float)
            or not math.isfinite(spread)
            or not 0 <= spread <= 5
        ):
            raise ParameterError(
                invalid_value(
                    f"{where}.population_sd", spread, "a number from 0 to 5", "population_sd = 0.2"
                )
            )
        spread_rows = data.get("population_rows", [])
        if spread > 0 and (
            not isinstance(spread_rows, list)
            or not spread_rows
            or not all(isinstance(r, str) and r for r in spread_rows)
        ):
            raise ParameterError(
                invalid_value(
                    f"{where}.population_rows",
                    spread_rows,
                    "a list of the evidence rows the between-patient spread rests on",
                    "population_rows = ['AG-4']",
                )
            )
        return cls(
            name=name,
            value=float(value),
            unit=unit,
            bounds=(lo, hi),
            prior=prior,
            source=tuple(source),
            evidence=evidence,
            note=str(note),
            rows=tuple(data.get("rows", ())),
            population_sd=float(spread),
            population_rows=tuple(spread_rows),
        )
