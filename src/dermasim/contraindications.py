"""Contraindications: which patient flags block which treatment.

The flags and the treatments they block follow the design notes (DESIGN.md section 1):
active infection, isotretinoin in the last 6 months, keloid tendency, pregnancy, fish or
salmon-DNA allergy for polynucleotides, and anticoagulants. This is a screening aid for the
simulator, not clinical advice; the table has no evidence rows behind it in
``evidence/physiology.csv`` and states the usual practice the design notes list.

Flags
-----
active_infection
    Any active skin infection at the site (bacterial, viral such as herpes simplex, fungal).
    Needles and injections can spread it, and a product should not go on infected skin.
    Blocks every treatment, topical products included.
isotretinoin_last_6_months
    Oral isotretinoin within the last 6 months impairs wound healing; blocks microneedling,
    which works by controlled injury.
keloid_tendency
    A history of keloid or hypertrophic scars; blocks microneedling, whose wound cascade
    could trigger abnormal scarring.
pregnant
    Pregnancy (and, by usual practice, breastfeeding); elective aesthetic procedures are
    deferred. Blocks every procedure (a topical product on its own is not one; applied after
    needling, the needling course is blocked).
fish_allergy
    Allergy to fish or salmon DNA; polynucleotide (PN/PDRN) products are made from salmon
    DNA. Blocks polynucleotide injections.
anticoagulants
    Anticoagulant therapy raises bleeding and bruising risk from needles and injections.
    Blocks every procedure with a needle (not a topical product on its own).

Depth at the site
-----------------
A needle (microneedling) or an injection (polynucleotide) set deeper than the patient's
full skin thickness at the site (epidermis plus dermis from :mod:`dermasim.geometry`, which
depends on site, sex and age) is refused: the model has no layer below the dermis, and
would count the whole needle as dermal injury. The message gives the site's thickness. The
setting is compared with the thickness although needles penetrate only part of their length
(MC-1, MC-2): a conservative limit.

Messages name the treatment to leave out or the setting to change, never a fact about the
patient.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from dermasim.errors import ContraindicationError, ProtocolError, invalid_value
from dermasim.patient import CONTRAINDICATION_FLAGS, Patient

__all__ = [
    "CONTRAINDICATIONS",
    "TREATMENTS",
    "blocking_flags",
    "check_candidacy",
    "check_courses",
    "depth_limit_reason",
]

CONTRAINDICATIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "microneedling": (
            "active_infection",
            "isotretinoin_last_6_months",
            "keloid_tendency",
            "pregnant",
            "anticoagulants",
        ),
        "polynucleotide": (
            "active_infection",
            "fish_allergy",
            "pregnant",
            "anticoagulants",
        ),
        "hyaluronic_filler": (
            "active_infection",
            "pregnant",
            "anticoagulants",
        ),
        "topical": ("active_infection",),
    }
)
"""Treatment name -> patient flags that block it (see the module docstring)."""

TREATMENTS: tuple[str, ...] = tuple(CONTRAINDICATIONS)
"""Treatment names known to the contraindication table."""


def _check_treatment(treatment: Any) -> str:
    if treatment not in CONTRAINDICATIONS:
        raise ProtocolError(
            invalid_value(
                "treatment",
                treatment,
                "one of " + ", ".join(TREATMENTS),
                'treatment = "microneedling"',
            )
        )
    return treatment


def blocking_flags(patient: Patient, treatment: str) -> tuple[str, ...]:
    """Flags set on the patient that contraindicate a treatment.

    Parameters
    ----------
    patient
        The patient.
    treatment
        One of :data:`TREATMENTS`.

    Returns
    -------
    tuple of str
        Blocking flags in :data:`~dermasim.patient.CONTRAINDICATION_FLAGS` order; empty
        if the treatment is allowed.

    Raises
    ------
    ProtocolError
        If the treatment name is unknown.

    Examples
    --------
    >>> blocking_flags(Patient(fish_allergy=True), "polynucleotide")
    ('fish_allergy',)
    >>> blocking_flags(Patient(fish_allergy=True), "microneedling")
    ()
    """
    blocked = CONTRAINDICATIONS[_check_treatment(treatment)]
    return tuple(f for f in CONTRAINDICATION_FLAGS if f in blocked and getattr(patient, f))


def check_candidacy(patient: Patient, treatments: Iterable[str]) -> None:
    """Raise if any treatment is contraindicated for the patient.

    Parameters
    ----------
    patient
        The patient.
    treatments
        Treatment names, e.g. those of a protocol's sessions; repeats are fine.

    Raises
    ------
    ContraindicationError
        On the first treatment (in the order given) with a blocking flag, naming the flag.
    ProtocolError
        If a treatment name is unknown.

    Examples
    --------
    >>> check_candidacy(Patient(), ["microneedling", "polynucleotide"])
    """
    if isinstance(treatments, str):
        treatments = (treatments,)
    seen: set[str] = set()
    for treatment in treatments:
        if treatment in seen:
            continue
        flags = blocking_flags(patient, treatment)
        seen.add(treatment)
        if flags:
            flag = flags[0]
            raise ContraindicationError(_flag_message(flag, treatment))


def _flag_message(flag: str, treatment: str) -> str:
    return (
        f"patient.{flag} = True contraindicates {treatment}: allowed false for this "
        f"treatment; for example a protocol without {treatment}"
    )


def _example_depth(total_mm: float) -> float:
    """A valid example depth: half the skin, rounded down to 0.1 mm (at least 0.1)."""
    return max(0.1, math.floor(5.0 * total_mm) / 10.0)


def depth_limit_reason(patient: Patient, course: Any) -> str | None:
    """Why a course's needle or injection is deeper than the patient's skin, or None.

    Parameters
    ----------
    patient
        The patient; her site, sex and age give the skin's thickness.
    course
        A :class:`~dermasim.protocol.Course` (anything with ``treatment`` and
        ``depth_mm``); courses without a depth (filler, topical) always pass.

    Returns
    -------
    str or None
        A one-line message naming the setting, the site's thickness and a valid example.

    Examples
    --------
    >>> from dermasim.protocol import make_course
    >>> old_eye = Patient(age=60, site="periorbital")
    >>> print(depth_limit_reason(old_eye, make_course(treatment="microneedling", depth_mm=3.0)))
    ... # doctest: +NORMALIZE_WHITESPACE
    microneedling depth_mm = 3 is deeper than this patient's periorbital skin (1.13 mm:
    epidermis 0.06 mm + dermis 1.07 mm, female aged 60): allowed up to 1.13 mm at this site;
    for example depth_mm = 0.5
    """
    depth = getattr(course, "depth_mm", None)
    if depth is None:
        return None
    geometry = patient.geometry()
    total = geometry.total_mm
    if float(depth) <= total:
        return None
    return (
        f"{course.treatment} depth_mm = {float(depth):g} is deeper than this patient's "
        f"{patient.site} skin ({total:.2f} mm: epidermis {geometry.epidermis_mm:.2f} mm + "
        f"dermis {geometry.dermis_mm:.2f} mm, {patient.sex} aged {patient.age:g}): allowed "
        f"up to {total:.2f} mm at this site; for example depth_mm = {_example_depth(total):g}"
    )


def check_courses(patient: Patient, courses: Iterable[Any]) -> None:
    """Raise if any course is contraindicated or set deeper than the patient's skin.

    Parameters
    ----------
    patient
        The patient.
    courses
        :class:`~dermasim.protocol.Course` objects, e.g. ``protocol.courses``.

    Raises
    ------
    ContraindicationError
        On the first course (in order) with a blocking flag or a depth beyond the skin.
    """
    courses = tuple(courses)
    check_candidacy(patient, [c.treatment for c in courses])
    for course in courses:
        reason = depth_limit_reason(patient, course)
        if reason is not None:
            raise ContraindicationError(reason)
