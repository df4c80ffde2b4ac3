"""Every parameter has unit, bounds, prior and a source or an explicit assumption."""

import csv
from importlib import resources

import numpy as np
import pytest

from dermasim.errors import ParameterError
from dermasim.parameters import EVIDENCE_GRADES, Parameter, ParameterSet, bundled_parameter_sets
from dermasim.references import load_references

PS = ParameterSet.load("default")


def _evidence_row_ids() -> set[str]:
    ids: set[str] = set()
    folder = resources.files("dermasim") / "data" / "evidence"
    for name in ("physiology.csv", "clinical_endpoints.csv"):
        with (folder / name).open(encoding="utf-8") as fh:
            ids.update(row["id"] for row in csv.DictReader(fh))
    return ids


def test_default_is_bundled():
    assert "default" in bundled_parameter_sets()
    assert len(PS) >= 30


@pytest.mark.parametrize("name", list(PS))
def test_record_is_complete(name):
    p = PS[name]
    assert p.unit
    assert p.evidence in EVIDENCE_GRADES
    lo, hi = p.bounds
    assert lo <= p.value <= hi
    if p.assumed:
        assert len(p.note) > 20, "an assumed value needs a reason"
    else:
        assert p.source, "a sourced value needs a references.bib key"


@pytest.mark.parametrize("name", list(PS))
def test_sources_and_rows_exist(name):
    keys = load_references()
    rows = _evidence_row_ids()
    p = PS[name]
    for key in p.source:
        assert key in keys, f"{name}: {key} not in references.bib"
    for row in p.rows + p.population_rows:
        assert row in rows, f"{name}: row {row} not in the shipped evidence"
    if p.population_sd > 0:
        assert p.population_rows, f"{name}: a between-patient spread needs its evidence rows"


@pytest.mark.parametrize("name", list(PS))
def test_prior_stays_in_bounds_and_is_centred(name):
    p = PS[name]
    draws = p.prior.sample(np.random.default_rng(0), 4000)
    lo, hi = p.bounds
    assert draws.min() >= lo
    assert draws.max() <= hi
    if p.prior.distribution == "lognormal":
        # truncation moves the median only a little when the bounds are wide
        assert np.median(draws) == pytest.approx(p.value, rel=0.25)


def test_sampling_is_reproducible():
    a = PS.sample(50, np.random.default_rng(11))
    b = PS.sample(50, np.random.default_rng(11))
    c = PS.sample(50, np.random.default_rng(12))
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert any(not np.array_equal(a[k], c[k]) for k in a)


def test_assumed_list_is_reported():
    assumed = {p.name for p in PS.assumed()}
    assert "pn_clearance" in assumed
    assert "inflammation_clearance" not in assumed


GOOD = {
    "value": 0.3,
    "unit": "1/day",
    "bounds": [0.1, 1.0],
    "prior": {"distribution": "lognormal", "median": 0.3, "gsd": 2.0},
    "source": ["Waugh2006"],
    "evidence": "model-fit",
    "note": "x",
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": 5.0}, "value"),
        ({"bounds": [1.0, 0.1]}, "bounds"),
        ({"unit": ""}, "unit"),
        ({"evidence": "hearsay"}, "evidence"),
        ({"source": [], "evidence": "model-fit"}, "source"),
        ({"source": [], "evidence": "assumed", "note": ""}, "note"),
        ({"prior": {"distribution": "cauchy"}}, "distribution"),
        ({"prior": {"distribution": "lognormal", "median": 0.3, "gsd": 0.5}}, "gsd"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_records_are_rejected_with_the_field_named(change, field):
    record = {**GOOD, **change}
    with pytest.raises(ParameterError) as err:
        Parameter.from_record("k", record)
    message = str(err.value)
    assert field in message
    assert "for example" in message
    assert "\n" not in message


def test_unknown_parameter_set_is_a_clear_error():
    with pytest.raises(ParameterError, match="default"):
        ParameterSet.load("nonexistent")
