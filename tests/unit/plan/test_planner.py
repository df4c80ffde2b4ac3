"""The planner: an enumerable grid gives the enumerated Pareto set; baselines, constraints,
ties and seeds behave."""

from dataclasses import dataclass

import numpy as np
import pytest

import dermasim
from dermasim.errors import SimulationError
from dermasim.patient import Patient
from dermasim.plan import CREDIBLE_P, Candidate, SearchSpace, pareto_front, plan
from dermasim.protocol import Protocol

DRAWS, HORIZON = 40, 180.0

#: One course per (kind, number of sessions), so the short list is the whole Pareto set.
SMALL = SearchSpace(
    needle_depths_mm=(1.5,),
    needling_sessions=(1, 2, 3),
    needling_intervals_days=(28.0,),
    pn_sessions=(2, 3),
    pn_intervals_days=(28.0,),
    filler_volumes_ml=(1.0,),
    maintenance=False,
    combinations=False,
)


def _by_hand(patient, concern_endpoint, sign, courses):
    """Simulate each course with the public API and return (protocol, effect median,
    total downtime median, session days) for those credibly better than no treatment."""

    def run(protocol):
        sim = dermasim.Simulation(protocol=Protocol.parse(protocol), patient=patient)
        sol = sim.run(days=HORIZON, draws=DRAWS, seed=3, at=[HORIZON], daily=False)
        return sol.values(concern_endpoint)[:, -1], sol.downtime

    none, _ = run("none")
    rows = []
    for text in courses:
        values, downtime = run(text)
        effect = sign * (values - none)
        p = np.mean(effect > 0) + 0.5 * np.mean(effect == 0)
        if p >= CREDIBLE_P:
            sessions = len({s.day for s in Protocol.parse(text).sessions()})
            rows.append(
                (str(Protocol.parse(text)), np.median(effect), np.median(downtime.sum(1)), sessions)
            )
    front = []
    for a in rows:
        dominated = any(
            (b[1] >= a[1] and b[2] <= a[2] and b[3] <= a[3])
            and (b[1] > a[1] or b[2] < a[2] or b[3] < a[3])
            for b in rows
        )
        if not dominated:
            front.append(a[0])
    return set(front)


def test_an_enumerable_grid_gives_the_enumerated_pareto_set():
    patient = Patient(age=50)
    courses = [c.compact for c in SMALL.candidates(
        ["microneedling", "polynucleotide", "hyaluronic_filler"], horizon_days=HORIZON,
        max_depth_mm=9.0,
    )]  # fmt: skip
    assert len(courses) == 6
    result = plan(patient, "fine_lines", horizon=HORIZON, draws=DRAWS, seed=3, space=SMALL, top=20)
    expected = _by_hand(patient, "collagen_density", 1.0, courses)
    assert expected  # the check means something only if some course beats no treatment
    assert {row["protocol"] for row in result.to_json_dict()["plans"]} == expected


def test_the_pareto_front_keeps_exactly_the_non_dominated_rows():
    points = np.array([[0, 3], [1, 1], [3, 0], [2, 2], [1, 1], [0, 4]], dtype=float)
    assert list(pareto_front(points)) == [0, 1, 2, 4]  # [2, 2] and [0, 4] are dominated


@dataclass(frozen=True)
class WithADoNothingCourse(SearchSpace):
    """The small grid plus a course whose only session falls after the horizon."""

    def candidates(self, treatments, *, horizon_days, max_depth_mm):
        base = super().candidates(treatments, horizon_days=horizon_days, max_depth_mm=max_depth_mm)
        idle = Protocol.parse(f"1 x microneedling 1.5 mm from day {horizon_days + 30:g}")
        return [Candidate(idle, "microneedling"), *base]


def test_a_course_that_does_nothing_never_beats_no_treatment():
    space = WithADoNothingCourse(**{k: getattr(SMALL, k) for k in SMALL.__dataclass_fields__})
    result = plan(Patient(), "fine_lines", horizon=HORIZON, draws=DRAWS, space=space, top=20)
    data = result.to_json_dict()
    assert data["search_space"]["evaluated"] == 7
    assert all("from day 210" not in row["protocol"] for row in data["plans"])
    assert any("fewer than 80% of draws" in why for why in data["search_space"]["left_out"])
    for row in data["plans"]:
        assert row["vs_no_treatment"]["p_better"] >= CREDIBLE_P


def test_constraints_hold_in_every_returned_plan():
    result = plan(
        Patient(), "fine_lines", horizon=HORIZON, draws=DRAWS, space=SMALL, top=20,
        max_sessions=2, max_downtime_days=2.5,
    )  # fmt: skip
    data = result.to_json_dict()
    assert data["plans"]
    for row in data["plans"]:
        assert row["sessions"] <= 2
        assert row["downtime_days"]["median"] <= 2.5
    assert data["constraints"] == {
        "max_sessions": 2, "max_downtime_days": 2.5,
        "treatments": ["microneedling", "polynucleotide", "hyaluronic_filler", "topical"],
    }  # fmt: skip


