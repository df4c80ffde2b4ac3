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
        # a change read from a reference day: the row gives both days, or only the later one
        # (the reference visit is another row of the same study)
        assert stated in (list(endpoint.days), [endpoint.reference_day, *endpoint.days])
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
    """A row that sets a parameter's prior is fitted only for a finding that the parameter
    cannot move (HA-MRI-1: its +331% at month 1 sets the gel's water uptake, its volume
    change from month 1 to month 12 is fitted): the fitted prediction is the same at both
    ends of that parameter's prior."""
    import numpy as np

    from dermasim.calibration.likelihood import CalibrationProblem
    from dermasim.parameters import ParameterSet

    parameters = ParameterSet.load()
    behind = {(row, p) for p in parameters for row in parameters[p].rows}
    shared = [(e, p) for e in EVIDENCE.endpoints if e.fitted for row, p in behind if row == e.id]
    assert [(e.id, p) for e, p in shared] == [("HA-MRI-1", "filler_water_uptake")]
    for endpoint, name in shared:
        problem = CalibrationProblem(fit=(name,)).subset([endpoint.id])
        u = np.zeros((2, problem.ndim))
        u[:, problem.names.index(name)] = (-2.5, 2.5)
        values = problem.to_values(u)
        assert np.ptp(values[name]) > 1.0
        predicted = problem.predictions(values)[endpoint.id]
        np.testing.assert_allclose(predicted[0], predicted[1], rtol=1e-9, atol=1e-9)


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


def test_a_volume_change_is_read_from_its_reference_day() -> None:
    import numpy as np

    from dermasim.calibration.observables import predict
    from dermasim.calibration.scenarios import ScenarioOutputs

    endpoint = next(e for e in EVIDENCE.endpoints if e.id == "HA-B07-2")
    assert endpoint.reference_day == 42 and endpoint.days == (364,)
    gel = np.array([[0.0, 2.0, 0.5], [0.0, 4.0, 4.0]])  # two draws, mm at days 0, 42, 364
    outputs = ScenarioOutputs(
        days={endpoint.scenario: (0.0, 42.0, 364.0)},
        endpoints={endpoint.scenario: {"filler_gel_mm": gel}},
    )
    change = predict(endpoint, EVIDENCE, outputs, {})
    assert change.shape == (2, 1)
    assert change[:, 0] == pytest.approx([-75.0, 0.0])  # from the day-42 gel, not the day-0 one
    assert 42.0 in EVIDENCE.days_by_scenario()[endpoint.scenario]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("reference_day = 42\n", ""), "needs a reference_day"),
        (("reference_day = 42\n", "reference_day = 400\n"), "must come before"),
        (('id = "HA-N08-1"\n', 'id = "HA-N08-1"\nreference_day = 30\n'), "takes no reference"),
    ],
)
def test_reference_days_are_checked_when_the_evidence_is_read(monkeypatch, edit, message):
    from dermasim.calibration import evidence as module
    from dermasim.calibration.evidence import EvidenceError

    original = module._data_text

    def edited(name: str) -> str:
        text = original(name)
        return text.replace(*edit, 1) if name == "evidence.toml" else text

    monkeypatch.setattr(module, "_data_text", edited)
    with pytest.raises(EvidenceError, match=message):
        module.load_evidence_set.__wrapped__()
