"""Tests of dermasim.references and the shipped evidence copies."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from dermasim.errors import DermasimError
from dermasim.references import (
    EVIDENCE_TABLES,
    bib_fields,
    format_plain,
    load_evidence,
    load_references,
)

SHARED = Path(__file__).resolve().parents[3] / "shared" / "evidence"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/evidence")
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="shared evidence folder not present (source of the copies)"
)


def _shared_rows(name: str) -> list[dict[str, str]]:
    with (SHARED / f"{name}.csv").open(newline="", encoding="utf-8") as fh:
        return [dict(r) for r in csv.DictReader(fh)]


@needs_shared
@pytest.mark.parametrize("table", EVIDENCE_TABLES)
def test_shipped_rows_equal_source(table: str) -> None:
    source = {r["id"]: r for r in _shared_rows(table)}
    shipped = load_evidence(table)
    assert shipped, table
    for row in shipped:
        assert row["id"] in source, row["id"]
        assert row == source[row["id"]], row["id"]


@needs_shared
def test_shipped_bib_has_every_source_entry() -> None:
    text = (SHARED / "references.bib").read_text(encoding="utf-8")
    refs = load_references()
    n_entries = sum(1 for line in text.splitlines() if line.lstrip().startswith("@"))
    assert len(refs) >= n_entries
    supplement = _row_citation_keys()
    for key, raw in refs.items():
        if key not in supplement:
            assert raw in text, key


def _row_citation_keys() -> set[str]:
    from dermasim.references import ROW_CITATIONS, _read_data, _scan_entries

    return set(_scan_entries(_read_data(ROW_CITATIONS)))


@needs_shared
def test_row_citations_are_not_in_the_shared_bib() -> None:
    """A row citation is dropped once the shared bibliography has the key."""
    text = (SHARED / "references.bib").read_text(encoding="utf-8")
    for key in _row_citation_keys():
        assert "{" + key + "," not in text, key


def test_row_citations_come_from_the_rows() -> None:
    """Each row citation is cited by a row, and its DOI (where it has one) is in that row."""
    rows = [r for t in EVIDENCE_TABLES for r in load_evidence(t)]
    for key in _row_citation_keys():
        citing = [r for r in rows if key in {k.strip() for k in r["study"].split(";")}]
        assert citing, key
        doi = bib_fields(key).get("doi")
        if doi:
            assert any(doi in r["note"] for r in citing), (key, doi)


def test_every_key_parses() -> None:
    refs = load_references()
    assert len(refs) >= 40
    for key in refs:
        fields = bib_fields(key)
        assert fields["ID"] == key
        assert fields["ENTRYTYPE"] in {"article", "misc", "book", "inproceedings", "dataset"}
        text = format_plain(key)
        assert text and "\n" not in text and "{" not in text


# Study labels of evidence rows that are not bibliographic sources. ClinicNorm (row PN-CL-1)
# is a protocol norm read on clinic web pages; the shared references.bib has no entry for it.
NOT_IN_BIB = {"ClinicNorm"}


def test_every_evidence_study_is_cited() -> None:
    refs = load_references()
    for table in EVIDENCE_TABLES:
        for row in load_evidence(table):
            for key in row["study"].split(";"):
                assert key.strip() in refs or key.strip() in NOT_IN_BIB, (row["id"], key)


def test_format_plain_aust() -> None:
    assert format_plain("Aust2008") == (
        "Aust M. C. et al. (2008). Percutaneous collagen induction therapy: an alternative "
        "treatment for scars, wrinkles, and skin laxity. Plastic and Reconstructive Surgery "
        "121(4):1421-1429. doi:10.1097/01.prs.0000304612.72899.02"
    )


def test_an_article_without_its_title_says_so() -> None:
    text = format_plain("Fisher2009")
    assert text.endswith("[title not recorded in dermasim's evidence]"), text
    assert "not recorded" not in format_plain("Aust2008")
    assert format_plain("KimZH2015").endswith(
        "[title and journal not recorded in dermasim's evidence]"
    )


def test_unknown_key_and_table() -> None:
    with pytest.raises(DermasimError, match="for example"):
        format_plain("Nobody1900")
    with pytest.raises(DermasimError, match="for example"):
        load_evidence("nonsense")


def test_load_evidence_suffix() -> None:
    assert load_evidence("physiology.csv") == load_evidence("physiology")


def test_nested_braces_scanner() -> None:
    from dermasim.references import _scan_entries

    text = '@comment{x}\n@article{K1, title={A {Nested} title}, year={2000}}\n@misc{K2, note="q"}'
    entries = _scan_entries(text)
    assert set(entries) == {"K1", "K2"}
    assert entries["K1"].endswith("{2000}}")
