"""Tests of dermasim.patient."""

from __future__ import annotations

import json
import math

import pytest

from dermasim.errors import DermasimError, PatientError
from dermasim.geometry import SkinGeometry
from dermasim.patient import CONTRAINDICATION_FLAGS, SITES, Patient

CONTRACT = """\
age = 45
sex = "female"
site = "cheek"
fitzpatrick = 3
uv_exposure = "moderate"
smoker = false
"""


def test_defaults_are_valid() -> None:
    p = Patient()
    assert p.age == 45
    assert p.sex == "female"
    assert p.site == "cheek"
    assert p.fitzpatrick == 3
    assert p.uv_exposure == "moderate"
    assert p.smoker is False
    assert all(getattr(p, f) is False for f in CONTRAINDICATION_FLAGS)
    assert p.flags == ()


def test_describe_default() -> None:
    assert Patient().describe() == "female, 45 y, cheek, Fitzpatrick III, moderate UV, non-smoker"


def test_describe_lists_flags() -> None:
    text = Patient(pregnant=True, smoker=True).describe()
    assert text.endswith("smoker, pregnant")


def test_toml_contract() -> None:
    p = Patient.from_toml(CONTRACT)
    assert p == Patient()


def test_toml_round_trip() -> None:
    p = Patient(age=61.5, sex="male", site="neck", fitzpatrick=5, smoker=True, anticoagulants=True)
    assert Patient.from_toml(p.to_toml()) == p
    assert Patient.from_toml(Patient().to_toml()) == Patient()


def test_from_toml_path(tmp_path) -> None:
    path = tmp_path / "patient.toml"
    path.write_text(CONTRACT, encoding="utf-8")
    assert Patient.from_toml(path) == Patient()
    assert Patient.from_toml(str(path)) == Patient()


def test_from_toml_patient_table() -> None:
    assert Patient.from_toml("[patient]\nage = 50\n").age == 50


def test_to_dict_is_json_and_flat() -> None:
    d = Patient().to_dict()
    assert json.loads(json.dumps(d)) == d
    assert Patient.from_dict(d) == Patient()
    assert "contraindications" not in d


@pytest.mark.parametrize("value", ["III", "iii", "3", 3, 3.0])
def test_fitzpatrick_forms(value) -> None:
    p = Patient.from_dict({"fitzpatrick": value})
    assert p.fitzpatrick == 3
    assert isinstance(p.fitzpatrick, int)


def test_fitzpatrick_roman_in_toml() -> None:
    assert Patient.from_toml('fitzpatrick = "VI"').fitzpatrick == 6


def test_contraindications_table_and_list() -> None:
    a = Patient.from_toml("[contraindications]\npregnant = true\nfish_allergy = true\n")
    b = Patient.from_toml('contraindications = ["pregnant", "fish_allergy"]')
    c = Patient(pregnant=True, fish_allergy=True)
    assert a == b == c


def test_site_names_normalised() -> None:
    assert Patient(site="Dorsal hand").site == "dorsal_hand"
    assert Patient(site="décolletage").site == "decolletage"


@pytest.mark.parametrize("site", SITES)
def test_geometry(site: str) -> None:
    g = Patient(site=site).geometry()
    assert isinstance(g, SkinGeometry)
    assert g.total_mm > 0


def _assert_one_line(exc: BaseException, field: str, value: str, allowed: str) -> None:
    msg = str(exc)
    assert "\n" not in msg
    assert field in msg
    assert value in msg
    assert allowed in msg
    assert "for example" in msg


