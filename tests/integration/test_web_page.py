"""The planner page at ``/``: served by the app with everything it needs, and used end to end in
Debian's Chromium driven by Playwright (no browser download: Playwright is pointed at
``/usr/bin/chromium``). Screenshots go to ``test-artifacts/web/`` (or
``$DERMASIM_TEST_ARTIFACTS/web``).

Without Chromium the browser tests skip, except where ``DERMASIM_REQUIRE_BROWSER`` is set
(CI sets it): there they fail.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from dermasim.contraindications import TREATMENTS
from dermasim.patient import CONTRAINDICATION_FLAGS, SITES
from dermasim.plan.concerns import CONCERNS
from dermasim.report import SECTIONS
from dermasim.web import create_app
from dermasim.web.page import CONTENT_SECURITY_POLICY

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("DERMASIM_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "web"
#: The patient of the end-to-end runs: 52, female, neck, smoker (the planner's example).
NECK = {"age": "52", "site": "neck"}
DRAWS = 50


class _Page(HTMLParser):
    """The page's form controls, labels and the addresses it loads."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: dict[str, dict[str, str]] = {}
        self.labelled: set[str] = set()
        self.options: dict[str, list[str]] = {}
        self.addresses: list[str] = []
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag in ("input", "select") and a.get("type") != "hidden":
            self.controls[a["id"]] = a
        if tag == "select":
            self._select = a["id"]
            self.options[a["id"]] = []
        if tag == "option" and self._select:
            self.options[self._select].append(a["value"])
        if tag == "label":
            self.labelled.add(a["for"])
        for key in ("src", "href"):
            if key in a:
                self.addresses.append(a[key])

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app())


