"""Units, names and source notes of the SBML model (see :mod:`.sbml`).

Every model and observation parameter gets its SBML unit (a unit definition built from its
record's unit string), a name ``"<name> [<unit>]"``, notes with its evidence grade, sources
(cited in plain text, with their evidence rows) and the record's note, and, where a source has
a DOI, a MIRIAM annotation ``bqbiol:isDescribedBy`` ``https://doi.org/<doi>``. The model's
time unit is the day. States are relative contents (dimensionless) unless listed in
:data:`STATE_UNITS`.
"""

from __future__ import annotations

import html
from typing import Any

from ..errors import DermasimError
from ..parameters.record import Parameter
from ..references import bib_fields, format_plain

__all__ = ["CONDITION_UNITS", "STATE_UNITS", "UNITS", "add_unit_definitions", "annotate", "unit_id"]

_DAY, _YEAR, _HOUR = 86400.0, 31557600.0, 3600.0

#: dermasim unit strings -> (SBML unit id, [(kind, exponent, scale, multiplier), ...]).
UNITS: dict[str, tuple[str, list[tuple[str, int, int, float]]]] = {
    "1": ("dimensionless", []),
    "grade": ("dimensionless", []),
    "log10(cm/s)": ("dimensionless", []),
    "%": ("percent", [("dimensionless", 1, 0, 0.01)]),
    "grade/%": ("per_percent", [("dimensionless", -1, 0, 0.01)]),
    "day": ("day", [("second", 1, 0, _DAY)]),
    "1/day": ("per_day", [("second", -1, 0, _DAY)]),
    "year": ("year", [("second", 1, 0, _YEAR)]),
    "1/year": ("per_year", [("second", -1, 0, _YEAR)]),
    "h": ("hour", [("second", 1, 0, _HOUR)]),
    "mm": ("mm", [("metre", 1, -3, 1.0)]),
    "grade/mm": ("per_mm", [("metre", -1, -3, 1.0)]),
    "um": ("um", [("metre", 1, -6, 1.0)]),
    "1/cm2": ("per_cm2", [("metre", -2, -2, 1.0)]),
    "cm2/s": ("cm2_per_s", [("metre", 2, -2, 1.0), ("second", -1, 0, 1.0)]),
    "mg/cm2": ("mg_per_cm2", [("gram", 1, -3, 1.0), ("metre", -2, -2, 1.0)]),
    "ng/cm2": ("ng_per_cm2", [("gram", 1, -9, 1.0), ("metre", -2, -2, 1.0)]),
    "mL/cm2": ("mL_per_cm2", [("metre", 1, -2, 1.0)]),  # 1 mL/cm2 = 1 cm of gel
}

#: States that are not relative contents, by state name (without the layer).
STATE_UNITS: dict[str, str] = {
    "pn_depot": "mg/cm2",
    "topical_depot": "ng/cm2",
    "filler_gel": "mL/cm2",
    "filler_gel_subdermal": "mL/cm2",
    "filler_injected": "mL/cm2",
}

#: Units of the condition parameters, by id or by the id before the slot number.
CONDITION_UNITS: dict[str, str] = {
    "age0": "year",
    "ageing_span_years": "year",
    "ageing_step_years": "year",
    "offset_days": "day",
    "uv_low": "1",
    "uv_high": "1",
    "smoker": "1",
    "session_day": "day",
    "mn": "1",
    "pn": "1",
    "ha": "1",
    "mn_depth_mm": "mm",
    "pn_depth_mm": "mm",
    "pn_dose_mg_per_cm2": "mg/cm2",
    "ha_gel_ml_per_cm2": "mL/cm2",
    "ha_subdermal": "1",
}


def unit_id(unit: str) -> str:
    """SBML unit id of a dermasim unit string."""
    if unit not in UNITS:
        raise DermasimError(
            f"unit {unit!r} has no SBML unit definition; allowed: {', '.join(UNITS)}; for "
            "example unit = '1/day'"
        )
    return UNITS[unit][0]


def add_unit_definitions(libsbml: Any, model: Any) -> None:
    """Define every unit of :data:`UNITS` (but ``dimensionless``, which SBML has) and set
    the model's time unit to the day."""
    done = set()
    for uid, parts in UNITS.values():
        if uid == "dimensionless" or uid in done:
            continue
        done.add(uid)
        definition = model.createUnitDefinition()
        definition.setId(uid)
        for kind, exponent, scale, multiplier in parts:
            u = definition.createUnit()
            u.setKind(libsbml.UnitKind_forName(kind))
            u.setExponent(exponent)
            u.setScale(scale)
            u.setMultiplier(multiplier)
    model.setTimeUnits("day")


def _notes(record: Parameter) -> str:
    cited = "; ".join(html.escape(format_plain(key)) for key in record.source) or "none"
    rows = ", ".join(record.rows) or "none"
    lines = [
        f"unit: {html.escape(record.unit)}; evidence: {record.evidence}",
        f"sources: {cited} (evidence rows: {rows})",
        html.escape(record.note),
    ]
    if record.population_sd:
        lines.append(
            f"between patients: population_sd {record.population_sd:g} "
            f"(rows {', '.join(record.population_rows)})"
        )
    body = "".join(f"<p>{line}</p>" for line in lines if line)
    return f'<body xmlns="http://www.w3.org/1999/xhtml">{body}</body>'


def annotate(libsbml: Any, parameter: Any, record: Parameter) -> None:
    """Unit, name, notes and DOI annotations of one SBML parameter from its record."""
    parameter.setUnits(unit_id(record.unit))
    parameter.setName(f"{record.name} [{record.unit}]")
    if parameter.setNotes(_notes(record)) != libsbml.LIBSBML_OPERATION_SUCCESS:
        raise DermasimError(f"SBML notes of parameter {record.name} could not be written")
    dois = [bib_fields(key).get("doi") for key in record.source]
    dois = [d for d in dois if d]
    if dois:
        parameter.setMetaId(f"meta_{record.name}")
        term = libsbml.CVTerm(libsbml.BIOLOGICAL_QUALIFIER)
        term.setBiologicalQualifierType(libsbml.BQB_IS_DESCRIBED_BY)
        for doi in dois:
            term.addResource(f"https://doi.org/{doi}")
        parameter.addCVTerm(term)