def test_identical_seed_identical_plan_and_another_seed_other_numbers():
    kwargs = {"horizon": HORIZON, "draws": DRAWS, "space": SMALL}
    a = plan(Patient(), "texture", seed=5, **kwargs).to_json_dict()
    b = plan(Patient(), "texture", seed=5, **kwargs).to_json_dict()
    c = plan(Patient(), "texture", seed=6, **kwargs).to_json_dict()
    assert a == b
    assert a["plans"][0]["gain"] != c["plans"][0]["gain"]


def test_the_json_object_keeps_the_documented_contract():
    data = plan(Patient(), "laxity", horizon=HORIZON, draws=DRAWS, space=SMALL).to_json_dict()
    assert data["schema"] == "dermasim.plan/1"
    for key in ("patient", "concern", "screen", "search_space", "baselines", "plans", "provenance"):
        assert key in data
    assert [b["name"] for b in data["baselines"]] == ["no-treatment", "standard"]
    assert data["baselines"][1]["protocol"] == "3 x microneedling 1.5 mm every 28 days"
    row = data["plans"][0]
    for key in ("protocol", "sessions", "downtime_days", "gain", "vs_standard"):
        assert key in row
    assert set(row["gain"]) >= {"endpoint", "t_days", "median", "p05", "p95"}
    assert set(row["vs_standard"]) >= {"median", "p05", "p95", "p_better"}
    assert set(row["downtime_days"]) == {"median", "p05", "p95"}
    assert "total_downtime_days" in row
    assert data["screen"][0]["status"] in ("ok", "caution", "contraindicated")


def test_a_blocked_standard_course_is_a_row_not_an_abort():
    result = plan(
        Patient(keloid_tendency=True), "fine_lines", horizon=HORIZON, draws=DRAWS, space=SMALL
    )
    data = result.to_json_dict()
    standard = data["baselines"][1]
    assert standard["screen"]["status"] == "contraindicated"
    assert "keloid" in standard["screen"]["reasons"][0]
    assert all("microneedling" not in row["protocol"] for row in data["plans"])
    assert all(row["vs_standard"] is None for row in data["plans"])
    assert any("microneedling is not a candidate" in note for note in data["notes"])


def test_the_standard_course_is_set_to_the_sites_usual_depth():
    eye = Patient(age=60, site="periorbital")
    data = plan(eye, "fine_lines", horizon=HORIZON, draws=DRAWS, space=SMALL).to_json_dict()
    assert data["baselines"][1]["protocol"] == "3 x microneedling 1 mm every 28 days"
    assert any("set to 1 mm at this site" in note for note in data["notes"])
    assert any("deeper than the patient's skin" in why for why in data["search_space"]["left_out"])


def test_acne_scars_needs_a_patient_with_scars_and_is_scored_on_the_grade():
    with pytest.raises(SimulationError, match="acne_scars needs a patient with acne_scars"):
        plan(Patient(), "acne_scars", draws=DRAWS, space=SMALL)
    data = plan(
        Patient(age=30, acne_scars=3), "acne_scars", horizon=HORIZON, draws=DRAWS, space=SMALL
    ).to_json_dict()
    assert data["plans"]
    for row in data["plans"]:
        assert row["gain"]["endpoint"] == "scar_grade"
        assert row["gain"]["median"] < 3.0  # lower is better, and the plans beat no treatment


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"max_sessions": 0}, "max_sessions = 0"),
        ({"max_downtime_days": -1}, "max_downtime_days = -1"),
        ({"horizon": "2 weeks"}, "horizon = '2 weeks'"),
        ({"top": 50}, "top = 50"),
        ({"treatments": "botox"}, "botox"),
    ],
)
def test_bad_options_are_one_line_naming_the_field(kwargs, field):
    with pytest.raises(dermasim.DermasimError) as info:
        plan(Patient(), "fine_lines", draws=DRAWS, space=SMALL, **kwargs)
    message = str(info.value)
    assert field in message and "\n" not in message and "for example" in message


def test_rows_whose_evidence_is_thin_carry_its_note_once():
    from dermasim.plan.result import EVIDENCE_NOTES, evidence_notes

    data = plan(Patient(), "volume_loss", horizon=HORIZON, draws=DRAWS, space=SMALL).to_json_dict()
    rows = [*data["baselines"], *data["plans"]]
    for row in rows:
        kinds = {t for t in EVIDENCE_NOTES if t in row["protocol"]}
        assert set(row.get("evidence", [])) == {EVIDENCE_NOTES[t] for t in kinds}, row
    assert any("hyaluronic_filler" in r["protocol"] for r in rows)
    notes = evidence_notes(data)
    assert EVIDENCE_NOTES["hyaluronic_filler"] in notes and len(notes) == len(set(notes))
    assert "HA-MRI-1" in EVIDENCE_NOTES["hyaluronic_filler"]