@pytest.fixture(scope="module")
def page_html(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    parsed = _Page()
    parsed.feed(response.text)
    return parsed


def test_the_page_loads_only_its_own_files_and_they_are_served(client, page_html):
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    for address in page_html.addresses:
        assert address.startswith(("/static/", "#")), address  # nothing from another origin
        if address.startswith("/static/"):
            reply = client.get(address)
            assert reply.status_code == 200 and len(reply.content) > 100, address
    scripts = [a for a in page_html.addresses if a.endswith(".js")]
    assert scripts == ["/static/vendor/uplot/uPlot.iife.min.js", "/static/planner.js"]
    for script in scripts:
        text = client.get(script).text
        # no address for the browser to fetch inside the scripts either (a licence comment
        # in the vendored library names its home page)
        code = re.sub(r"/\*!.*?\*/", "", text, flags=re.S)
        assert not re.search(r"https?://", code), script
    assert client.get("/static/vendor/uplot/LICENSE").text.startswith("The MIT License")


def test_every_control_has_a_label_and_an_error_slot(page_html, client):
    html = client.get("/").text
    for ident, control in page_html.controls.items():
        assert ident in page_html.labelled, ident  # screen readers read a label
        slots = [s for s in control["aria-describedby"].split() if s.endswith("-error")]
        assert len(slots) == 1 and f'id="{slots[0]}" role="alert"' in html, ident


def test_the_form_offers_exactly_what_the_api_accepts(page_html):
    assert page_html.options["site"] == list(SITES)
    assert page_html.options["concern"] == list(CONCERNS)
    assert {i for i in page_html.controls if i.startswith("treatment-")} == {
        f"treatment-{t}" for t in TREATMENTS
    }
    assert set(CONTRAINDICATION_FLAGS) <= set(page_html.controls)


def test_the_report_endpoint_is_a_download_of_the_plan_report(client):
    body = {"patient": {"age": 52, "site": "neck", "smoker": True}, "concern": "fine_lines"}
    body |= {"draws": DRAWS, "max_downtime_days": 6}
    reply = client.post("/api/report", json=body)
    assert reply.status_code == 200, reply.text[:300]
    assert reply.headers["content-type"].startswith("text/html")
    assert reply.headers["content-disposition"] == (
        'attachment; filename="dermasim-plan-fine_lines.html"'
    )
    for section in SECTIONS:
        assert f'<section id="{section}">' in reply.text, section
    plan = client.post("/api/plan", json=body).json()
    assert plan["plans"][0]["protocol"] in reply.text  # the same plan as /api/plan
    refused = client.post("/api/report", json={**body, "concern": "wrinkles"})
    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "concern"


# --- in the browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(chromium):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # the test extra installs it
        if os.environ.get("DERMASIM_REQUIRE_BROWSER"):
            pytest.fail("playwright is required here (DERMASIM_REQUIRE_BROWSER)")
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield launched
        launched.close()


class _Visit:
    """A page in a fresh browser context, recording every address it requests."""

    def __init__(self, browser, server, width=1280, height=800):
        self.context = browser.new_context(
            viewport={"width": width, "height": height}, accept_downloads=True
        )
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on(
            "console", lambda m: m.type == "error" and self.errors.append(m.text)
        )  # a refused value is an answer (422), not a page error: filtered below
        self.server = server
        self.page.goto(server.url + "/")

    def fill_patient(self, age="52", site="neck", smoker=True):
        page = self.page
        page.get_by_label("Age (years)").fill(age)
        page.get_by_label("Treated site").select_option(site)
        page.get_by_label("Smoker").set_checked(smoker)
        page.get_by_label("Median downtime per session at most, days (optional)").fill("6")
        page.get_by_label(re.compile(r"^Parameter draws")).fill(str(DRAWS))

    def wait_done(self, timeout=120_000):
        from playwright.sync_api import expect

        expect(self.page.locator("#status")).to_have_text(
            re.compile(r"^(Done|Not planned|Added|Report downloaded|No report)"), timeout=timeout
        )
        return self.page.locator("#status").text_content()

    def close(self):
        own = (self.server.url + "/", "blob:", "data:")
        assert all(url.startswith(own) for url in self.requests), self.requests
        page_errors = [e for e in self.errors if "status of 422" not in e]
        assert not page_errors, page_errors
        self.context.close()


def _screenshot(page, name):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000
    return path


@pytest.fixture(scope="module")
def planned(browser, module_server):
    """The page after planning for the neck patient at 1280x800."""
    visit = _Visit(browser, module_server)
    visit.fill_patient()
    visit.page.get_by_role("button", name="Plan a course").click()
    status = visit.wait_done()
    assert status.startswith("Done"), status
    yield visit
    visit.close()


def _same_plan_from_the_api(server):
    body = {
        "patient": {"age": 52, "sex": "female", "site": "neck", "smoker": True},
        "concern": "fine_lines",
        "max_downtime_days": 6,
        "draws": DRAWS,
        "seed": 0,
    }
    return httpx.post(server.url + "/api/plan", json=body, timeout=120).json()


def _interval(q):
    return f"{q['median']:.1f} [{q['p05']:.1f}, {q['p95']:.1f}]"


def test_a_plan_shows_the_table_the_api_gives_and_the_chart(planned, module_server):
    page = planned.page
    plan = _same_plan_from_the_api(module_server)
    rows = page.locator("#plan-table tbody tr")
    assert rows.count() == 2 + len(plan["plans"]) >= 3
    for k, row in enumerate(plan["plans"], start=3):
        cells = rows.nth(k - 1).locator("th, td")
        assert cells.nth(0).text_content() == f"plan {row['rank']}"
        assert cells.nth(1).text_content().startswith(row["protocol"])
        assert cells.nth(3).text_content() == _interval(row["gain"])
        assert cells.nth(5).text_content() == f"{row['vs_standard']['p_better']:.2f}"
        assert cells.nth(6).text_content() == _interval(row["downtime_days"])
    standard = rows.nth(1).locator("th, td")
    assert standard.nth(1).text_content() == plan["baselines"][1]["protocol"]
    assert "caution" in page.locator("#screen-list").text_content()  # she smokes
    chart = page.locator("#chart canvas")
    assert chart.count() == 1 and chart.bounding_box()["width"] > 500
    legend = page.locator("#chart-legend li")
    assert [legend.nth(i).text_content().split(":")[0] for i in range(3)] == [
        "no treatment",
        "standard",
        "plan 1",
    ]
    # the chart's numbers, as a table for screen readers: day 0 has no change yet and the
    # last day is the plan's horizon, where plan 1's median is the table's gain
    page.get_by_text("The chart's numbers as a table").click()
    last = page.locator("#chart-table tbody tr").last.locator("th, td")
    assert float(last.nth(0).text_content()) == pytest.approx(plan["horizon_days"], abs=0.6)
    assert last.nth(3).text_content() == _interval(plan["plans"][0]["gain"])  # same draws
    first = page.locator("#chart-table tbody tr").first.locator("td")
    assert first.nth(0).text_content() == "0.0 [0.0, 0.0]"
    path = _screenshot(page, "planner-1280x800.png")
    print(f"screenshot: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def test_download_report_saves_the_plans_html_report(planned):
    page = planned.page
    with page.expect_download(timeout=120_000) as download:
        page.get_by_role("button", name="Download report").click()
    saved = Path(download.value.path())
    assert download.value.suggested_filename == "dermasim-plan-fine_lines.html"
    html = saved.read_text(encoding="utf-8")
    for section in SECTIONS:
        assert f'<section id="{section}">' in html, section
    plan1 = page.locator("#plan-table tbody tr").nth(2).locator("td").nth(0).text_content()
    assert plan1.split("cannot")[0] in html
    assert planned.wait_done().startswith("Report downloaded")


def test_the_protocol_builder_marks_a_typo_inline_and_adds_a_valid_protocol(planned):
    from playwright.sync_api import expect

    page = planned.page
    field = page.get_by_label("Protocol, in the compact form or a bundled name")
    field.fill("4 x microneedlin 1 mm every 30 days")
    error = page.locator("#protocol-error")
    expect(error).to_contain_text("did you mean 'microneedling'", timeout=20_000)
    assert field.get_attribute("aria-invalid") == "true"
    field.fill("pn-standard")
    expect(error).to_be_empty(timeout=20_000)
    expect(page.locator("#protocol-screen")).to_contain_text("Reads as", timeout=20_000)
    page.get_by_role("button", name="Add to the chart").click()
    expect(page.locator("#chart-legend li")).to_have_count(4, timeout=60_000)
    assert page.locator("#chart-table thead th").count() == 5  # day + four courses


def test_a_refused_value_is_shown_beside_its_field(browser, module_server):
    from playwright.sync_api import expect

    visit = _Visit(browser, module_server)
    page = visit.page
    visit.fill_patient(age="200")
    page.get_by_role("button", name="Plan a course").click()
    message = page.locator("#age-error")
    expect(message).to_have_text(
        "patient.age = 200 is not valid: allowed 18 to 90 years; for example age = 45"
    )
    age = page.get_by_label("Age (years)")
    assert age.get_attribute("aria-invalid") == "true"
    expect(age).to_be_focused()
    box, below = age.bounding_box(), message.bounding_box()
    assert 0 <= below["y"] - (box["y"] + box["height"]) < 30  # right under the field
    assert abs(below["x"] - box["x"]) < 5
    assert page.locator("#plan-output").is_hidden()  # nothing was planned
    # a value the browser cannot read as a number is named by the server as well
    age.fill("45")
    expect(message).to_be_empty()
    page.get_by_label("Read the gain at").fill("2 eons")
    page.get_by_role("button", name="Plan a course").click()
    expect(page.locator("#horizon-error")).to_contain_text("horizon = '2 eons' is not valid")
    page.get_by_label("Read the gain at").fill("12 months")
    for treatment in TREATMENTS:
        page.locator(f"#treatment-{treatment}").uncheck()
    page.get_by_role("button", name="Plan a course").click()
    expect(page.locator("#treatments-error")).to_contain_text("treatments = [] is not valid")
    visit.close()


def test_at_tablet_width_by_keyboard_alone(browser, module_server):
    """768 x 1024: one column, nothing wider than the screen; every control is reached with
    Tab in reading order and Enter on the button plans."""
    from playwright.sync_api import expect

    visit = _Visit(browser, module_server, width=768, height=1024)
    page = visit.page
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        ident = page.locator("*:focus").get_attribute("id")
        order.append(ident)
        if ident == "plan-button":
            break
    controls = page.locator("#plan-form input, #plan-form select, #plan-form button")
    expected = [controls.nth(i).get_attribute("id") for i in range(controls.count())]
    assert [i for i in order if i in expected] == expected, order
    # type the patient with the keyboard: age, then on to the site
    page.get_by_label("Age (years)").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("60")
    page.get_by_label("Treated site").select_option("periorbital")
    page.get_by_label(re.compile(r"^Parameter draws")).fill(str(DRAWS))
    page.locator("#plan-button").focus()
    page.keyboard.press("Enter")
    status = visit.wait_done()
    assert status.startswith("Done"), status
    expect(page.locator("#chart canvas")).to_have_count(1)
    widths = [
        page.locator(selector).bounding_box()["width"]
        for selector in ("#plan-form", "#results", "#chart canvas")
    ]
    assert max(widths) <= 768, widths
    assert page.evaluate("document.documentElement.scrollWidth") <= 768  # no sideways scroll
    table, wrap = page.locator("#plan-table"), page.locator("#plan-output .table-wrap").first
    assert table.bounding_box()["width"] <= wrap.bounding_box()["width"] + 1  # the table fits
    _screenshot(page, "planner-768x1024.png")
    visit.close()
