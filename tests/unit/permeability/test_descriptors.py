"""Descriptors of the enhancement scenarios are computed the way HuskinDB computes its own:
monoisotopic mass and the Crippen log P, from each compound's SMILES (RDKit)."""

from __future__ import annotations

import pytest
from rdkit import Chem
from rdkit.Chem import Crippen, Descriptors

from dermasim.permeability.dataset import load_rows
from dermasim.permeability.validation import enhancement_rows


def _descriptors(smiles: str) -> tuple[float, float]:
    mol = Chem.MolFromSmiles(smiles)
    assert mol is not None, smiles
    return Descriptors.ExactMolWt(mol), Crippen.MolLogP(mol)


def test_huskindb_columns_are_rdkit_mass_and_crippen_logp() -> None:
    import csv
    from importlib import resources

    path = resources.files("dermasim") / "data" / "permeability" / "huskindb.csv"
    with path.open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == len(load_rows())
    for row in table:
        mw, logp = _descriptors(row["Smiles"])
        assert mw == pytest.approx(float(row["molecular weight"]), abs=1e-6)
        assert logp == pytest.approx(float(row["LogP"]), abs=1e-6)


@pytest.mark.parametrize("row", enhancement_rows(), ids=lambda r: r.id)
def test_enhancement_scenario_descriptors_match_their_smiles(row) -> None:
    mw, logp = _descriptors(row.smiles)
    assert row.mw == pytest.approx(mw, abs=1e-3)
    assert row.log_kow == pytest.approx(logp, abs=1e-3)
