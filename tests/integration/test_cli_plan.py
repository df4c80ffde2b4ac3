"""``dermasim plan`` and ``dermasim screen`` as a practitioner runs them."""

import json
from pathlib import Path

import pytest

from dermasim.cli import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(capsys, argv):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def _patient(tmp_path, text):
    path = tmp_path / "patient.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_plan_of_the_readme_prints_the_screen_baselines_and_a_short_list(capsys):
    rc, out, err = _run(
        capsys,
        [
            "plan", str(EXAMPLES / "patient.toml"), "--concern", "fine_lines",
            "--max-downtime-days", "6", "--draws", "60",
        ],
    )  # fmt: skip
    assert rc == 0, err
    assert "candidacy screen" in out
    assert "no-treatment" in out and "standard" in out
    assert "P(better than" in out
    assert "research and planning aid, not medical advice" in out
    assert "searched " in out


def test_plan_json_is_one_object_with_the_schema_and_respects_the_constraints(capsys, tmp_path):
    smoker_neck = _patient(tmp_path, 'age = 52\nsex = "female"\nsite = "neck"\nsmoker = true\n')
    rc, out, err = _run(
        capsys,
        [
            "plan", smoker_neck, "--concern", "texture", "--max-sessions", "3",
            "--horizon", "6 months", "--treatments", "microneedling,pn", "--draws", "40", "--json",
        ],
    )  # fmt: skip
    assert rc == 0, err
    data = json.loads(out)
    assert data["schema"] == "dermasim.plan/1"
    assert data["horizon_days"] == pytest.approx(182.625)
    assert data["constraints"]["treatments"] == ["microneedling", "polynucleotide"]
    statuses = {row["treatment"]: row["status"] for row in data["screen"]}
    assert statuses["microneedling"] == "caution"  # the smoker's neck
    assert data["plans"]
    for row in data["plans"]:
        assert row["sessions"] <= 3
        assert row["family"] in ("microneedling", "polynucleotide")


def test_screen_refuses_a_deep_needle_around_an_older_eye_with_the_sites_thickness(
    capsys, tmp_path
):
    eye = _patient(tmp_path, 'age = 60\nsex = "female"\nsite = "periorbital"\n')
    rc, out, err = _run(capsys, ["screen", eye, "--protocol", "1 x microneedling 3 mm", "--json"])
    assert rc == 0, err
    data = json.loads(out)
    assert data["schema"] == "dermasim.screen/1"
    assert data["protocol"]["status"] == "contraindicated"
    assert "periorbital skin (1.13 mm" in data["protocol"]["reasons"][0]
    rc, out, err = _run(capsys, ["simulate", "1 x microneedling 3 mm", "-p", eye])
    assert rc == 2
    assert err.count("\n") == 1 and "1.13 mm" in err and "for example depth_mm = 0.5" in err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["plan", "--concern", "wrinkles"], "concern = 'wrinkles'"),
        (["plan", "--concern", "fine_lines", "--max-sessions", "0"], "max_sessions = 0"),
        (["plan", "--concern", "fine_lines", "--horizon", "1 week"], "horizon = '1 week'"),
        (["plan", "--concern", "acne_scars"], "acne_scars needs a patient"),
        (["plan"], "--concern"),
    ],
)
def test_bad_plan_input_exits_2_with_one_line(capsys, argv, needle):
    rc, out, err = _run(capsys, argv)
    assert rc == 2
    assert out == ""
    assert err.count("\n") == 1 and needle in err


def test_plan_report_is_written_with_the_acceptance_command(capsys, tmp_path):
    target = tmp_path / "out" / "plan.html"
    rc, out, err = _run(
        capsys,
        [
            "plan", str(EXAMPLES / "patient.toml"), "--concern", "fine_lines",
            "--treatments", "pn,filler", "--draws", "30", "--report", str(target),
        ],
    )  # fmt: skip
    assert rc == 0, err
    assert f"wrote {target}" in out
    html = target.read_text(encoding="utf-8")
    assert '<section id="plans">' in html and "not medical advice" in html
    # where the evidence is thin, the command line and the report say so, once each
    from dermasim.plan.result import EVIDENCE_NOTES

    filler = EVIDENCE_NOTES["hyaluronic_filler"]  # the courses shown are filler courses
    assert " ".join(out.split()).count(f"evidence: {filler}") == 1, out
    assert html.count("The gel&#39;s decay is one rate fitted") == 1, "the filler note"
