"""Tests of dermasim.contraindications."""

from __future__ import annotations

import pytest

from dermasim.contraindications import (
    CONTRAINDICATIONS,
    TREATMENTS,
    blocking_flags,
    check_candidacy,
)
from dermasim.errors import ContraindicationError, PatientError, ProtocolError
from dermasim.patient import CONTRAINDICATION_FLAGS, Patient


def test_table() -> None:
    assert set(TREATMENTS) == {"microneedling", "polynucleotide", "hyaluronic_filler", "topical"}
    for flags in CONTRAINDICATIONS.values():
        assert set(flags) <= set(CONTRAINDICATION_FLAGS)
    assert "fish_allergy" in CONTRAINDICATIONS["polynucleotide"]
    assert "fish_allergy" not in CONTRAINDICATIONS["microneedling"]
    assert "keloid_tendency" in CONTRAINDICATIONS["microneedling"]
    assert "isotretinoin_last_6_months" in CONTRAINDICATIONS["microneedling"]
    procedures = ("microneedling", "polynucleotide", "hyaluronic_filler")
    for t in procedures:
        for f in ("active_infection", "pregnant", "anticoagulants"):
            assert f in CONTRAINDICATIONS[t]
    # A product on the skin is no procedure: only an infection at the site blocks it.
    assert CONTRAINDICATIONS["topical"] == ("active_infection",)
    every_flag = {f for flags in CONTRAINDICATIONS.values() for f in flags}
    assert every_flag == set(CONTRAINDICATION_FLAGS)


def test_table_read_only() -> None:
    with pytest.raises(TypeError):
        CONTRAINDICATIONS["microneedling"] = ()  # type: ignore[index]


def test_healthy_patient_is_candidate() -> None:
    check_candidacy(Patient(), TREATMENTS)
    for t in TREATMENTS:
        assert blocking_flags(Patient(), t) == ()


@pytest.mark.parametrize("treatment", TREATMENTS)
@pytest.mark.parametrize("flag", CONTRAINDICATION_FLAGS)
def test_each_flag(treatment: str, flag: str) -> None:
    p = Patient(**{flag: True})
    blocked = flag in CONTRAINDICATIONS[treatment]
    assert blocking_flags(p, treatment) == ((flag,) if blocked else ())
    if blocked:
        with pytest.raises(ContraindicationError) as info:
            check_candidacy(p, [treatment])
        msg = str(info.value)
        assert "\n" not in msg
        assert f"patient.{flag} = True" in msg
        assert treatment in msg
        assert "allowed false" in msg
        assert "for example" in msg
    else:
        check_candidacy(p, [treatment])


def test_message_fish_allergy() -> None:
    with pytest.raises(ContraindicationError) as info:
        check_candidacy(Patient(fish_allergy=True), ["microneedling", "polynucleotide"])
    assert str(info.value) == (
        "patient.fish_allergy = True contraindicates polynucleotide: allowed false for this "
        "treatment; for example a protocol without polynucleotide"
    )
    assert isinstance(info.value, PatientError)


def test_multiple_flags_order() -> None:
    p = Patient(pregnant=True, active_infection=True)
    assert blocking_flags(p, "hyaluronic_filler") == ("active_infection", "pregnant")


def test_single_string_and_repeats() -> None:
    """A single name is one treatment (not its letters); repeats are checked like one."""
    assert check_candidacy(Patient(fish_allergy=True), "microneedling") is None
    assert check_candidacy(Patient(), ["microneedling"] * 4) is None
    with pytest.raises(ContraindicationError, match="polynucleotide"):
        check_candidacy(Patient(fish_allergy=True), "polynucleotide")
    with pytest.raises(ContraindicationError, match="polynucleotide"):
        check_candidacy(Patient(fish_allergy=True), ["microneedling"] * 3 + ["polynucleotide"])


def test_unknown_treatment() -> None:
    with pytest.raises(ProtocolError) as info:
        check_candidacy(Patient(), ["botox"])
    msg = str(info.value)
    assert "'botox'" in msg and "microneedling" in msg and "for example" in msg
