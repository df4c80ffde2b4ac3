"""Concerns map to the endpoints through which the calibration reads their evidence rows."""

import csv
from importlib import resources

import pytest

from dermasim.calibration.evidence import load_evidence_set
from dermasim.errors import SimulationError
from dermasim.plan import CONCERNS, get_concern
from dermasim.protocol import Protocol

#: The model quantity each calibration read-out rests on (observables.toml ``reads``):
#: the clinical grades and WSRS are read through the collagen change (and the gel), the
#: scar-grade percent through the scar grade.
READ_THROUGH = {
    "grade_change": {"collagen_density", "dermal_thickness"},
    "wsrs": {"collagen_density", "dermal_thickness"},
    "wsrs_improvement": {"collagen_density", "dermal_thickness"},
    "scar_grade_percent": {"scar_grade"},
}


def _row_ids() -> set[str]:
    text = resources.files("dermasim").joinpath("data/evidence/clinical_endpoints.csv")
    with text.open(encoding="utf-8") as handle:
        return {row["id"] for row in csv.DictReader(handle)}


def test_the_six_concerns_of_the_practitioner_are_all_there():
    assert set(CONCERNS) == {
        "fine_lines", "laxity", "acne_scars", "texture", "volume_loss", "dullness",
    }  # fmt: skip


@pytest.mark.parametrize("name", list(CONCERNS))
def test_each_concern_cites_rows_that_exist_and_its_standard_course_parses(name):
    concern = CONCERNS[name]
    assert concern.rows and set(concern.rows) <= _row_ids()
    assert Protocol.parse(concern.standard).courses


@pytest.mark.parametrize("name", [n for n in CONCERNS if n != "dullness"])
def test_some_fitted_row_of_the_concern_is_read_through_its_endpoint(name):
    """The mapping is the calibration's own: at least one of the concern's rows reaches the
    concern's endpoint through its observation model (dullness has no such row, and says so)."""
    concern = CONCERNS[name]
    evidence = load_evidence_set()
    by_id = {e.id: e for e in evidence.endpoints}
    reached = set()
    for row in concern.rows:
        if row in by_id:
            reads = evidence.observables[by_id[row].observable].reads
            reached |= READ_THROUGH.get(reads, {reads})
    assert concern.endpoint in reached, (name, reached)


def test_dullness_says_that_no_row_measures_radiance():
    assert "no row measures radiance" in CONCERNS["dullness"].note


def test_a_concern_is_found_whatever_the_case_and_a_wrong_one_is_one_clear_line():
    assert get_concern("Fine-Lines").name == "fine_lines"
    with pytest.raises(SimulationError) as info:
        get_concern("wrinkles")
    message = str(info.value)
    assert "\n" not in message
    assert "concern = 'wrinkles'" in message and "fine_lines" in message
    assert "for example --concern fine_lines" in message
