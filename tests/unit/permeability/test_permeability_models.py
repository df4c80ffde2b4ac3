"""Intact-skin permeability: the bundled table, the documented filter, and the models
against the published Potts-Guy relation (physiology row PG-1)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dermasim.permeability.dataset import filter_report, filtered_rows, load_rows
from dermasim.permeability.models import (
    POTTS_GUY,
    fit_linear,
    fit_two_pathway,
    grouped_cv_rmse,
)

SHARED = Path(__file__).resolve().parents[3].parent / "shared" / "evidence" / "permeability"
if not SHARED.is_dir():  # a clone elsewhere: the project's shared folder, where it exists
    SHARED = Path("/work/shared/evidence/permeability")


@pytest.mark.skipif(not SHARED.is_dir(), reason="shared evidence folder not present")
def test_bundled_table_is_a_copy_of_its_source() -> None:
    from importlib import resources

    bundled = resources.files("dermasim") / "data" / "permeability" / "huskindb.csv"
    assert bundled.read_bytes() == (SHARED / "huskindb.csv").read_bytes()


def test_every_row_left_out_has_a_reason() -> None:
    report = filter_report()
    assert len(report) == len(load_rows())
    kept = [r for r, why in report if not why]
    assert kept == list(filtered_rows())
    for _, why in report:
        if why:
            assert why.split()[0] in ("layer", "vehicle", "temperature", "neat", "outlier:"), why
    for row in kept:
        assert row.layer == "epidermis" and not row.neat
        assert row.temperature_c is not None and 30 <= row.temperature_c <= 37


def test_outliers_are_flagged_not_silently_dropped() -> None:
    outliers = [(r, why) for r, why in filter_report() if why.startswith("outlier")]
    assert 0 < len(outliers) <= 5
    for row, _ in outliers:
        assert row not in filtered_rows()


def test_published_potts_guy_coefficients_row_pg1() -> None:
    # PG-1: log10 kp[cm/s] = -6.3 + 0.71 log Kow - 0.0061 MW
    assert POTTS_GUY.log_kp(np.array([0.0]), np.array([0.0]))[0] == pytest.approx(-6.3)
    assert POTTS_GUY.log_kp(np.array([1.0]), np.array([100.0]))[0] == pytest.approx(
        -6.3 + 0.71 - 0.61
    )


def test_fitted_models_beat_published_potts_guy_in_grouped_cv() -> None:
    """Row PG-1 scored on the same filtered rows and the same compound folds."""
    published = grouped_cv_rmse(None)
    refit = grouped_cv_rmse(fit_linear)
    two_pathway = grouped_cv_rmse(fit_two_pathway)
    assert refit < published
    assert two_pathway < refit


def test_fits_are_reproducible_and_physically_signed() -> None:
    a, b = fit_two_pathway(), fit_two_pathway()
    assert a == b
    assert a.b > 0 and a.c < 0  # lipophilic helps, size hurts (as in Potts-Guy)
    assert fit_linear().b_logkow > 0


def test_intact_prediction_has_an_interval_and_flags_extrapolation() -> None:
    from dermasim.permeability import intact_permeability

    inside = intact_permeability(287, 2.7)
    assert inside.p05 < inside.median < inside.p95
    assert inside.warnings == ()
    big = intact_permeability(1500, 2.7)
    assert any("mw = 1500" in w for w in big.warnings)
    # larger molecules permeate less, lipophilic ones more (the direction of PG-1)
    assert big.median < inside.median
    assert intact_permeability(287, 3.5).median > intact_permeability(287, 0.5).median


@pytest.mark.parametrize(
    ("mw", "log_kow", "field"),
    [
        (-3, 2.0, "mw"),
        (float("nan"), 2.0, "mw"),
        (200, 11.0, "logkow"),
        (200, float("nan"), "logkow"),
    ],
)
def test_bad_descriptors_give_a_clear_error(mw, log_kow, field) -> None:
    from dermasim.permeability import DescriptorError, intact_permeability

    with pytest.raises(DescriptorError, match=rf"^{field} = .* is not valid: allowed"):
        intact_permeability(mw, log_kow)


def test_cli_permeability_json_contract() -> None:
    import contextlib
    import io
    import json

    from dermasim.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["permeability", "--mw", "287", "--logkow", "2.7", "--json"]) == 0
    payload = json.loads(out.getvalue())
    assert payload["schema"] == "dermasim.permeability/1"
    assert set(payload["intact"]["log10_kp_cm_s"]) == {"median", "p05", "p95"}
    assert payload["after_needling"] is None and payload["warnings"] == []
