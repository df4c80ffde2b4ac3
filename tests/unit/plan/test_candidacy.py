"""The candidacy screen: contraindications, cautions and the site's depth limits."""

import pytest

import dermasim
from dermasim.contraindications import CONTRAINDICATIONS, TREATMENTS, depth_limit_reason
from dermasim.errors import ContraindicationError
from dermasim.patient import CONTRAINDICATION_FLAGS, Patient
from dermasim.plan import screen, screen_courses
from dermasim.plan.candidacy import DEPTH_CAUTION_FRACTION, USUAL_MAX_DEPTH_MM, usual_max_depth_mm
from dermasim.protocol import Protocol, make_course


def _status(results):
    return {r.treatment: r.status for r in results}


def test_a_healthy_non_smoker_may_have_everything():
    assert set(_status(screen(Patient())).values()) == {"ok"}


@pytest.mark.parametrize("flag", CONTRAINDICATION_FLAGS)
def test_each_flag_is_a_hard_stop_for_the_treatments_it_blocks_and_only_those(flag):
    results = screen(Patient(**{flag: True}))
    for result in results:
        blocked = flag in CONTRAINDICATIONS[result.treatment]
        assert (result.status == "contraindicated") is blocked
        if blocked:
            reason = result.reasons[0]
            assert reason.code == flag and reason.source
            assert result.treatment in reason.message
            assert result.summary().startswith("not a candidate: ")


def test_no_message_suggests_changing_a_medical_fact_about_the_patient():
    everyone = Patient(**{flag: True for flag in CONTRAINDICATION_FLAGS}, smoker=True)
    for result in screen(everyone):
        for reason in result.reasons:
            assert "= false" not in reason.message and "set " not in reason.message
    with pytest.raises(ContraindicationError) as info:
        dermasim.simulate("1 x pn", Patient(fish_allergy=True), draws=2)
    assert "= false" not in str(info.value) and "without polynucleotide" in str(info.value)


def test_smoking_is_a_caution_for_procedures_but_not_for_a_serum_on_its_own():
    statuses = _status(screen(Patient(age=52, site="neck", smoker=True)))
    assert statuses == {
        "microneedling": "caution",
        "polynucleotide": "caution",
        "hyaluronic_filler": "caution",
        "topical": "ok",
    }


@pytest.mark.parametrize(
    ("site", "age", "sex"),
    [
        ("periorbital", 30, "female"),
        ("periorbital", 60, "female"),
        ("periorbital", 80, "male"),
        ("neck", 52, "female"),
        ("neck", 75, "male"),
        ("dorsal_hand", 25, "female"),
        ("dorsal_hand", 60, "female"),
        ("dorsal_hand", 85, "female"),
    ],
)
def test_site_depth_limits_follow_the_patients_own_skin(site, age, sex):
    patient = Patient(age=age, sex=sex, site=site)
    total = patient.geometry().total_mm
    for treatment in ("microneedling", "polynucleotide"):
        too_deep = make_course(treatment=treatment, depth_mm=round(total + 0.05, 2))
        result = screen_courses(patient, [too_deep])
        assert result.status == "contraindicated"
        message = result.reasons[0].message
        assert f"{total:.2f} mm" in message and site in message
        assert "\n" not in message and "for example depth_mm = " in message
        near = make_course(treatment=treatment, depth_mm=round(total - 0.02, 2))
        assert screen_courses(patient, [near]).status == "caution"
        shallow = make_course(treatment=treatment, depth_mm=0.3)
        assert screen_courses(patient, [shallow]).status == "ok"
    assert usual_max_depth_mm(patient) == pytest.approx(
        min(DEPTH_CAUTION_FRACTION * total, USUAL_MAX_DEPTH_MM)
    )


def test_a_3_mm_needle_around_a_60_year_olds_eye_is_refused_everywhere():
    eye = Patient(age=60, site="periorbital")
    assert 1.0 < eye.geometry().total_mm < 1.3  # about 1.2 mm (FacialHFUS eyelid, thinned)
    for protocol in ("1 x microneedling 3 mm", "1 x pn at 3 mm"):
        with pytest.raises(ContraindicationError, match=r"periorbital skin \(1\.13 mm"):
            dermasim.simulate(protocol, eye, draws=2)
    from dermasim.cohort import Cohort
    from dermasim.cohort.run import plan_cohort

    with pytest.raises(dermasim.DermasimError, match="patient 0: microneedling depth_mm = 3"):
        plan_cohort(
            "1 x microneedling 3 mm", Cohort(site={"periorbital": 1.0}), n=2, draws=2, days=30
        )


def test_the_example_depth_in_the_message_is_itself_accepted():
    eye = Patient(age=85, site="periorbital", sex="male")
    message = depth_limit_reason(eye, make_course(treatment="microneedling", depth_mm=3.0))
    example = float(message.rsplit("depth_mm = ", 1)[1])
    assert depth_limit_reason(eye, make_course(treatment="microneedling", depth_mm=example)) is None


def test_a_protocol_screen_joins_its_treatments_and_lists_hard_stops_first():
    patient = Patient(age=60, site="periorbital", smoker=True, fish_allergy=True)
    protocol = Protocol.parse("1 x microneedling 1.1 mm; 1 x pn at 0.5 mm")
    result = screen_courses(patient, protocol.courses)
    assert result.treatment == "microneedling + polynucleotide"
    kinds = [r.kind for r in result.reasons]
    assert kinds == sorted(kinds, key=lambda k: k != "contraindication")
    codes = {r.code for r in result.reasons}
    assert {"fish_allergy", "smoking", "depth_near_limit"} <= codes
    assert result.to_dict()["status"] == "contraindicated"
    assert screen_courses(Patient(), ()).treatment == "no treatment"


def test_the_screen_covers_every_treatment_in_order():
    assert [r.treatment for r in screen(Patient())] == list(TREATMENTS)
    assert [r.treatment for r in screen(Patient(), ["topical", "topical"])] == ["topical"]
