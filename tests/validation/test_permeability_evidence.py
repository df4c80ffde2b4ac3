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


def test_lipophilic_drug_gains_least_and_peptide_most(result) -> None:
    """Order of MC-9 (carbamazepine, about 1.2-1.4x) against MC-10 (peptides, 2-22x)."""
    median = {c.row.compound: c.predicted.median for c in result.checks}
    assert median["carbamazepine"] < 1.4
    assert median["carbamazepine"] < median["amantadine"] < median["palmitoyl-KTTKS"]
    assert median["palmitoyl-KTTKS"] > 2.0
