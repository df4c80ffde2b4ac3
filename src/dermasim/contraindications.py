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
"""

from __future__ import annotations

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
            raise ContraindicationError(
                f"patient.{flag} = True contraindicates {treatment}: allowed false for this "
                f"treatment; for example remove {treatment} from the protocol or set "
                f"{flag} = false"
            )
