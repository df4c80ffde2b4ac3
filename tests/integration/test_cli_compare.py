"""``dermasim compare``, ``protocols``, ``cite`` and ``--version``."""

import json

import numpy as np
import xarray as xr

import dermasim
from dermasim.cli import main
from dermasim.protocol import bundled_protocols

MN = "4 x microneedling 1.5 mm every 30 days"
TWO = [MN, "pn-standard"]
BUNDLED = (
    "no-treatment",
    "pn-standard",
    "microneedling-4-monthly",
    "microneedling-6-biweekly",
    "ha-filler-single",
    "pn-plus-microneedling",
    "microneedling-growth-factor-serum",
)


def run_json(capsys, *args):
    rc = main(["compare", *args, "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert len(out.strip().splitlines()) == 1, out
    return json.loads(out)


def test_compare_json_contract(capsys):
    data = run_json(capsys, *TWO, "--draws", "6", "--days", "200", "--seed", "5")
    assert data["schema"] == "dermasim.comparison/1"
    assert data["endpoint"] == "collagen_density"
    assert data["unit"] == "%"
    assert data["patient"]["age"] == 45
    assert data["provenance"]["draws"] == 6
    assert data["provenance"]["seed"] == 5
    rows = data["rows"]
    assert [r["protocol"] for r in rows] == [MN, "pn-standard"]
    assert rows[0]["compact"] == MN
    assert rows[1]["compact"] == str(bundled_protocols()["pn-standard"])
    assert [r["sessions"] for r in rows] == [4, 4]  # pn-standard: 3 + 1 maintenance by day 200
    for row in rows:
        cells = row["collagen_density"]
        assert list(cells) == ["3 mo", "6 mo"]  # 12 and 24 months lie beyond 200 days
        assert [c["day"] for c in cells.values()] == [90, 180]
        for cell in cells.values():
            assert cell["p05"] <= cell["median"] <= cell["p95"]
        dt = row["downtime_days"]
        assert set(dt) == {"median", "p05", "p95"}
        assert 0 <= dt["p05"] <= dt["median"] <= dt["p95"]


def test_compare_cells_equal_single_simulations(capsys):
    data = run_json(capsys, *TWO, "--draws", "6", "--days", "200")
    sol = dermasim.simulate(MN, days=200, draws=6, seed=0, at=[90, 180])
    q = sol.quantiles("collagen_density", at=[90, 180])
    cells = data["rows"][0]["collagen_density"]
    np.testing.assert_allclose([cells["3 mo"]["median"], cells["6 mo"]["median"]], q[1])
    assert data["rows"][0]["downtime_days"] == sol.downtime_summary()


def test_compare_shares_draws_between_protocols(capsys):
    """Same seed, same draws: the untreated row is identical whatever it is compared with."""
    first = run_json(capsys, "no-treatment", MN, "--draws", "5", "--days", "100")["rows"][0]
    second = run_json(capsys, "no-treatment", "pn-standard", "--draws", "5", "--days", "100")
    assert first == second["rows"][0]
    assert first["downtime_days"]["median"] == 0.0


def test_compare_without_arguments_uses_the_bundled_set(capsys):
    data = run_json(capsys, "--draws", "3", "--days", "100")
    assert [r["protocol"] for r in data["rows"]] == list(BUNDLED)
    for row in data["rows"]:
        assert list(row["collagen_density"]) == ["3 mo"]


def test_compare_short_horizon_reports_the_horizon(capsys):
    data = run_json(capsys, MN, "--draws", "3", "--days", "60")
    assert list(data["rows"][0]["collagen_density"]) == ["day 60"]


def test_compare_writes_figure_and_netcdf(capsys, tmp_path):
    rc = main(["compare", *TWO, "--draws", "5", "--days", "120", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "collagen_density" in out
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted(
        [
            "compare_collagen_density.png",
            "compare.json",
            "compare.manifest.json",
            "4_x_microneedling_1.5_mm_every_30_days.nc",
            "pn-standard.nc",
        ]
    )
    assert (tmp_path / "compare_collagen_density.png").read_bytes()[:4] == b"\x89PNG"
    saved = json.loads((tmp_path / "compare.json").read_text())
    assert saved["schema"] == "dermasim.comparison/1"
    with xr.open_dataset(tmp_path / "pn-standard.nc") as ds:
        assert ds.attrs["protocol"] == str(bundled_protocols()["pn-standard"])
        assert ds["collagen_density"].dims == ("draw", "time")
        assert ds.sizes["draw"] == 5


def test_compare_out_keeps_every_file_in_the_folder(capsys, tmp_path):
    argv = ["compare", "3 x pn every 21 days", "--draws", "3", "--days", "60"]
    rc = main([*argv, "--out", str(tmp_path)])
    capsys.readouterr()
    assert rc == 0
    assert all(p.is_file() for p in tmp_path.iterdir()), sorted(tmp_path.rglob("*"))
    assert len(list(tmp_path.glob("*.nc"))) == 1


def test_protocols_lists_every_bundled_protocol(capsys):
    assert main(["protocols"]) == 0
    out = capsys.readouterr().out
    for name in BUNDLED:
        assert name in out
    assert MN in out
    assert "6 x microneedling 1.5 mm every 14 days" in out


def test_cite_plain(capsys):
    assert main(["cite"]) == 0
    plain = capsys.readouterr().out
    lines = [line for line in plain.splitlines() if line.strip()]
    assert len(lines) >= 3
    assert "Waugh" in plain
    assert not plain.lstrip().startswith("@")


def test_cite_bibtex(capsys):
    assert main(["cite", "--format", "bibtex"]) == 0
    bib = capsys.readouterr().out
    assert bib.lstrip().startswith("@")
    entries = [line for line in bib.splitlines() if line.startswith("@")]
    assert len(entries) >= 3
    assert any("Verzijl2000" in e for e in entries)


def test_version(capsys):
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"dermasim {dermasim.__version__}"


def test_help_exits_0(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("simulate", "compare", "protocols", "cite"):
        assert command in out


def test_compare_pairs_each_protocol_with_the_first_on_the_same_draws(capsys):
    data = run_json(capsys, MN, "none", "--draws", "20", "--days", "200", "--seed", "2")
    assert data["reference"] == MN and data["better"] == "higher"
    first, second = data["rows"]
    assert "vs_reference" not in first
    paired = second["vs_reference"]["6 mo"]
    assert paired["day"] == 180
    sols = [
        dermasim.simulate(p, days=200, draws=20, seed=2, at=[180]).values("collagen_density")
        for p in (MN, "none")
    ]
    column = list(dermasim.simulate(MN, days=200, draws=20, seed=2, at=[180]).times).index(180.0)
    diff = sols[1][:, column] - sols[0][:, column]
    assert paired["median"] == np.median(diff)
    assert paired["p_better"] == np.mean(diff > 0)  # no treatment beats needling in no draw
    assert paired["p_better"] == 0.0


def test_compare_any_endpoint_and_lower_is_better_for_the_scar_grade(capsys, tmp_path):
    patient = tmp_path / "scars.toml"
    patient.write_text('age = 30\nsex = "female"\nsite = "cheek"\nacne_scars = 3\n')
    data = run_json(
        capsys, MN, "none", "-p", str(patient), "--endpoint", "scar_grade",
        "--draws", "10", "--days", "100",
    )  # fmt: skip
    assert data["endpoint"] == "scar_grade" and data["better"] == "lower"
    assert data["rows"][1]["vs_reference"]["3 mo"]["p_better"] == 0.0  # untreated scars stay
    rc = main(["compare", MN, "--endpoint", "scar_grade"])  # a patient without scars
    err = capsys.readouterr().err
    assert rc == 2 and "endpoint = 'scar_grade'" in err and err.count("\n") == 1


def test_a_blocked_protocol_is_a_row_not_an_abort(capsys, tmp_path):
    patient = tmp_path / "fish.toml"
    patient.write_text('age = 45\nsex = "female"\nsite = "cheek"\nfish_allergy = true\n')
    data = run_json(
        capsys, MN, "pn-standard", "1 x microneedling 2.5 mm", "-p", str(patient),
        "--draws", "6", "--days", "100",
    )  # fmt: skip
    status = [r["status"] for r in data["rows"]]
    assert status == ["simulated", "not a candidate", "not a candidate"]
    assert "fish_allergy" in data["rows"][1]["reason"]
    assert "cheek skin (1.98 mm" in data["rows"][2]["reason"]
    rc = main(["compare", "pn-standard", "-p", str(patient)])
    err = capsys.readouterr().err
    assert rc == 2 and "no protocol of the comparison may be simulated" in err


def test_cite_includes_the_studies_the_calibration_is_fitted_to(capsys):
    from dermasim.calibration.citations import citation_keys

    keys = citation_keys()
    assert {"Kenkel2021", "Minh2019", "Sibilla2015"} <= set(keys["calibration"])
    assert "Branchet1990" in keys["geometry"]  # cited once, where first used
    every = [k for group in keys.values() for k in group]
    assert len(every) == len(set(every))  # each study once
    assert main(["cite", "--format", "bibtex"]) == 0
    bib = capsys.readouterr().out
    for key in ("Kenkel2021", "Minh2019", "Ablon2018"):
        assert f"{{{key}," in bib, key
    assert main(["cite"]) == 0
    assert "# studies the calibration is fitted to and validated against" in capsys.readouterr().out
