"""``dermasim validate``, ``calibrate`` and ``export petab`` from the command line."""

from __future__ import annotations

import contextlib
import io
import json
import math

import numpy as np
import pytest

from dermasim.calibration.evidence import load_evidence_set
from dermasim.cli import main

ENDPOINT_KEYS = {"id", "observed", "median", "p05", "p95", "pass"}


def run_cli(argv):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(list(argv))
    return rc, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def validation(validation_run):
    """The session's one validation run (tests/conftest.py): its JSON object and folder."""
    payload = json.loads(validation_run.stdout)
    assert validation_run.stdout.count("\n") == 1  # --json: exactly one object
    return payload, validation_run.folder


def test_validate_json_contract(validation) -> None:
    payload, _ = validation
    assert payload["schema"] == "dermasim.validation/1"
    assert payload["posterior"].startswith("posterior:")
    evidence = load_evidence_set()
    assert [e["id"] for e in payload["endpoints"]] == [e.id for e in evidence.endpoints]
    for row, endpoint in zip(payload["endpoints"], evidence.endpoints, strict=True):
        assert set(row) >= ENDPOINT_KEYS
        assert row["p05"] <= row["median"] <= row["p95"]
        assert isinstance(row["pass"], bool)
        if endpoint.kind == "direction":
            assert row["observed"] in ("+", "-")
            # scored by the predictive mass with the reported sign at every reported day
            assert 0.0 <= row["right_sign_mass"] <= 1.0
            assert row["pass"] == (row["right_sign_mass"] >= 0.5)
            if len(endpoint.days) == 1:  # then the median has the right sign iff mass > 0.5
                right = np.sign(row["median"]) == (1 if row["observed"] == "+" else -1)
                assert right == (row["right_sign_mass"] > 0.5) or row["right_sign_mass"] == 0.5
        else:
            assert isinstance(row["observed"], float)
            assert row["pass"] == (row["p05"] <= row["observed"] <= row["p95"])
            assert row["right_sign_mass"] is None
    valued = [r for r in payload["endpoints"] if r["kind"] != "direction"]
    assert payload["coverage"] == {
        "inside": sum(r["pass"] for r in valued),
        "total": len(valued),
    }
    oos = payload["out_of_sample"]
    studies = {r["study"] for r in payload["endpoints"]}
    assert {s["study"] for s in oos["studies"]} == studies
    assert oos["total"] == len(studies)
    assert oos["better_than_prior"] == sum(
        s["log_score_posterior"] > s["log_score_prior"] for s in oos["studies"]
    )
    assert oos["better_than_baseline"] == sum(
        s["log_score_posterior"] > s["log_score_baseline"] for s in oos["studies"]
    )
    assert oos["coverage"]["inside"] <= oos["coverage"]["valued"]
    for s in oos["studies"]:
        assert math.isfinite(s["log_score_baseline"])
        assert 0 <= s["coverage"]["inside"] <= s["coverage"]["valued"]
        assert (s["interval_width"] is None) == (s["coverage"]["valued"] == 0)
        if s["right_sign_mass"] is not None:
            assert 0.0 <= s["right_sign_mass"] <= 1.0
        # without --refit-steps every fitted study is scored by importance sampling
        assert s["method"] == ("psis" if s["fitted"] else "held-out")
        assert s["needs_refit"] == (s["pareto_k"] is not None and s["pareto_k"] > 0.7)
    population = payload["population"]
    assert population["participants"] == 16 and population["draws"] == 40
    assert population["spread"]["activated_deposition_rate"] == 0.21
    assert set(population["shift_noise_sd"]) == {r["id"] for r in payload["endpoints"]}
    worst = max(population["shift_noise_sd"].values(), key=abs)
    assert population["largest_shift"]["noise_sd"] == worst
    assert 0 < population["importance_share"] <= 1
    # participants are aged where their study reports ages (Ablon 2018, Araco 2021, Bugge 2007)
    assert population["ages"]["mn-4-monthly"]["low"] == 35.0
    assert population["ages"]["ha-subdermal-lipoatrophy"]["sd"] == 7.0
    assert set(population["ages"]) == {"mn-4-monthly", "pn-acne-scars", "ha-subdermal-lipoatrophy"}


