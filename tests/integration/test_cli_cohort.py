"""``dermasim cohort``, ``trial`` and ``sensitivity``: outputs, bad input, kills and resumes."""

import json
import os
import random
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import xarray as xr

from dermasim.cli import main
from dermasim.storage import read_manifest

CLI = [sys.executable, "-m", "dermasim.cli"]


def _run(capsys, argv):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def test_the_bundled_trial_prints_the_effect_and_a_power_curve_and_writes_them(capsys, tmp_path):
    out_dir = tmp_path / "trial"
    rc, out, err = _run(capsys, ["trial", "microneedling-vs-none", "--out", str(out_dir)])
    assert rc == 0, err
    assert "population effect (difference in means)" in out
    assert "95% CI" in out
    for n in range(10, 101, 10):
        assert f"│ {n:>7} │" in out, n
    data = json.loads((out_dir / "trial.json").read_text())
    assert data["schema"] == "dermasim.trial/1"
    comparison = data["comparisons"]["microneedling"]
    assert [row["n_per_arm"] for row in comparison["power_curve"]] == list(range(10, 101, 10))
    effect = comparison["population_effect"]
    assert effect["p05"] <= effect["median"] <= effect["p95"]
    assert data["notes"], "the optimistic-power note is missing"
    listed = read_manifest(out_dir, "trial")["files"]
    assert sorted(listed) == [
        "arm-microneedling.nc",
        "arm-no_treatment.nc",
        "power.png",
        "trial.json",
    ]
    for name in ("arm-microneedling.nc", "arm-no_treatment.nc"):
        with xr.open_dataset(out_dir / name) as ds:
            assert ds["collagen_density"].dims == ("patient", "draw", "time")
            assert ds.sizes["patient"] == 200 and ds.sizes["draw"] == 100
    assert (out_dir / "power.png").read_bytes()[:4] == b"\x89PNG"
    assert not (out_dir / "trial-chunks").exists()
    assert not [p for p in out_dir.iterdir() if p.name.startswith(".")]


def test_sensitivity_prints_sobol_indices_and_writes_them(capsys, tmp_path):
    vary = "activated_deposition_rate,fibroblast_quiescence_rate,channel_radius_um"
    argv = ["sensitivity", "--n", "32", "--vary", vary, "--out", str(tmp_path)]
    rc, out, err = _run(capsys, argv)
    assert rc == 0, err
    assert "sobol: collagen_density (%) at day 180" in out
    assert "activated_deposition_rate" in out
    data = json.loads((tmp_path / "sensitivity.json").read_text())
    assert data["schema"] == "dermasim.sensitivity/1"
    assert {row["parameter"] for row in data["indices"]} == set(vary.split(","))
    lines = (tmp_path / "sensitivity.csv").read_text().splitlines()
    assert lines[0] == "parameter,S1,S1_conf,ST,ST_conf" and len(lines) == 4
    assert (tmp_path / "sensitivity.png").read_bytes()[:4] == b"\x89PNG"
    assert sorted(read_manifest(tmp_path, "sensitivity")["files"]) == [
        "sensitivity.csv",
        "sensitivity.json",
        "sensitivity.png",
    ]


def test_morris_from_the_command_line(capsys):
    argv = ["sensitivity", "--method", "morris", "--trajectories", "4", "--json"]
    argv += ["--vary", "activated_deposition_rate,pn_clearance"]
    rc, out, err = _run(capsys, argv)
    assert rc == 0, err
    data = json.loads(out)
    assert data["method"] == "morris" and data["evaluations"] == 4 * 3
    assert data["indices"][0]["parameter"] == "activated_deposition_rate"


@pytest.mark.parametrize("protocol", ["microneedling-4-monthly", "none"])
def test_cohort_outputs_read_back(capsys, tmp_path, protocol):
    argv = ["cohort", protocol, "--n", "20", "--draws", "5", "--days", "200", "--out"]
    rc, out, err = _run(capsys, [*argv, str(tmp_path), "--json"])
    assert rc == 0, err
    data = json.loads(out)
    assert data == json.loads((tmp_path / "cohort.json").read_text())
    assert [row["t_days"] for row in data["summaries"]] == [90, 180, 200]
    with xr.open_dataset(tmp_path / "cohort.nc") as ds:
        assert ds.sizes["patient"] == 20 and ds.sizes["draw"] == 5
        mean = ds["collagen_density"].sel(time=180).mean("patient").values
    assert np.median(mean) == pytest.approx(data["summaries"][1]["population_mean"]["median"])
    read_manifest(tmp_path, "cohort")


def test_cohort_reads_a_spec_and_a_patient_table(capsys, tmp_path):
    spec = tmp_path / "cohort.toml"
    spec.write_text(
        '[cohort]\nn = 6\nseed = 3\nage = {distribution = "normal", mean = 55, sd = 5}\n'
        "smoker = 1\n"
    )
    rc, out, err = _run(
        capsys,
        [
            "cohort",
            "none",
            "--cohort",
            str(spec),
            "--draws",
            "2",
            "--days",
            "100",
            "--json",
        ],
    )
    assert rc == 0, err
    data = json.loads(out)
    assert data["patients"] == 6 and data["provenance"]["seed"] == 3  # the spec's n and seed
    table = tmp_path / "patients.csv"
    table.write_text("age,site\n40,neck\n70,forehead\n")
    rc, out, err = _run(
        capsys,
        ["cohort", "none", "--patients", str(table), "--draws", "2", "--days", "100", "--json"],
    )
    assert rc == 0, err
    assert json.loads(out)["patients"] == 2


