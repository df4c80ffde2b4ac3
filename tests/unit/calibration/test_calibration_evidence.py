"""The calibration evidence: every endpoint traces to a shipped evidence row."""

from __future__ import annotations

import re

import pytest

from dermasim.calibration.evidence import ENDPOINT_KINDS, load_evidence_set
from dermasim.references import load_evidence

EVIDENCE = load_evidence_set()
ROWS = {
    table: {r["id"]: r for r in load_evidence(table)}
    for table in ("clinical_endpoints", "physiology")
}


@pytest.mark.parametrize("endpoint", EVIDENCE.endpoints, ids=lambda e: e.id)
def test_endpoint_matches_its_source_row(endpoint) -> None:
    row = ROWS[endpoint.table][endpoint.id]
    assert row["value"] == endpoint.source_value
    if endpoint.kind == "quantitative" and re.fullmatch(r"-?\d+(\.\d+)?", row["value"]):
        assert endpoint.value == pytest.approx(float(row["value"]))
    if endpoint.table == "clinical_endpoints" and row["timepoint_days_from_first_session"]:
        stated = [float(d) for d in re.findall(r"\d+", row["timepoint_days_from_first_session"])]
        assert list(endpoint.days) == stated
    if endpoint.kind == "direction":
        assert endpoint.sign in ("+", "-")
    assert endpoint.kind in ENDPOINT_KINDS


GRADES = ("grade_change", "wsrs")


def test_direction_rows_keep_the_reported_sign() -> None:
    # Rows whose value is the sign itself (clinical_endpoints "+"/"-") keep it, except where
    # the observable's scale runs the other way (clinical grades: lower is better, so an
    # improvement reported as "+" is a "-" grade change).
    flip = {"+": "-", "-": "+"}
    for e in EVIDENCE.endpoints:
        if e.kind == "direction" and e.source_value in ("+", "-"):
            grade = EVIDENCE.observables[e.observable].reads in GRADES
            assert e.sign == (flip[e.source_value] if grade else e.source_value), e.id


def test_days_not_in_the_row_say_how_they_were_derived() -> None:
    for e in EVIDENCE.endpoints:
        row = ROWS[e.table][e.id]
        if e.table == "clinical_endpoints" and not row["timepoint_days_from_first_session"]:
            assert e.days_from, e.id


def test_rows_behind_a_prior_are_not_fitted_twice() -> None:
    from dermasim.parameters import ParameterSet

    prior_rows = {row for p in ParameterSet.load() for row in ParameterSet.load()[p].rows}
    for e in EVIDENCE.endpoints:
        if e.id in prior_rows:
            assert not e.fitted, e.id


def test_every_clinical_row_is_fitted_or_explained() -> None:
    used = {e.id for e in EVIDENCE.endpoints}
    for row_id in ROWS["clinical_endpoints"]:
        assert row_id in used or row_id in EVIDENCE.unused, row_id
    for row_id in (r for r in ROWS["physiology"] if r.startswith("AG-")):
        assert row_id in used or row_id in EVIDENCE.unused, row_id
    assert not used & set(EVIDENCE.unused)


def test_every_scenario_is_used_and_documented() -> None:
    used = {e.scenario for e in EVIDENCE.endpoints} | {
        e.reference_scenario for e in EVIDENCE.endpoints if e.reference_scenario
    }
    assert used == set(EVIDENCE.scenarios)
    for scenario in EVIDENCE.scenarios.values():
        assert scenario.assumptions.strip()


def test_quantitative_endpoints_have_an_error_model() -> None:
    for e in EVIDENCE.quantitative():
        assert e.sd is not None and e.sd > 0 and e.sd_from
        assert EVIDENCE.observables[e.observable].tau > 0


def test_observation_parameters_are_documented() -> None:
    from dermasim.parameters import observation_parameters

    ps = observation_parameters()
    for name in EVIDENCE.gains():
        record = ps[name]
        assert record.unit and record.note and record.evidence == "assumed"
