"""``--verbose`` logs what each command does (to stderr, where the command runs on its own;
captured here by pytest); without it, nothing of that."""

from __future__ import annotations

import json

import pytest

from dermasim.cli import main

MN = "3 x microneedling 1.5 mm every 28 days"
PATIENT = "examples/patient.toml"
TRIAL = """
[trial]
draws = 3
replicates = 5
power_n = [4]
pool = 8
[endpoint]
name = "collagen_density"
day = 90
[[arms]]
name = "needling"
protocol = "microneedling-4-monthly"
n = 4
[[arms]]
name = "none"
protocol = "no-treatment"
n = 4
"""


def _commands(tmp_path):
    (tmp_path / "trial.toml").write_text(TRIAL)
    return {
        "simulate": (
            ["simulate", MN, "--days", "60", "--draws", "5", "--out", str(tmp_path / "s")],
            ["simulated 3 x microneedling", "wrote " + str(tmp_path / "s")],
        ),
        "compare": (
            ["compare", MN, "no-treatment", "--days", "60", "--draws", "5"],
            ["compare: 2 protocols", "simulated no treatment"],
        ),
        "plan": (
            [
                "plan",
                PATIENT,
                "--concern",
                "texture",
                "--draws",
                "20",
                "--treatments",
                "microneedling",
            ],
            [
                "screened female",
                "plan: texture",
                "courses in the search space",
                "on the short list",
            ],
        ),
        "screen": (["screen", PATIENT], ["screened female, 45 y"]),
        "report": (
            ["report", MN, "--days", "60", "--draws", "5", "--out", str(tmp_path / "r.html")],
            ["wrote the report " + str(tmp_path / "r.html")],
        ),
        "cohort": (
            ["cohort", "microneedling-4-monthly", "--n", "4", "--draws", "3", "--days", "90"],
            ["cohort: 4 patients x 3 draws"],
        ),
        "trial": (["trial", str(tmp_path / "trial.toml")], ["cohort: 8 patients x 3 draws"]),
        "sensitivity": (
            [
                "sensitivity",
                "--n",
                "16",
                "--vary",
                "inflammation_clearance,fibroblast_activation_rate",
            ],
            ["sensitivity: Saltelli sample"],
        ),
        "export": (
            ["export", "petab", str(tmp_path / "petab")],
            ["wrote the PEtab problem to " + str(tmp_path / "petab")],
        ),
        "protocols": (["protocols"], []),
        "cite": (["cite"], []),
        "permeability": (["permeability", "--mw", "500", "--logkow", "1"], []),
    }


@pytest.mark.parametrize(
    "command",
    [
        "simulate",
        "compare",
        "plan",
        "screen",
        "report",
        "cohort",
        "trial",
        "sensitivity",
        "export",
        "protocols",
        "cite",
        "permeability",
    ],
)
def test_verbose_logs_the_command_and_its_steps(command, tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("MPLBACKEND", "Agg")
    argv, expected = _commands(tmp_path)[command]
    assert main(["--verbose", *argv]) == 0
    err = "\n".join(caplog.messages)
    assert f"running dermasim --verbose {argv[0]}" in err
    for fragment in expected:
        assert fragment in err, (fragment, err)
    caplog.clear()
    assert main(argv) == 0  # quiet without it
    err = "\n".join(caplog.messages)
    assert "running dermasim" not in err
    for fragment in expected:
        assert fragment not in err


def test_validate_logs_each_stage_with_counts(validation_run):
    """The session's one ``--verbose validate --json`` run (tests/conftest.py)."""
    out = validation_run.stdout  # --json: one object on stdout, the log on stderr
    assert json.loads(out)["schema"] == "dermasim.validation/1" and out.count("\n") == 1
    err = "\n".join(validation_run.log)
    for stage in (
        "predictive draws: 1 of 1",
        "indirect-response baseline: 1 of 1",
        "study means: 1 of 1",
    ):
        assert stage in err, err
    studies = [line for line in err.splitlines() if "leave one study out:" in line]
    total = int(studies[0].split(" of ")[1].split(",")[0])
    assert total >= 10 and len(studies) == total + 1  # 0 of n, then one line per study


def test_the_installed_command_logs_to_stderr(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "dermasim", "--verbose", "screen", PATIENT],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stderr.startswith("dermasim: running dermasim --verbose screen")
    assert "dermasim: screened female, 45 y" in done.stderr
    assert "screened" not in done.stdout.split("\n")[0]  # the logs stay off stdout