@pytest.mark.parametrize(
    ("argv", "start"),
    [
        (["cohort", "none", "--draws", "0"], "draws = 0"),
        (["cohort", "none", "--n", "0"], "cohort.n = 0"),
        (["cohort", "none", "--chunk-size", "0"], "chunk_size = 0"),
        (["cohort", "none", "--cluster", "nowhere"], "cluster = 'nowhere'"),
        (["cohort", "none", "--cohort", "missing.toml"], "--cohort = 'missing.toml'"),
        (["trial", "missing.toml"], "spec = 'missing.toml'"),
        (["trial", "no-such-trial"], "spec = 'no-such-trial'"),
        (["sensitivity", "--method", "sobolx"], "method = 'sobolx'"),
        (["sensitivity", "--n", "100"], "n = 100"),
        (["sensitivity", "--endpoint", "wrinkles"], "endpoint = 'wrinkles'"),
        (["sensitivity", "--top", "0"], "--top = 0"),
    ],
)
def test_bad_input_exits_2_with_one_line(capsys, argv, start):
    rc, _, err = _run(capsys, argv)
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert start in lines[0], lines[0]
    assert "allowed" in lines[0] and "for example" in lines[0]


def test_bad_trial_spec_files_exit_2(capsys, tmp_path):
    spec = tmp_path / "t.toml"
    spec.write_text(
        '[endpoint]\nday = 9999\n[[arms]]\nprotocol = "none"\n[[arms]]\nprotocol = "none"\n'
    )
    rc, _, err = _run(capsys, ["trial", str(spec)])
    assert rc == 2 and err.count("\n") == 1 and "endpoint.day = 9999" in err
    spec.write_text("[trial\n")
    rc, _, err = _run(capsys, ["trial", str(spec)])
    assert rc == 2 and err.count("\n") == 1 and "valid TOML" in err


# ------------------------------------------------------------------ killed and resumed runs
COHORT = ["cohort", "microneedling-4-monthly", "--n", "2000", "--draws", "10", "--days", "365"]


def _env():
    return {**os.environ, "MPLBACKEND": "Agg"}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="signals and /proc")
def test_a_cohort_killed_three_times_resumes_to_the_uninterrupted_result(tmp_path):
    whole = tmp_path / "whole"
    subprocess.run([*CLI, *COHORT, "--out", str(whole)], check=True, env=_env(), timeout=300)
    store = tmp_path / "store"
    rng = random.Random(7)
    partial = []
    for _ in range(3):
        proc = subprocess.Popen([*CLI, *COHORT, "--store", str(store)], env=_env())
        # kill at a random moment after a random number of new chunks, whatever the speed
        before = len(list(store.glob("chunks/chunk-*.nc")))
        target = min(before + rng.randint(1, 6), 19)
        deadline = time.monotonic() + 120
        while (
            len(list(store.glob("chunks/chunk-*.nc"))) < target
            and proc.poll() is None
            and time.monotonic() < deadline
        ):
            time.sleep(0.01)
        time.sleep(rng.uniform(0.0, 0.05))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        partial.append(len(list((store / "chunks").glob("chunk-*.nc"))) if store.exists() else 0)
    kept = {p.name: p.stat().st_mtime_ns for p in (store / "chunks").glob("chunk-*.nc")}
    resumed = tmp_path / "resumed"
    subprocess.run(
        [*CLI, *COHORT, "--store", str(store), "--out", str(resumed)],
        check=True,
        env=_env(),
        timeout=300,
    )
    names = sorted(p.name for p in (store / "chunks").glob("chunk-*.nc"))
    assert names == [f"chunk-{k:06d}.nc" for k in range(20)]  # none missing, none twice
    for name, mtime in kept.items():  # finished chunks were read, not computed again
        assert (store / "chunks" / name).stat().st_mtime_ns == mtime
    assert not list((store / "chunks").glob(".*.tmp"))
    with (
        xr.open_dataset(whole / "cohort.nc") as a,
        xr.open_dataset(resumed / "cohort.nc") as b,
    ):
        for name in a.data_vars:
            np.testing.assert_array_equal(a[name].values, b[name].values, name)
        assert a.sizes["patient"] == b.sizes["patient"] == 2000
    assert any(0 < k < 20 for k in partial), f"no kill landed inside the run: {partial}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_a_cluster_run_leaves_no_worker_alive(tmp_path, processes):
    pytest.importorskip("distributed")
    argv = [*CLI, *COHORT, "--n", "20000", "--cluster", "local", "--workers", "2"]
    proc = subprocess.Popen(argv, env=_env(), cwd=tmp_path)
    try:
        workers = processes.wait_for_children(proc.pid, 2)
        assert len(workers) >= 2, "the cluster never started"
        time.sleep(1.0)
        workers |= {g for w in workers for g in processes.children(w)}
        assert not processes.kill_and_survivors(proc, workers)
    finally:
        if proc.poll() is None:
            proc.kill()
