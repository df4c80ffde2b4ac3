"""Topical courses and products: defaults, validation, TOML and the compact string."""

import pytest

from dermasim.errors import ProtocolError
from dermasim.protocol import Course, Protocol
from dermasim.protocol.products import (
    TopicalProduct,
    bundled_products,
    product_from_mapping,
    resolve_product,
)

PEPTIDE = {
    "name": "peptide serum",
    "active": "pal-KTTKS",
    "mw_da": 802.5,
    "log_kow": 1.2,
    "concentration_mg_per_ml": 0.1,
    "action": "none",
}


def test_defaults():
    course = Course("topical")
    egf = bundled_products()["growth_factor_serum"]
    assert course.product == egf
    assert course.concentration_mg_per_ml == egf.concentration_mg_per_ml == 0.01
    assert course.dose_mg_per_cm2 == 2.0
    assert course.minutes_after_needling == 0.0
    assert course.occluded is False
    assert course.depth_mm is course.volume_ml is course.area_cm2 is None


def test_other_treatments_carry_no_topical_settings():
    course = Course("microneedling")
    assert course.product is course.occluded is course.dose_mg_per_cm2 is None
    assert course.minutes_after_needling is None


@pytest.mark.parametrize(
    ("values", "fragment"),
    [
        ({"treatment": "microneedling", "occluded": True}, "course.occluded = True"),
        ({"treatment": "polynucleotide", "product": "growth_factor_serum"}, "applies to topical"),
        (
            {"treatment": "topical", "product": "growth_factor_serm"},
            "did you mean 'growth_factor_serum'",
        ),
        ({"treatment": "topical", "occluded": "yes"}, "allowed true or false"),
        ({"treatment": "topical", "dose_mg_per_cm2": 0.0}, "0.01 to 50.0 mg/cm2"),
        ({"treatment": "topical", "minutes_after_needling": -1}, "0.0 to 1440.0 min"),
        ({"treatment": "topical", "concentration_mg_per_ml": 2000}, "1e-06 to 1000.0 mg/mL"),
        ({"treatment": "topical", "depth_mm": 1.0}, "no depth_mm for topical"),
        ({"treatment": "polynucleotide", "concentration_mg_per_ml": 0.01}, "1.0 to 40.0"),
    ],
)
def test_bad_settings_name_field_value_and_range(values, fragment):
    with pytest.raises(ProtocolError) as info:
        Course(**values)
    message = str(info.value)
    assert fragment in message
    assert "for example" in message


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"log_kow": None}, "log_kow = None"),
        ({"mw_da": -5.0}, "mw_da = -5.0"),
        ({"mw_da": float("nan")}, "mw_da = nan"),
        ({"log_kow": 11.0}, "-5 to 10"),
        ({"intact_route": "skin"}, "one of two_pathway, pore, none"),
        ({"action": "collagen"}, "one of growth_signal, none"),
        ({"concentration_mg_per_ml": 0.0}, "1e-06 to 1000 mg/mL"),
        ({"name": ""}, "a non-empty string"),
    ],
)
def test_bad_products(changes, fragment):
    values = {**PEPTIDE, "intact_route": "two_pathway", **changes}
    with pytest.raises(ProtocolError) as info:
        TopicalProduct(**values)
    assert fragment in str(info.value)


def test_product_tables():
    product = product_from_mapping(PEPTIDE)
    assert product.intact_route == "two_pathway"
    without_log_kow = {k: v for k, v in PEPTIDE.items() if k != "log_kow"}
    protein = product_from_mapping(without_log_kow)
    assert protein.intact_route == "pore" and protein.log_kow is None
    assert product_from_mapping({**without_log_kow, "intact_route": "none"}).intact_route == "none"
    assert product_from_mapping(product.to_dict()) == product
    with pytest.raises(ProtocolError, match="only the keys"):
        product_from_mapping({**PEPTIDE, "colour": "red"})
    with pytest.raises(ProtocolError, match=r"product\.active = None"):
        product_from_mapping({k: v for k, v in PEPTIDE.items() if k != "active"})
    with pytest.raises(ProtocolError, match="a bundled product"):
        resolve_product(42)


def test_custom_product_round_trips_through_toml():
    text = """
[[course]]
treatment = "serum"
minutes_after_needling = "1.5 h"
dose_mg_per_cm2 = "500 ug/cm2"
occluded = true

[course.product]
name = "peptide serum"
active = "pal-KTTKS"
mw_da = 802.5
log_kow = 1.2
concentration_mg_per_ml = 0.1
action = "none"
"""
    protocol = Protocol.from_toml(text)
    (course,) = protocol.courses
    assert course.minutes_after_needling == 90.0
    assert course.dose_mg_per_cm2 == 0.5
    assert course.product == product_from_mapping(PEPTIDE)
    assert Protocol.from_toml(protocol.to_toml()) == protocol
    assert course.to_dict()["product"] == product_from_mapping(PEPTIDE).to_dict()


def test_bundled_product_is_written_by_name():
    course = Course("topical", occluded=True)
    assert course.to_dict()["product"] == "growth_factor_serum"
    assert course.to_dict()["occluded"] is True


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        (
            "topical",
            "1 x topical growth_factor_serum 0.01 mg/mL 2 mg/cm2 0 min after needling",
        ),
        (
            "4 x Serum Growth_Factor_Serum 5 mg/cm2 1 h after needling occluded every 4 weeks",
            "4 x topical growth_factor_serum 0.01 mg/mL 5 mg/cm2 60 min after needling occluded "
            "every 28 days",
        ),
    ],
)
def test_compact_string(text, canonical):
    protocol = Protocol.parse(text)
    assert str(protocol) == canonical
    assert Protocol.parse(canonical) == protocol


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("topical egf_serum", "expected a bundled product (growth_factor_serum) or a setting"),
        ("microneedling 1 mm occluded", "no occlusion for microneedling"),
        ("topical 2 mm after needling", "a time before 'after needling'"),
        ("topical occluded occluded", "one occlusion per phase"),
        ("pn 2 mg/cm2", "no dose for polynucleotide"),
    ],
)
def test_bad_compact_strings(text, fragment):
    with pytest.raises(ProtocolError) as info:
        Protocol.parse(text)
    assert fragment in str(info.value)


def test_bundled_egf_mass_is_recomputed_from_its_sequence():
    """mw_da of the bundled serum's active: RDKit monoisotopic mass of the recorded sequence
    less six hydrogens for three disulfide bonds (HuskinDB's convention for MW)."""
    import tomllib
    from importlib import resources

    from rdkit import Chem
    from rdkit.Chem import Descriptors

    path = resources.files("dermasim") / "data" / "topical" / "products.toml"
    record = tomllib.loads(path.read_text(encoding="utf-8"))["growth_factor_serum"]
    sequence = record["sequence"]
    assert len(sequence) == 53 and sequence.count("C") == 6
    hydrogen = Descriptors.ExactMolWt(Chem.MolFromSmiles("[H]"))
    mass = Descriptors.ExactMolWt(Chem.MolFromSequence(sequence)) - 6 * (hydrogen)
    assert record["mw_da"] == pytest.approx(mass, abs=0.05)


def test_custom_product_round_trips_through_a_dict():
    course = Course("topical", product=product_from_mapping(PEPTIDE))
    protocol = Protocol((Course("microneedling"), course), name="custom")
    assert Protocol.from_dict(protocol.to_dict()) == protocol