BAD = [
    ({"age": 12}, "patient.age", "12", "18 to 90 years"),
    ({"age": 91}, "patient.age", "91", "18 to 90 years"),
    ({"age": math.nan}, "patient.age", "nan", "18 to 90 years"),
    ({"age": math.inf}, "patient.age", "inf", "18 to 90 years"),
    ({"age": "45"}, "patient.age", "'45'", "18 to 90 years"),
    ({"age": True}, "patient.age", "True", "18 to 90 years"),
    ({"sex": "f"}, "patient.sex", "'f'", "female, male"),
    ({"site": "cheeck"}, "patient.site", "'cheeck'", "cheek, forehead"),
    ({"site": 3}, "patient.site", "3", "cheek, forehead"),
    ({"fitzpatrick": 7}, "patient.fitzpatrick", "7", "1 to 6"),
    ({"fitzpatrick": "VII"}, "patient.fitzpatrick", "'VII'", "1 to 6"),
    ({"fitzpatrick": 2.5}, "patient.fitzpatrick", "2.5", "1 to 6"),
    ({"fitzpatrick": True}, "patient.fitzpatrick", "True", "1 to 6"),
    ({"uv_exposure": "extreme"}, "patient.uv_exposure", "'extreme'", "low, moderate, high"),
    ({"smoker": "yes"}, "patient.smoker", "'yes'", "true or false"),
    ({"smoker": 1}, "patient.smoker", "1", "true or false"),
    ({"pregnant": 0}, "patient.pregnant", "0", "true or false"),
    ({"sex": "male", "pregnant": True}, "patient.pregnant", "True", 'sex = "male"'),
    ({"acne_scars": 5}, "patient.acne_scars", "5", "0 (no scars) to 4"),
    ({"acne_scars": -1}, "patient.acne_scars", "-1", "0 (no scars) to 4"),
    ({"acne_scars": 2.5}, "patient.acne_scars", "2.5", "0 (no scars) to 4"),
    ({"acne_scars": True}, "patient.acne_scars", "True", "0 (no scars) to 4"),
    ({"acne_scars": "3"}, "patient.acne_scars", "'3'", "0 (no scars) to 4"),
    ({"weight": 70}, "patient key", "'weight'", "age, sex, site"),
    ({"contraindications": ["pregant"]}, "contraindications", "'pregant'", "pregnant"),
    ({"contraindications": {"hiv": True}}, "contraindications", "'hiv'", "pregnant"),
    ({"contraindications": "pregnant"}, "contraindications", "'pregnant'", "list or table"),
    (
        {"pregnant": False, "contraindications": ["pregnant"]},
        "contraindications.pregnant",
        "True",
        "top-level",
    ),
]


@pytest.mark.parametrize(("data", "field", "value", "allowed"), BAD)
def test_bad_inputs(data, field, value, allowed) -> None:
    with pytest.raises(PatientError) as info:
        Patient.from_dict(data)
    _assert_one_line(info.value, field, value, allowed)


def test_bad_input_direct_constructor() -> None:
    with pytest.raises(PatientError) as info:
        Patient(age=12)
    assert str(info.value) == (
        "patient.age = 12 is not valid: allowed 18 to 90 years; for example age = 45"
    )


def test_unknown_site_suggests() -> None:
    with pytest.raises(PatientError, match="did you mean 'cheek'"):
        Patient(site="cheeck")


def test_unknown_key_suggests() -> None:
    with pytest.raises(PatientError, match="did you mean 'smoker'"):
        Patient.from_dict({"smoke": True})


@pytest.mark.parametrize(
    "text",
    ['age = 45\nsex = "female', "age = = 3", 'site = "cheek"\nsite = "neck"\n'],
)
def test_malformed_toml_one_line(text: str) -> None:
    with pytest.raises(PatientError) as info:
        Patient.from_toml(text)
    msg = str(info.value)
    assert "\n" not in msg
    assert "patient TOML" in msg
    assert "for example" in msg
    assert info.value.__cause__ is None


def test_missing_file_one_line(tmp_path) -> None:
    with pytest.raises(PatientError) as info:
        Patient.from_toml(tmp_path / "nope.toml")
    assert "\n" not in str(info.value)
    assert "nope.toml" in str(info.value)
    with pytest.raises(PatientError, match=r"(?i)no such file"):
        Patient.from_toml("missing_patient.toml")


def test_from_dict_not_mapping() -> None:
    with pytest.raises(DermasimError, match="for example"):
        Patient.from_dict([1, 2])  # type: ignore[arg-type]


def test_frozen() -> None:
    p = Patient()
    with pytest.raises(AttributeError):
        p.age = 50  # type: ignore[misc]


def test_acne_scars_grade_is_kept_described_and_round_trips() -> None:
    patient = Patient.from_toml("age = 28\nacne_scars = 3")
    assert patient.acne_scars == 3
    assert patient.describe().endswith("acne scars grade 3")
    assert Patient.from_toml(patient.to_toml()) == patient
    assert Patient().acne_scars == 0
    assert "acne scars" not in Patient().describe()
    assert Patient(acne_scars=4.0).acne_scars == 4  # an integral float is a grade
