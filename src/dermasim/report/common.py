"""What every report shows the same way: intervals, the patient, her skin, the parameters'
evidence grades and the assumptions about the site."""

from __future__ import annotations

from typing import Any

from ..parameters import ParameterSet
from ..patient import Patient

__all__ = [
    "CHEEK_LIKE",
    "interval",
    "parameter_evidence",
    "patient_assumptions",
    "patient_rows",
    "skin",
]

#: Sites whose thickness is taken from the cheek (``dermasim.geometry``: no evidence row).
CHEEK_LIKE = ("neck", "decolletage", "dorsal_hand")


def interval(q: dict[str, float] | None, digits: int = 1) -> str:
    """``median [p05, p95]`` of a quantile summary, ``-`` for None."""
    if q is None:
        return "-"
    return f"{q['median']:.{digits}f} [{q['p05']:.{digits}f}, {q['p95']:.{digits}f}]"


def patient_rows(patient: Patient) -> list[tuple[str, str]]:
    """The patient as (field, value) rows in plain words."""
    flags = [f.replace("_", " ") for f in patient.flags]
    return [
        ("age", f"{patient.age:g} years"),
        ("sex", patient.sex),
        ("site", patient.site.replace("_", " ")),
        ("Fitzpatrick type", str(patient.fitzpatrick)),
        ("UV exposure", patient.uv_exposure),
        ("smoker", "yes" if patient.smoker else "no"),
        (
            "acne scars (Goodman-Baron grade)",
            str(patient.acne_scars) if patient.acne_scars else "none",
        ),
        ("contraindication flags", ", ".join(flags) if flags else "none"),
    ]


def skin(patient: Patient) -> dict[str, str]:
    """The patient's skin at the site, mm, formatted."""
    geometry = patient.geometry()
    return {
        "site": patient.site.replace("_", " "),
        "epidermis": f"{geometry.epidermis_mm:.2f}",
        "dermis": f"{geometry.dermis_mm:.2f}",
        "total": f"{geometry.total_mm:.2f}",
    }


def parameter_evidence(parameters: ParameterSet) -> dict[str, Any]:
    """How many parameters there are, how many are fitted, and their evidence grades."""
    grades: dict[str, int] = {}
    for name in parameters:
        grade = parameters[name].evidence
        grades[grade] = grades.get(grade, 0) + 1
    return {
        "n_parameters": len(parameters),
        "n_fitted": len(getattr(parameters, "fitted", ())),
        "grades": sorted(grades.items(), key=lambda kv: -kv[1]),
    }


def patient_assumptions(patient: Patient) -> list[str]:
    """What the model assumes about this patient that no evidence row measures."""
    out = [
        "Between-patient variability is carried only where evidence sets it (fibroblast "
        "deposition, channel closure); the intervals describe what the evidence leaves "
        "uncertain about a patient like this one, not the spread between patients.",
    ]
    if patient.smoker:
        out.append(
            "Smoking speeds skin ageing in the model but does not slow healing: no evidence "
            "row gives a number, so a smoker's response may be overstated."
        )
    if patient.site in CHEEK_LIKE:
        out.append(
            f"The {patient.site.replace('_', ' ')}'s skin thickness is taken equal to the "
            "cheek's (no evidence row for this site)."
        )
    if patient.acne_scars:
        out.append("Scarred skin follows the biology of unscarred skin (no row measures it).")
    return out