def test_validate_writes_report_with_a_figure_per_study(validation) -> None:
    payload, folder = validation
    report = (folder / "report.md").read_text()
    studies = {r["study"] for r in payload["endpoints"]}
    for study in studies:
        assert f"### {study}" in report
    assert len(list(folder.glob("study-*.png"))) == len(studies)
    assert "| parameter | unit | prior" in report
    assert "## Study means over virtual participants" in report
    assert "`mn-4-monthly` 35 to 75 years, uniform (Ablon2018" in report
    # the bundled posterior's chains: rank and trace plots beside the R-hat table
    assert "![rank plots](convergence-rank.png)" in report
    assert (folder / "convergence-rank.png").stat().st_size > 10_000
    assert (folder / "convergence-trace.png").stat().st_size > 10_000
    # each study the posterior predicts no better than its priors, with its reason
    for s in payload["out_of_sample"]["studies"]:
        if not s["better_than_prior"]:
            assert f"- {s['study']}: {s['no_better_than_prior_because']}" in report
    assert json.loads((folder / "validation.json").read_text())["schema"] == (
        "dermasim.validation/1"
    )


def test_validate_table_names_the_posterior(validation_run, monkeypatch) -> None:
    """The table view of the same result (the computation is not repeated)."""
    import dermasim.calibration.validation as validation

    monkeypatch.setattr(validation, "validate", lambda *a, **k: validation_run.result)
    rc, out, _ = run_cli(["validate", "--draws", "40"])
    assert rc == 0
    assert "posterior:default" in out and "coverage:" in out


@pytest.mark.parametrize(
    ("argv", "field"),
    [
        (["validate", "--draws", "3"], "--draws"),
        (["validate", "--parameters", "nonsense"], "parameters"),
        (["validate", "--refit-steps", "50"], "--refit-steps"),
        (["validate", "--virtual-patients", "0"], "--virtual-patients"),
        (["calibrate", "--budget", "0"], "--budget"),
        (["calibrate", "--budget", "5", "--seed", "-2"], "seed"),
        (["calibrate", "--budget", "5", "--chains", "0"], "--chains"),
        (["calibrate", "--budget", "5", "--chains", "65"], "--chains"),
    ],
)
def test_bad_options_exit_2_with_one_line(argv, field) -> None:
    rc, _, err = run_cli(argv)
    assert rc == 2
    assert err.startswith(f"dermasim: error: {field}") and len(err.strip().splitlines()) == 1


def test_simulate_says_which_posterior(tmp_path) -> None:
    rc, out, _ = run_cli(["simulate", "pn-standard", "--draws", "5", "--days", "60", "--json"])
    assert rc == 0
    assert json.loads(out)["provenance"]["parameters"] == "posterior:default (posterior draws)"
    rc, out, _ = run_cli(
        [
            "simulate",
            "pn-standard",
            "--draws",
            "5",
            "--days",
            "60",
            "--parameters",
            "prior",
            "--json",
        ]
    )
    assert json.loads(out)["provenance"]["parameters"] == "default (prior draws)"


def test_export_petab_writes_a_problem_that_lints(tmp_path) -> None:
    petab = pytest.importorskip("petab")
    pytest.importorskip("libsbml")
    rc, out, err = run_cli(["export", "petab", str(tmp_path / "petab")])
    assert rc == 0, err
    problem = petab.v1.Problem.from_yaml(tmp_path / "petab" / "problem.yaml")
    assert not petab.v1.lint.lint_problem(problem)
    assert "wrote the PEtab problem" in out


def test_export_petab_into_a_file_is_refused(tmp_path) -> None:
    target = tmp_path / "file.txt"
    target.write_text("x")
    rc, _, err = run_cli(["export", "petab", str(target)])
    assert rc == 2 and err.startswith("dermasim: error:")
