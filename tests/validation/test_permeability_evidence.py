"""Permeability against its evidence: cross-validated error next to Potts-Guy (physiology row
PG-1) and the microneedle enhancement rows MC-7 to MC-10 (open channels, in vitro).

Fast enough for ``make test``; ``make validate`` also writes the report
(``dermasim permeability-validate``). Rows with a recorded ``disagreement`` are expected
failures, with the reason.
"""

from __future__ import annotations

import csv
from importlib import resources

import numpy as np
import pytest

from dermasim.permeability.validation import enhancement_rows, permeability_validation


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


def _ids():
    return [
        pytest.param(
            row.id,
            marks=pytest.mark.xfail(reason=row.disagreement, strict=True)
            if row.disagreement
            else (),
        )
        for row in enhancement_rows()
    ]


@pytest.mark.parametrize("row", _ids())
def test_enhancement_row_inside_the_interval(result, row) -> None:
    check = next(c for c in result.checks if c.row.id == row)
    assert check.passed, (row, check.row.observed, check.predicted)


def test_the_lipophilic_drug_gains_less_than_amantadine_and_the_peptide(result) -> None:
    """MC-9 (carbamazepine, 1.19-1.38x) lies below MC-8 (amantadine, 2.2x) and MC-10
    (peptides, 2-22x) without overlap; the predicted medians keep that order."""
    order = {(low, high): same for low, high, same in result.order_checks()}
    assert order[("MC-9", "MC-8")]
    assert order[("MC-9", "MC-10")]


def test_quantiles_and_errors_are_reported(result) -> None:
    for check in result.checks:
        assert 0.0 <= check.quantile <= 1.0
        assert np.isfinite(check.log10_error)
