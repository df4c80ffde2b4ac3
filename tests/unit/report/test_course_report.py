"""The course report of `simulate --report`, `compare --report` and `dermasim report`."""

import re

import dermasim
from dermasim.cli import main
from dermasim.report import COURSE_SECTIONS, comparison_report_html

MN = "3 x microneedling 1.5 mm every 28 days"


def _sections(html):
    return tuple(re.findall(r'<section id="([a-z]+)">', html))


def test_a_comparison_report_has_every_section_the_paired_rows_and_the_blocked_one():
    patient = dermasim.Patient(age=45, fish_allergy=True)
    comparison = dermasim.compare_protocols(
        [MN, "none", "pn-standard"], patient, days=200, draws=20
    )
    html = comparison_report_html(comparison)
    assert _sections(html) == COURSE_SECTIONS
    assert "vs " + MN in html and "P = 0.00" in html  # no treatment never beats needling
    assert "not a candidate: patient.fish_allergy" in html
    assert html.count('src="data:image/png;base64,') == 1
    assert not re.search(r'<script|<link|(src|href)="(https?:|//|file:)', html)
    assert "Of the" in html and "model parameters" in html  # the evidence grades


def test_simulate_compare_and_report_write_their_reports(capsys, tmp_path):
    argv = ["--draws", "10", "--days", "120"]
    for command, target in (
        (["simulate", MN, *argv], tmp_path / "sim.html"),
        (["compare", MN, "none", *argv], tmp_path / "cmp.html"),
        (["report", MN, "none", *argv, "--out"], tmp_path / "rep.html"),
    ):
        report = [] if command[0] == "report" else ["--report"]
        rc = main([*command, *report, str(target)])
        out, err = capsys.readouterr()
        assert rc == 0, err
        assert f"wrote {target}" in out
        assert _sections(target.read_text(encoding="utf-8")) == COURSE_SECTIONS


def test_report_with_a_concern_writes_the_plan_report_and_refuses_protocols(capsys, tmp_path):
    target = tmp_path / "plan.html"
    rc = main(["report", "--concern", "volume_loss", "--draws", "10", "--out", str(target)])
    assert rc == 0, capsys.readouterr().err
    assert '<section id="plans">' in target.read_text(encoding="utf-8")
    rc = main(["report", MN, "--concern", "fine_lines", "--out", str(target)])
    err = capsys.readouterr().err
    assert rc == 2 and "no protocols with --concern" in err and err.count("\n") == 1
