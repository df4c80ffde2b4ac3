"""Permeability against its evidence: cross-validated error next to Potts-Guy (physiology row
PG-1) and the microneedle enhancement rows MC-7 to MC-10 (open channels, in vitro).

Fast enough for ``make test``; ``make validate`` also writes the report
(``dermasim permeability-validate``). Rows with a recorded ``disagreement`` are expected
failures, with the reason.
"""

from __future__ import annotations

import csv
from importlib import resources

import pytest

from dermasim.permeability.validation import enhancement_rows, permeability_validation

ROWS = {row.id: row for row in enhancement_rows()}


@pytest.fixture(scope="module")
def result():
    return permeability_validation(seed=0)


def _physiology_rows() -> dict[str, dict[str, str]]:
    path = resources.files("dermasim") / "data" / "evidence" / "physiology.csv"
    with path.open(encoding="utf-8") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def test_scenarios_quote_their_evidence_rows() -> None:
    rows = _physiology_rows()
    for scenario in enhancement_rows():
        source = rows[scenario.id]
        assert source["value"] == scenario.source_value, scenario.id
        assert source["study"] == scenario.study, scenario.id
        assert scenario.scenario
        numbers = [float(x) for x in scenario.source_value.split(" to ")]
        assert scenario.observed == (numbers[0], numbers[-1]), scenario.id
        assert scenario.not_significant == ("not significant" in source["unit"]), scenario.id


def test_two_pathway_model_beats_potts_guy(result) -> None:
    cv = result.cv_rmse
    assert cv["two_pathway"] < cv["potts_guy_refit"] < cv["potts_guy_published"]


@pytest.mark.parametrize("row", list(ROWS))
def test_enhancement_row_inside_the_interval(result, row) -> None:
    check = next(c for c in result.checks if c.row.id == row)
    assert check.passed, (row, check.row.observed, check.predicted)


#: Observed orderings the predicted medians do not keep (reasons in enhancement.toml).
ORDER_NOT_KEPT = {("MC-8", "MC-7"): "MC-7", ("MC-9", "MC-7"): "MC-7"}


def _pairs():
    rows = enhancement_rows()
    return [
        pytest.param(
            (a.id, b.id),
            marks=pytest.mark.xfail(
                reason=ROWS[ORDER_NOT_KEPT[(a.id, b.id)]].disagreement, strict=True
            )
            if (a.id, b.id) in ORDER_NOT_KEPT
            else (),
            id=f"{a.id}<{b.id}",
        )
        for a in rows
        for b in rows
        if a.observed[1] < b.observed[0]
    ]


@pytest.mark.parametrize("pair", _pairs())
def test_observed_order_is_kept(result, pair) -> None:
    """Rows whose observed values do not overlap (carbamazepine, about 1.2-1.4x, below
    amantadine 2.2x, the peptides 2-22x and tiagabine 6.7x): the predicted medians keep
    their order."""
    order = {(low, high): same for low, high, same in result.order_checks()}
    assert order[pair]


#: Rows whose predicted median is more than 10-fold off (reasons in enhancement.toml).
MEDIAN_OFF = ("MC-10",)


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(
            r.id,
            marks=pytest.mark.xfail(reason=r.disagreement, strict=True)
            if r.id in MEDIAN_OFF
            else (),
        )
        for r in enhancement_rows()
    ],
)
def test_predicted_median_within_ten_fold(result, row) -> None:
    check = next(c for c in result.checks if c.row.id == row)
    assert abs(check.log10_error) < 1.0, (row, check.log10_error)
