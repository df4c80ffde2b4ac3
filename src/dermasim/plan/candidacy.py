"""Candidacy screen: for each treatment, may this patient have it, and with what cautions?

The screen comes first in every plan and report. For each treatment it gives a status:

``contraindicated``
    A hard stop: a contraindication flag set on the patient
    (:data:`dermasim.contraindications.CONTRAINDICATIONS`), or, for a protocol, a needle or
    injection deeper than the patient's skin at the site
    (:func:`dermasim.contraindications.depth_limit_reason`).
``caution``
    The treatment may go ahead, but something about the patient or the setting deserves
    care, and the model may not capture it (below).
``ok``
    Neither.

Cautions and their sources
--------------------------
smoking (needling, injections)
    Smoking impairs wound healing. The model has smoking speed up skin ageing (more MMPs,
    :mod:`dermasim.model.ageing`), but no evidence row gives a number for slower healing, so a
    smoker's predicted response is that of a non-smoker with older skin and may be
    optimistic. Usual practice, no evidence row.
depth near the bottom of the skin
    A needle or injection set to more than :data:`DEPTH_CAUTION_FRACTION` of the patient's
    full skin thickness at the site, or beyond :data:`USUAL_MAX_DEPTH_MM` anywhere, is
    outside the usual range: needling is usually done at 0.25-2.5 mm (DESIGN notes; Kenkel's
    devices up to 2.5 mm, row MN-K21-1). The fraction is assumed: it flags a setting within
    a tenth of the skin's thickness of the fat below, the last margin before the refusal; a
    needle's channel reaches only part of its length (MC-1, MC-2), so both limits are on the
    cautious side.

The screen states what the simulator's rules are; it is a research and planning aid, not a
clinical assessment.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..contraindications import TREATMENTS, blocking_flags, depth_limit_reason
from ..patient import Patient

logger = logging.getLogger("dermasim")

__all__ = [
    "DEPTH_CAUTION_FRACTION",
    "DEPTH_TREATMENTS",
    "STATUSES",
    "USUAL_MAX_DEPTH_MM",
    "Reason",
    "ScreenResult",
    "screen",
    "screen_courses",
    "screen_report",
    "usual_max_depth_mm",
]

STATUSES = ("ok", "caution", "contraindicated")

#: Treatments placed at a depth: a needle (microneedling) or an injection (polynucleotide).
DEPTH_TREATMENTS = ("microneedling", "polynucleotide")

#: Beyond this share of the full skin thickness a depth is a caution (assumed; see above).
DEPTH_CAUTION_FRACTION = 0.9

#: Upper end of the usual needling depths, mm (DESIGN notes: typically 0.25-2.5 mm).
USUAL_MAX_DEPTH_MM = 2.5

_FLAG_WORDS = {
    "active_infection": "an active skin infection at the site",
    "isotretinoin_last_6_months": "oral isotretinoin within the last 6 months",
    "keloid_tendency": "a tendency to keloid or hypertrophic scars",
    "pregnant": "pregnancy or breastfeeding",
    "fish_allergy": "an allergy to fish or salmon DNA",
    "anticoagulants": "anticoagulant therapy",
}
_FLAG_SOURCE = "usual practice listed in the design notes (no evidence row)"
_SMOKING_TREATMENTS = ("microneedling", "polynucleotide", "hyaluronic_filler")


@dataclass(frozen=True)
class Reason:
    """One finding of the screen.

    Attributes
    ----------
    kind
        ``"contraindication"`` or ``"caution"``.
    code
        A short stable name: the patient flag, ``"depth"``, ``"depth_near_limit"`` or
        ``"smoking"``.
    message
        One sentence for the practitioner.
    source
        Where the rule comes from.
    """

    kind: str
    code: str
    message: str
    source: str

    def to_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "code": self.code,
            "message": self.message,
            "source": self.source,
        }


@dataclass(frozen=True)
class ScreenResult:
    """The screen of one treatment for one patient.

    Attributes
    ----------
    treatment
        The treatment.
    reasons
        Contraindications first, then cautions.
    max_depth_mm
        For needling and injections: the patient's full skin thickness at the site, the
        deepest setting the simulator accepts; None otherwise.
    """

    treatment: str
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    max_depth_mm: float | None = None

    @property
    def status(self) -> str:
        """``"contraindicated"``, ``"caution"`` or ``"ok"``."""
        kinds = {r.kind for r in self.reasons}
        if "contraindication" in kinds:
            return "contraindicated"
        return "caution" if kinds else "ok"

    @property
    def allowed(self) -> bool:
        """Whether the treatment may be simulated (not contraindicated)."""
        return self.status != "contraindicated"

    def summary(self) -> str:
        """``"not a candidate: <reason>"``, ``"caution: <reason>"`` or ``"ok"``."""
        if self.status == "ok":
            return "ok"
        first = self.reasons[0]
        label = "not a candidate" if self.status == "contraindicated" else "caution"
        return f"{label}: {first.message}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "treatment": self.treatment,
            "status": self.status,
            "reasons": [r.message for r in self.reasons],
            "details": [r.to_dict() for r in self.reasons],
        }
        if self.max_depth_mm is not None:
            out["max_depth_mm"] = round(self.max_depth_mm, 3)
        return out


def usual_max_depth_mm(patient: Patient) -> float:
    """Deepest needle or injection inside the usual range at the patient's site, mm:
    ``min(DEPTH_CAUTION_FRACTION x full skin thickness, USUAL_MAX_DEPTH_MM)``."""
    return min(DEPTH_CAUTION_FRACTION * patient.geometry().total_mm, USUAL_MAX_DEPTH_MM)


def _flag_reasons(patient: Patient, treatment: str) -> list[Reason]:
    return [
        Reason(
            "contraindication",
            flag,
            f"{_FLAG_WORDS[flag]} contraindicates {treatment}",
            _FLAG_SOURCE,
        )
        for flag in blocking_flags(patient, treatment)
    ]


def _patient_cautions(patient: Patient, treatment: str) -> list[Reason]:
    if patient.smoker and treatment in _SMOKING_TREATMENTS:
        return [
            Reason(
                "caution",
                "smoking",
                "smoking impairs wound healing; the model has no number for this and may "
                "overstate the response",
                "usual practice (no evidence row); the model's smoking effect is faster "
                "ageing only",
            )
        ]
    return []


def _depth_reasons(patient: Patient, course: Any) -> list[Reason]:
    depth = getattr(course, "depth_mm", None)
    if depth is None:
        return []
    refused = depth_limit_reason(patient, course)
    if refused is not None:
        return [
            Reason(
                "contraindication",
                "depth",
                refused,
                "the patient's skin thickness at the site (dermasim.geometry)",
            )
        ]
    total = patient.geometry().total_mm
    limit = usual_max_depth_mm(patient)
    if float(depth) > limit:
        return [
            Reason(
                "caution",
                "depth_near_limit",
                f"{course.treatment} at {float(depth):g} mm is beyond the usual range at this "
                f"site (up to {limit:.2f} mm: {DEPTH_CAUTION_FRACTION:g} of the "
                f"{total:.2f} mm skin, and at most {USUAL_MAX_DEPTH_MM:g} mm)",
                "DESIGN notes (usual depths 0.25-2.5 mm); the site fraction is assumed",
            )
        ]
    return []


def screen(patient: Patient, treatments: Iterable[str] = TREATMENTS) -> list[ScreenResult]:
    """Screen each treatment for the patient, before any setting is chosen.

    Parameters
    ----------
    patient
        The patient.
    treatments
        Treatment names (default: every treatment).

    Returns
    -------
    list of ScreenResult
        One per treatment, in the order given. Depth limits are reported as
        ``max_depth_mm``; a course's own depth is screened by :func:`screen_courses`.

    Examples
    --------
    >>> [r.status for r in screen(Patient(fish_allergy=True, smoker=True))]
    ['caution', 'contraindicated', 'caution', 'ok']
    """
    out = []
    for treatment in dict.fromkeys(treatments):
        reasons = _flag_reasons(patient, treatment) + _patient_cautions(patient, treatment)
        depth = patient.geometry().total_mm if treatment in DEPTH_TREATMENTS else None
        out.append(ScreenResult(treatment, tuple(reasons), depth))
    logger.info(
        "screened %s: %s",
        patient.describe(),
        ", ".join(f"{r.treatment} {r.status}" for r in out) or "no treatment",
    )
    return out


def screen_courses(patient: Patient, courses: Sequence[Any]) -> ScreenResult:
    """Screen a protocol's courses together: one result for the protocol.

    Parameters
    ----------
    patient
        The patient.
    courses
        The protocol's courses (:attr:`dermasim.protocol.Protocol.courses`).

    Returns
    -------
    ScreenResult
        ``treatment`` lists the protocol's treatments joined by ``" + "``; reasons hold
        every flag, depth and caution finding of its courses, contraindications first.
    """
    treatments = list(dict.fromkeys(c.treatment for c in courses))
    hard: list[Reason] = []
    soft: list[Reason] = []
    for treatment in treatments:
        hard += _flag_reasons(patient, treatment)
        soft += _patient_cautions(patient, treatment)
    for course in courses:
        for reason in _depth_reasons(patient, course):
            (hard if reason.kind == "contraindication" else soft).append(reason)
    unique = tuple(dict.fromkeys([*hard, *soft]))
    return ScreenResult(" + ".join(treatments) or "no treatment", unique)


def screen_report(patient: Patient, protocol: Any = None) -> dict[str, Any]:
    """The ``dermasim.screen/1`` JSON object of ``dermasim screen --json`` and
    ``POST /api/screen``: every treatment's screen, and ``protocol``'s (a
    :class:`~dermasim.protocol.Protocol`) when one is given.

    Examples
    --------
    >>> from dermasim import Patient
    >>> screen_report(Patient(age=60, site="periorbital"))["screen"][0]["treatment"]
    'microneedling'
    """
    payload: dict[str, Any] = {
        "schema": "dermasim.screen/1",
        "patient": patient.to_dict(),
        "screen": [r.to_dict() for r in screen(patient)],
    }
    if protocol is not None:
        checked = screen_courses(patient, protocol.courses).to_dict()
        payload["protocol"] = {"compact": str(protocol), **checked}
    return payload
