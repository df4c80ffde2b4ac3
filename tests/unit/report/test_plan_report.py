"""The plan report: every section, figures embedded, nothing fetched, and it opens and
prints in a headless browser (Debian's Chromium)."""

import re
import subprocess

import pytest

import dermasim
from dermasim.plan import SearchSpace
from dermasim.report import SECTIONS, plan_report_html, write_plan_report

SMALL = SearchSpace(
    needle_depths_mm=(1.5,),
    needling_sessions=(1, 3),
    needling_intervals_days=(28.0,),
    pn_sessions=(3,),
    pn_intervals_days=(28.0,),
    filler_volumes_ml=(1.0,),
    maintenance=False,
    combinations=True,
)


@pytest.fixture(scope="module")
def neck_plan():
    patient = dermasim.Patient(age=52, sex="female", site="neck", smoker=True)
    return dermasim.plan(patient, "fine_lines", horizon=180, draws=30, space=SMALL)


@pytest.fixture(scope="module")
def html(neck_plan):
    return plan_report_html(neck_plan)


def test_every_section_is_there_in_order(html):
    found = re.findall(r'<section id="([a-z]+)">', html)
    assert tuple(found) == SECTIONS


def test_the_report_says_what_the_plan_says(neck_plan, html):
    data = neck_plan.to_json_dict()
    for row in data["plans"]:
        assert row["protocol"] in html
    assert "3 x microneedling 1.5 mm every 28 days" in html  # the standard course
    assert "smoking impairs wound healing" in html  # the screen's caution
    assert "taken equal to the cheek" in html  # what is assumed for the neck
    assert "MN-K21-1" in html and "Kenkel2021" in html  # the evidence behind the gain
    assert "not medical advice" in html
    assert "collagen, % change from before treatment" in html  # plain language


def test_figures_are_embedded_and_nothing_is_fetched(html):
    images = re.findall(r'<img src="([^"]+)"', html)
    assert len(images) == 2
    assert all(src.startswith("data:image/png;base64,") for src in images)
    for pattern in (r"<script", r"<link", r"<iframe", r"url\(", r'(src|href)="(https?:|//|file:)'):
        assert not re.search(pattern, html), pattern


def test_a_written_report_is_complete_and_a_bad_path_is_refused_before_the_run(
    neck_plan, tmp_path, capsys
):
    path = write_plan_report(neck_plan, tmp_path / "deep" / "plan.html")
    assert path.read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert not [p for p in path.parent.iterdir() if p.name != "plan.html"]  # no temporaries
    from dermasim.cli import main

    rc = main(["plan", "--concern", "fine_lines", "--report", str(tmp_path)])
    assert rc == 2
    assert "--report" in capsys.readouterr().err


def _headless(browser, *args):
    return subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu",
         "--host-resolver-rules=MAP * ~NOTFOUND", *args],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip


def test_the_report_opens_and_prints_in_a_headless_browser(neck_plan, tmp_path, chromium):
    browser = chromium
    path = write_plan_report(neck_plan, tmp_path / "plan.html")
    dom = _headless(browser, "--dump-dom", path.as_uri()).stdout
    for section in SECTIONS:
        assert f'<section id="{section}">' in dom, section
    assert dom.count('src="data:image/png;base64,') == 2
    pdf = tmp_path / "plan.pdf"
    _headless(browser, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", path.as_uri())
    assert pdf.read_bytes()[:5] == b"%PDF-" and pdf.stat().st_size > 20_000
