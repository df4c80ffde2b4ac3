"""``dermasim simulate``: the JSON contract, equivalent inputs, determinism, files on disk."""

import contextlib
import hashlib
import io
import json
import math
import shutil
import subprocess
import sys

import numpy as np
import pytest
import xarray as xr

import dermasim
from dermasim.cli import main
from dermasim.protocol import Protocol, bundled_protocols
from dermasim.storage import read_manifest

COMPACT = "4 x microneedling 1.5 mm every 30 days"
AT = [0.0, 30.0, 120.0, 180.0]
AT_ARG = "0,30,120,180"
FAST = ["--draws", "8", "--days", "200"]
REQUIRED = (
    "collagen_density",
    "papillary_collagen",
    "collagen_I",
    "collagen_III",
    "elastin",
    "tropoelastin",
    "epidermal_thickness",
    "dermal_thickness",
)
TOP_KEYS = {"schema", "patient", "protocol", "outputs", "downtime_days", "provenance"}
ROW_KEYS = {"unit", "t_days", "median", "p05", "p95"}
QUANTILE_KEYS = {"median", "p05", "p95"}
PATIENT_TOML = (
    'age = 62\nsex = "male"\nsite = "forehead"\nfitzpatrick = 2\n'
    'uv_exposure = "high"\nsmoker = true\n'
)


