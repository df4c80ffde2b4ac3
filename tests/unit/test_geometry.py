"""Tests of dermasim.geometry (site/sex/age layer thicknesses)."""

from __future__ import annotations

import math

import pytest

from dermasim.errors import PatientError
from dermasim.geometry import LAYERS, SkinGeometry, geometry_provenance, site_names, skin_geometry
from dermasim.patient import SEXES, SITES
from dermasim.references import load_evidence, load_references


def _row(row_id: str) -> dict[str, str]:
    return next(r for r in load_evidence("physiology") if r["id"] == row_id)


def test_sites_match_patient_sites() -> None:
    assert site_names() == SITES


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("sex", SEXES)
def test_positive_layers_all_ages(site: str, sex: str) -> None:
    for age in range(18, 91):
        g = skin_geometry(age, sex, site)
        assert g.stratum_corneum_mm > 0
        assert g.viable_epidermis_mm > 0
        assert g.papillary_mm > 0
        assert g.reticular_mm > 0
        assert g.reticular_mm > g.papillary_mm
        assert 0.3 < g.total_mm < 4.0


def test_cheek_women_30s_matches_th1() -> None:
    # TH-1 (FacialHFUS): cheek women 20-29 / 30-39 / 40-49 = 1.90 / 2.12 / 1.98 mm
    values = [float(v) for v in _row("TH-1")["value"].split("/")]
    assert values == [1.90, 2.12, 1.98]
    assert skin_geometry(35, "female", "cheek").total_mm == pytest.approx(2.12)
    assert skin_geometry(25, "female", "cheek").total_mm == pytest.approx(1.90)
    assert skin_geometry(45, "female", "cheek").total_mm == pytest.approx(1.98)


def test_other_rows() -> None:
    assert skin_geometry(25, "male", "cheek").total_mm == pytest.approx(2.53)  # TH-2
    assert skin_geometry(45, "male", "forehead").total_mm == pytest.approx(2.14)  # TH-4
    assert skin_geometry(35, "female", "periorbital").total_mm == pytest.approx(1.15)  # TH-5
    # periorbital men: assumed, women's eyelid scaled by cheek men/women ratio
    assert skin_geometry(25, "male", "periorbital").total_mm == pytest.approx(1.24 * 2.53 / 1.90)


def test_interpolates_between_midpoints() -> None:
    assert skin_geometry(30, "female", "cheek").total_mm == pytest.approx((1.90 + 2.12) / 2)


def test_epidermis_from_tsugita() -> None:
    g = skin_geometry(40, "female", "cheek")
    assert g.stratum_corneum_mm == pytest.approx(0.0141)  # TH-8
    assert g.epidermis_mm == pytest.approx(0.0686)  # TH-7
    assert g.dermis_mm == pytest.approx(g.total_mm - 0.0686)


@pytest.mark.parametrize("site", SITES)
@pytest.mark.parametrize("sex", SEXES)
def test_dermis_thins_six_percent_per_decade_after_50(site: str, sex: str) -> None:
    # AG-3 (Branchet1990): dermal thickness -6 % per decade
    assert float(_row("AG-3")["value"]) == -6
    for age in (50, 60, 70, 80):
        ratio = (
            skin_geometry(age + 10, sex, site).dermis_mm / skin_geometry(age, sex, site).dermis_mm
        )
        assert ratio == pytest.approx(0.94, abs=1e-9)


def test_epidermis_thins_by_sex_after_50() -> None:
    # AG-2: -5.7 % (women) / -7.2 % (men) per decade
    for sex, rate in (("female", 0.943), ("male", 0.928)):
        a = skin_geometry(60, sex, "cheek").epidermis_mm
        b = skin_geometry(70, sex, "cheek").epidermis_mm
        assert b / a == pytest.approx(rate)


def test_young_held_constant() -> None:
    assert skin_geometry(18, "female", "cheek") == skin_geometry(25, "female", "cheek")


def test_layer_bounds_contiguous() -> None:
    g = skin_geometry(45, "female", "cheek")
    bounds = g.layer_bounds()
    assert tuple(bounds) == LAYERS
    top = 0.0
    for name in LAYERS:
        t, b = bounds[name]
        assert t == pytest.approx(top)
        assert b > t
        top = b
    assert top == pytest.approx(g.total_mm)


def test_skin_geometry_rejects_bad_inputs() -> None:
    for args in ((17, "female", "cheek"), (math.nan, "female", "cheek"), (45, "x", "cheek")):
        with pytest.raises(PatientError, match="for example"):
            skin_geometry(*args)
    with pytest.raises(PatientError, match="for example"):
        skin_geometry(45, "female", "knee")


def test_geometry_validates() -> None:
    with pytest.raises(PatientError):
        SkinGeometry(0.01, 0.05, -0.1, 1.0)


@pytest.mark.parametrize("site", SITES)
def test_provenance_complete(site: str) -> None:
    bib = load_references()
    ids = {r["id"] for r in load_evidence("physiology")}
    prov = geometry_provenance(site)
    for quantity, rec in prov.items():
        assert rec["assumed"] or (rec["source"] and rec["evidence"]), quantity
        assert all(k in bib for k in rec["source"])
        assert all(i in ids for i in rec["evidence"])


def test_provenance_marks_assumed() -> None:
    assert geometry_provenance("cheek")["full_thickness_female"]["assumed"] is None
    assert geometry_provenance("periorbital")["full_thickness_male"]["assumed"]
    for site in ("neck", "decolletage", "dorsal_hand"):
        assert "TH-9" in geometry_provenance(site)["full_thickness_female"]["assumed"]
    assert geometry_provenance("cheek")["papillary_fraction"]["assumed"]
