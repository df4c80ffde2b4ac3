"""``dermasim simulate``: the JSON contract, equivalence of inputs, outputs on disk."""

import json
import shutil
import subprocess
import sys

import pytest
import xarray as xr

from dermasim.cli import main

COMPACT = "4 x microneedling 1.5 mm every 30 days"
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
FAST = ["--draws", "8", "--days", "200"]


def run_json(capsys, *args):
    rc = main(["simulate", *args, "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    assert err == ""
    return json.loads(out)


def test_json_contract(capsys):
    data = run_json(capsys, COMPACT, "--at", "0,30,120,180", *FAST)
    assert set(data) == {"schema", "patient", "protocol", "outputs", "downtime_days", "provenance"}
    assert data["schema"] == "dermasim.simulation/1"
    assert data["patient"]["age"] == 45
    assert data["protocol"]["compact"] == COMPACT
    assert data["protocol"]["course"][0]["treatment"] == "microneedling"
    for name in REQUIRED:
        row = data["outputs"][name]
        assert set(row) == {"unit", "t_days", "median", "p05", "p95"}
        assert row["t_days"] == [0.0, 30.0, 120.0, 180.0]
        for lo, mid, hi in zip(row["p05"], row["median"], row["p95"], strict=True):
            assert lo <= mid <= hi
    assert data["outputs"]["dermal_thickness"]["unit"] == "mm"
    assert data["outputs"]["collagen_density"]["unit"] == "%"
    assert data["outputs"]["collagen_density"]["median"][0] == 0.0
    dt = data["downtime_days"]
    assert dt["p05"] <= dt["median"] <= dt["p95"]
    assert data["provenance"]["draws"] == 8
    assert data["provenance"]["seed"] == 0
    assert data["provenance"]["parameters"].startswith("default")


def test_toml_file_gives_the_same_numbers(capsys, tmp_path):
    path = tmp_path / "course.toml"
    path.write_text(
        'name = "SkinPen"\n[[course]]\ntreatment = "microneedling"\ndepth_mm = 1.5\n'
        "sessions = 4\ninterval_days = 30\n"
    )
    from_string = run_json(capsys, COMPACT, "--at", "0,30,120,180", *FAST)
    from_file = run_json(capsys, str(path), "--at", "0,30,120,180", *FAST)
    assert from_file["outputs"] == from_string["outputs"]
    assert from_file["downtime_days"] == from_string["downtime_days"]
    assert from_file["protocol"]["name"] == "SkinPen"


def test_bundled_name_equals_its_compact_string(capsys):
    by_name = run_json(capsys, "microneedling-4-monthly", "--at", "90", *FAST)
    by_string = run_json(capsys, COMPACT, "--at", "90", *FAST)
    assert by_name["outputs"] == by_string["outputs"]


def test_seed_decides_the_draws(capsys):
    a = run_json(capsys, COMPACT, "--at", "120", "--seed", "3", *FAST)
    b = run_json(capsys, COMPACT, "--at", "120", "--seed", "3", *FAST)
    c = run_json(capsys, COMPACT, "--at", "120", "--seed", "4", *FAST)
    assert a == b
    assert a["outputs"] != c["outputs"]


def test_patient_file_is_used(capsys, tmp_path):
    path = tmp_path / "patient.toml"
    path.write_text(
        'age = 62\nsex = "male"\nsite = "forehead"\nfitzpatrick = 2\n'
        'uv_exposure = "high"\nsmoker = true\n'
    )
    data = run_json(capsys, COMPACT, "--patient", str(path), "--at", "180", *FAST)
    assert data["patient"]["age"] == 62
    assert data["patient"]["site"] == "forehead"
    default = run_json(capsys, COMPACT, "--at", "180", *FAST)
    assert data["outputs"]["dermal_thickness"] != default["outputs"]["dermal_thickness"]


def test_out_writes_netcdf_json_and_figure_atomically(capsys, tmp_path):
    out = tmp_path / "run"
    rc = main(["simulate", COMPACT, *FAST, "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 0
    assert "not medical advice" in text
    assert sorted(p.name for p in out.iterdir()) == [
        "simulation.json",
        "simulation.nc",
        "simulation.png",
    ]
    ds = xr.open_dataset(out / "simulation.nc", engine="scipy")
    assert ds["collagen_density"].dims == ("draw", "time")
    assert ds.attrs["draws"] == 8
    assert ds["collagen_density"].attrs["units"] == "%"
    ds.close()
    assert json.loads((out / "simulation.json").read_text())["schema"] == "dermasim.simulation/1"


def test_human_readable_table(capsys):
    rc = main(["simulate", "pn-standard", *FAST])
    out = capsys.readouterr().out
    assert rc == 0
    assert "collagen_density" in out
    assert "downtime per session" in out


def _console_script():
    exe = shutil.which("dermasim")
    if exe:
        return [exe]
    return [sys.executable, "-c", "import sys; from dermasim.cli import main; sys.exit(main())"]


@pytest.mark.parametrize("args", [[COMPACT, "--json", "--at", "0,30,120,180", "--draws", "10"]])
def test_console_script_prints_one_json_object(args):
    proc = subprocess.run(
        [*_console_script(), "simulate", *args], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["outputs"]["collagen_density"]["t_days"] == [0, 30, 120, 180]