def run_cli(argv):
    """Run ``main`` in-process; usable from module-scoped fixtures (no capsys there)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(argv))
    return rc, out.getvalue(), err.getvalue()


def run_json(capsys, *args):
    rc = main(["simulate", *args, "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert err == ""
    assert len(out.strip().splitlines()) == 1, out
    return json.loads(out)


@pytest.fixture(scope="module")
def contract():
    """One run with a non-default seed, reused by the contract tests."""
    rc, out, err = run_cli(["simulate", COMPACT, "--at", AT_ARG, *FAST, "--seed", "7", "--json"])
    assert rc == 0, err
    assert err == ""
    assert out.endswith("\n")
    assert len(out.strip().splitlines()) == 1
    return json.loads(out)


# ---------------------------------------------------------------------------- JSON contract
def test_top_level_keys_and_types(contract):
    assert set(contract) == TOP_KEYS
    assert contract["schema"] == "dermasim.simulation/1"
    for key in ("patient", "protocol", "outputs", "downtime_days", "provenance"):
        assert isinstance(contract[key], dict), key


def test_patient_block_is_the_default_patient(contract):
    patient = contract["patient"]
    assert patient["age"] == 45
    assert patient["sex"] == "female"
    assert patient["site"] == "cheek"
    assert patient["fitzpatrick"] == 3
    assert patient["uv_exposure"] == "moderate"
    assert patient["smoker"] is False
    assert patient["fish_allergy"] is False


def test_protocol_block_is_canonical(contract):
    proto = contract["protocol"]
    assert proto["compact"] == COMPACT
    assert proto["course"] == [
        {
            "treatment": "microneedling",
            "sessions": 4,
            "interval_days": 30.0,
            "start_day": 0.0,
            "depth_mm": 1.5,
        }
    ]
    assert Protocol.parse(proto["compact"]) == Protocol.parse(COMPACT)


def test_outputs_hold_every_required_endpoint_with_typed_rows(contract):
    outputs = contract["outputs"]
    assert set(REQUIRED) <= set(outputs)
    for name, row in outputs.items():
        assert set(row) == ROW_KEYS, name
        assert isinstance(row["unit"], str) and row["unit"], name
        for key in ("t_days", "median", "p05", "p95"):
            values = row[key]
            assert isinstance(values, list) and len(values) == len(AT), (name, key)
            assert all(type(v) is float and math.isfinite(v) for v in values), (name, key)
    assert outputs["dermal_thickness"]["unit"] == "mm"
    assert outputs["collagen_density"]["unit"] == "%"


def test_t_days_equal_the_at_list(contract):
    for name, row in contract["outputs"].items():
        assert row["t_days"] == AT, name


def test_quantiles_are_ordered_everywhere(contract):
    for name, row in contract["outputs"].items():
        for t, lo, mid, hi in zip(
            row["t_days"], row["p05"], row["median"], row["p95"], strict=True
        ):
            assert lo <= mid <= hi, (name, t, lo, mid, hi)


def test_collagen_is_relative_to_baseline_and_rises_after_needling(contract):
    density = contract["outputs"]["collagen_density"]
    assert density["median"][0] == 0.0
    assert density["median"][-1] > density["median"][0]


def test_downtime_block(contract):
    dt = contract["downtime_days"]
    assert set(dt) == QUANTILE_KEYS
    assert all(type(v) is float for v in dt.values())
    assert 0.0 <= dt["p05"] <= dt["median"] <= dt["p95"]
    assert dt["median"] > 0.0  # needling at 1.5 mm leaves visible redness


def test_provenance_echoes_the_options(contract):
    prov = contract["provenance"]
    assert set(prov) == {"version", "parameters", "draws", "seed"}
    assert prov["version"] == dermasim.__version__
    assert prov["parameters"] == "posterior:default (posterior draws)"
    assert prov["draws"] == 8
    assert prov["seed"] == 7


def test_cli_numbers_equal_the_python_api(contract):
    sol = dermasim.simulate(COMPACT, days=200, draws=8, seed=7, at=AT)
    assert sol.to_json_dict(at=AT)["outputs"] == contract["outputs"]
    assert sol.downtime_summary() == contract["downtime_days"]


def test_default_report_days_stop_at_the_horizon(capsys):
    data = run_json(capsys, COMPACT, *FAST)
    assert data["outputs"]["collagen_I"]["t_days"] == [0.0, 90.0, 180.0]


# ---------------------------------------------------------------------- same plan, same numbers
def test_toml_file_gives_the_same_numbers_as_the_compact_string(capsys, tmp_path):
    path = tmp_path / "course.toml"
    path.write_text(
        'name = "SkinPen"\n[[course]]\ntreatment = "microneedling"\ndepth_mm = 1.5\n'
        "sessions = 4\ninterval_days = 30\n"
    )
    from_string = run_json(capsys, COMPACT, "--at", AT_ARG, *FAST)
    from_file = run_json(capsys, str(path), "--at", AT_ARG, *FAST)
    assert from_file["outputs"] == from_string["outputs"]
    assert from_file["downtime_days"] == from_string["downtime_days"]
    assert from_file["protocol"]["compact"] == COMPACT
    assert from_file["protocol"]["name"] == "SkinPen"


@pytest.mark.parametrize(
    "name", ["microneedling-4-monthly", "ha-filler-single", "pn-plus-microneedling"]
)
def test_bundled_name_equals_its_compact_string(capsys, name):
    assert main(["protocols"]) == 0
    listing = capsys.readouterr().out
    assert name in listing
    compact = str(bundled_protocols()[name])
    assert compact.split(";")[0] in listing
    by_name = run_json(capsys, name, "--at", "0,90,180", *FAST)
    by_string = run_json(capsys, compact, "--at", "0,90,180", *FAST)
    assert by_name["outputs"] == by_string["outputs"]
    assert by_name["downtime_days"] == by_string["downtime_days"]
    assert by_name["protocol"]["compact"] == by_string["protocol"]["compact"] == compact


# ---------------------------------------------------------------------------- determinism
def test_same_seed_same_json_different_seed_different_numbers(capsys):
    a = run_json(capsys, COMPACT, "--at", "120", "--seed", "3", *FAST)
    b = run_json(capsys, COMPACT, "--at", "120", "--seed", "3", *FAST)
    c = run_json(capsys, COMPACT, "--at", "120", "--seed", "4", *FAST)
    assert a == b
    assert a["outputs"] != c["outputs"]
    assert a["outputs"]["collagen_density"]["median"] != c["outputs"]["collagen_density"]["median"]
    assert (a["provenance"]["seed"], c["provenance"]["seed"]) == (3, 4)
    assert a["protocol"] == c["protocol"]


# ---------------------------------------------------------------------------- patient file
def test_patient_file_is_honoured(capsys, tmp_path):
    path = tmp_path / "patient.toml"
    path.write_text(PATIENT_TOML)
    data = run_json(capsys, COMPACT, "--patient", str(path), "--at", "0,180", *FAST)
    assert data["patient"]["age"] == 62
    assert data["patient"]["sex"] == "male"
    assert data["patient"]["site"] == "forehead"
    assert data["patient"]["smoker"] is True
    default = run_json(capsys, COMPACT, "--at", "0,180", *FAST)
    assert data["outputs"]["dermal_thickness"] != default["outputs"]["dermal_thickness"]


# ---------------------------------------------------------------------------- --out
def test_out_writes_netcdf_json_and_figure_without_leftovers(capsys, tmp_path):
    out = tmp_path / "nested" / "run"
    data = run_json(capsys, COMPACT, "--at", AT_ARG, *FAST, "--out", str(out))
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "simulation.json",
        "simulation.manifest.json",
        "simulation.nc",
        "simulation.png",
    ]
    assert not [n for n in names if n.startswith(".")]
    listed = read_manifest(out, "simulation")["files"]
    assert sorted(listed) == ["simulation.json", "simulation.nc", "simulation.png"]
    assert json.loads((out / "simulation.json").read_text()) == data
    assert (out / "simulation.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with xr.open_dataset(out / "simulation.nc") as ds:
        assert ds["collagen_density"].dims == ("draw", "time")
        assert ds.sizes["draw"] == 8
        assert ds.attrs["draws"] == 8
        assert ds.attrs["seed"] == 0
        assert ds.attrs["dermasim_version"] == dermasim.__version__
        assert ds["dermal_thickness"].attrs["units"] == "mm"
        assert set(AT) <= set(ds["time"].values.tolist())
        values = ds["collagen_III"].sel(time=AT).values
        p05, p50, p95 = np.quantile(values, [0.05, 0.5, 0.95], axis=0)
    row = data["outputs"]["collagen_III"]
    np.testing.assert_allclose(p50, row["median"], rtol=1e-12)
    np.testing.assert_allclose(p05, row["p05"], rtol=1e-12)
    np.testing.assert_allclose(p95, row["p95"], rtol=1e-12)


@pytest.mark.parametrize("protocol", ["none", "no-treatment", COMPACT])
def test_every_out_file_reads_back_with_or_without_sessions(capsys, tmp_path, protocol):
    rc = main(["simulate", protocol, *FAST, "--out", str(tmp_path)])
    _, err = capsys.readouterr()
    assert rc == 0, err
    data = json.loads((tmp_path / "simulation.json").read_text())
    with xr.open_dataset(tmp_path / "simulation.nc") as ds:
        sessions = len(Protocol.load(protocol).sessions()) if protocol != "none" else 0
        assert ds.attrs["sessions"] == sessions
        assert ds.sizes["draw"] == 8
        assert ds["downtime_days"].shape == (8, sessions)  # NetCDF-4 keeps an empty session
        row = data["outputs"]["collagen_density"]
        day = row["t_days"][-1]
        final = float(np.median(ds["collagen_density"].sel(time=day).values))
    assert math.isclose(final, row["median"][-1], rel_tol=1e-12)


def test_out_with_the_table_view(capsys, tmp_path):
    rc = main(["simulate", "pn-standard", *FAST, "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "simulation.nc" in out
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "simulation.json",
        "simulation.manifest.json",
        "simulation.nc",
        "simulation.png",
    ]


def test_human_readable_table(capsys):
    rc = main(["simulate", "pn-standard", *FAST])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert "collagen_density" in out
    assert "day 180" in out
    assert "downtime per session" in out
    assert "not medical advice" in out


# ---------------------------------------------------------------------------- console script
def _console_script():
    exe = shutil.which("dermasim")
    if exe:
        return [exe]
    return [sys.executable, "-m", "dermasim.cli"]


def test_console_script_prints_one_json_object():
    argv = [*_console_script(), "simulate", COMPACT, "--json", "--at", AT_ARG, "--draws", "10"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert data["schema"] == "dermasim.simulation/1"
    assert data["outputs"]["collagen_density"]["t_days"] == AT
    assert data["provenance"]["draws"] == 10


def test_console_script_keeps_exit_codes_and_writes_every_output(tmp_path):
    """The script ends without interpreter teardown; codes, streams and files are intact."""
    bad = subprocess.run(
        [*_console_script(), "simulate", "microneedling 9 mm"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("dermasim: error: ") and "depth" in bad.stderr
    assert "Traceback" not in bad.stderr
    out = tmp_path / "run"
    argv = [*_console_script(), "simulate", COMPACT, "--draws", "5", "--days", "120"]
    proc = subprocess.run([*argv, "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    manifest = json.loads((out / "simulation.manifest.json").read_text())
    assert {"simulation.json", "simulation.nc"} <= set(manifest["files"])
    for name, entry in manifest["files"].items():
        data = (out / name).read_bytes()
        assert len(data) == entry["bytes"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
    assert "collagen" in proc.stdout
    usage = subprocess.run(
        [*_console_script(), "simulate", "--nope"], capture_output=True, text=True
    )
    assert usage.returncode == 2 and "option = '--nope'" in usage.stderr


def test_permeability_json_contract_with_and_without_needling():
    """dermasim.permeability/1: intact kp always; after_needling null unless asked for."""
    base = ["permeability", "--mw", "287", "--logkow", "2.7", "--json"]
    rc, out, _ = run_cli(base)
    assert rc == 0
    plain = json.loads(out)
    assert plain["schema"] == "dermasim.permeability/1"
    assert plain["after_needling"] is None
    kp = plain["intact"]["log10_kp_cm_s"]
    assert kp["p05"] < kp["median"] < kp["p95"]
    rc, out, _ = run_cli([*base, "--after-needling", "1.5mm"])
    needled = json.loads(out)["after_needling"]
    rc2, out2, _ = run_cli([*base, "--after-needling", "1.5 mm", "--occluded"])
    occluded = json.loads(out2)["after_needling"]
    assert rc == rc2 == 0
    for key in ("enhancement", "delivered_24h_ug_per_cm2"):
        for result in (needled, occluded):
            q = result[key]
            assert 0 < q["p05"] <= q["median"] <= q["p95"]
    assert needled["needle_mm"] == 1.5 and not needled["occluded"] and occluded["occluded"]
    assert needled["dose_mg_per_cm2"] is None and "infinite dose" in needled["assumptions"]
    rc, out, _ = run_cli([*base, "--after-needling", "1.5mm", "--dose", "2"])
    finite = json.loads(out)["after_needling"]
    assert rc == 0 and finite["dose_mg_per_cm2"] == 2.0
    assert finite["delivered_24h_ug_per_cm2"]["p95"] <= 2.0 + 1e-9  # 2 mg/cm2 of 1 mg/mL
    assert (
        occluded["delivered_24h_ug_per_cm2"]["median"]
        > (needled["delivered_24h_ug_per_cm2"]["median"])
    )


def test_permeability_validate_writes_its_report(tmp_path):
    rc, out, _ = run_cli(["permeability-validate", "--out", str(tmp_path), "--json"])
    assert rc == 0
    result = json.loads(out)
    assert result["schema"] == "dermasim.permeability-validation/1"
    cv = result["cv_rmse_log10_kp"]
    assert cv["two_pathway"] < cv["potts_guy_published"]
    assert {e["id"] for e in result["enhancement"]} == {"MC-7", "MC-8", "MC-9", "MC-10"}
    page = (tmp_path / "permeability.md").read_text()
    assert "| MC-9 |" in page and "What the model does not reproduce" in page
    filter_rows = (tmp_path / "permeability-filter.csv").read_text().splitlines()
    assert len(filter_rows) == 1 + result["filter"]["rows"]
