"""The JSON API: every endpoint's contract, the same numbers as the CLI's ``--json``, one
error shape for every refusal, and the limits."""

from __future__ import annotations

import json
import time

import pytest
from fastapi.testclient import TestClient  # the web extra is part of the test extra

from dermasim.cli import main
from dermasim.web import ENDPOINTS, create_app
from dermasim.web.limits import Limits

MN = "4 x microneedling 1.5 mm every 30 days"
NECK = {"age": 52, "sex": "female", "site": "neck", "smoker": True}


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(Limits(max_draws=300))) as test_client:
        yield test_client


def _cli_json(capsys, argv):
    rc = main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert rc == 0, err
    return json.loads(out)


def _same_numbers(api, cli):
    """Equal JSON objects, except the provenance's creation time."""
    for payload in (api, cli):
        payload.get("provenance", {}).pop("created", None)
    assert api == cli


def test_health_and_protocols(client):
    health = client.get("/api/health").json()
    assert health["schema"] == "dermasim.health/1" and health["status"] == "ok"
    listed = client.get("/api/protocols").json()
    assert listed["schema"] == "dermasim.protocols/1"
    names = [p["name"] for p in listed["protocols"]]
    assert "pn-standard" in names and "no-treatment" in names


def test_simulate_gives_the_cli_numbers(client, capsys, tmp_path):
    request = {"protocol": MN, "patient": NECK, "days": "1 year", "draws": 60, "seed": 3}
    response = client.post("/api/simulate", json=request)
    assert response.status_code == 200, response.text
    api = response.json()
    patient = tmp_path / "neck.toml"
    patient.write_text(
        'age = 52\nsex = "female"\nsite = "neck"\nsmoker = true\nfitzpatrick = 3\n'
        'uv_exposure = "moderate"\n'
    )
    cli = _cli_json(
        capsys,
        [
            "simulate",
            MN,
            "--patient",
            str(patient),
            "--days",
            "1 year",
            "--draws",
            "60",
            "--seed",
            "3",
        ],
    )
    assert api["schema"] == "dermasim.simulation/1"
    _same_numbers(api, cli)


def test_screen_and_compare_and_plan_give_the_cli_numbers(client, capsys):
    screen = client.post("/api/screen", json={"protocol": "4 x microneedling 3 mm every 30 days"})
    assert screen.status_code == 200
    assert screen.json() == _cli_json(
        capsys, ["screen", "--protocol", "4 x microneedling 3 mm every 30 days"]
    )
    body = {"protocols": ["no-treatment", MN], "days": 365, "draws": 50}
    compare = client.post("/api/compare", json=body)
    assert compare.status_code == 200, compare.text
    cli = _cli_json(capsys, ["compare", "no-treatment", MN, "--days", "365", "--draws", "50"])
    _same_numbers(compare.json(), cli)
    plan = client.post("/api/plan", json={"concern": "fine_lines", "draws": 50, "top": 3})
    assert plan.status_code == 200, plan.text
    cli = _cli_json(capsys, ["plan", "--concern", "fine_lines", "--draws", "50", "--top", "3"])
    assert plan.json()["schema"] == "dermasim.plan/1"
    _same_numbers(plan.json(), cli)


def test_a_protocol_object_is_accepted(client):
    protocol = {
        "course": [
            {"treatment": "microneedling", "sessions": 2, "depth_mm": 1.0, "interval_days": 30}
        ]
    }
    response = client.post("/api/simulate", json={"protocol": protocol, "days": 90, "draws": 20})
    assert response.status_code == 200, response.text
    assert response.json()["protocol"]["compact"].startswith("2 x microneedling 1 mm")


BAD = [
    ("/api/simulate", {"protocol": "4 x microneedling 7 mm every 30 days"}, "depth_mm", "7"),
    ("/api/simulate", {"protocol": MN, "draws": 0}, "draws", "0"),
    ("/api/simulate", {"protocol": MN, "draws": 5000}, "draws", "5000"),
    ("/api/simulate", {"protocol": MN, "draws": "many"}, "draws", "many"),
    ("/api/simulate", {"protocol": MN, "days": "soon"}, "days", "soon"),
    ("/api/simulate", {"protocol": MN, "colour": "red"}, "colour", "red"),
    ("/api/simulate", {}, "protocol", None),
    ("/api/simulate", {"protocol": "x" * 100_000}, "body", None),
    ("/api/simulate", {"protocol": "4 x laser"}, "protocol", None),
    ("/api/simulate", {"protocol": MN, "patient": {"age": 12}}, "age", "12"),
    ("/api/simulate", {"protocol": "/etc/passwd"}, "protocol", None),
    ("/api/compare", {"protocols": [MN] * 9}, "protocols", "9"),
    ("/api/simulate", {"protocol": MN, "days": "11 years"}, "days", "11 years"),
    ("/api/plan", {"concern": "wrinkles"}, "concern", "wrinkles"),
    ("/api/plan", {"concern": "fine_lines", "max_sessions": 99}, "max_sessions", "99"),
    ("/api/screen", {"patient": {"site": "elbow"}}, "site", "elbow"),
    # a posterior file is read by the command line, never by the service
    ("/api/simulate", {"protocol": MN, "parameters": "/tmp/x.npz"}, "parameters", "/tmp/x.npz"),
    ("/api/plan", {"concern": "fine_lines", "parameters": "../p.npz"}, "parameters", "../p.npz"),
    ("/api/report", {"concern": "fine_lines", "top": 0}, "top", "0"),
]


@pytest.mark.parametrize(
    ("path", "body", "field", "value"), BAD, ids=[f"{b[0]} {b[2]}" for b in BAD]
)
def test_every_refusal_has_one_shape(client, path, body, field, value):
    response = client.post(path, json=body)
    assert response.status_code in (413, 422), (response.status_code, response.text)
    payload = response.json()
    assert payload["schema"] == "dermasim.error/1"
    error = payload["error"]
    assert set(error) >= {"field", "value", "allowed", "example", "message"}
    assert field in error["field"] or field in error["message"], error
    if value is not None:
        assert value in str(error["value"]) or value in error["message"], error
    assert error["allowed"] and error["example"], error
    assert "\n" not in error["message"]
    assert client.get("/api/health").status_code == 200  # still serving


def test_the_schema_documents_every_endpoint(client):
    schema = client.get("/openapi.json").json()
    for path in ENDPOINTS:
        assert path in schema["paths"], path
    assert "ErrorResponse" in schema["components"]["schemas"]
    for name in ("SimulateRequest", "CompareRequest", "PlanRequest", "ScreenRequest"):
        fields = schema["components"]["schemas"][name]["properties"]
        assert all(field.get("description") for field in fields.values()), name
    # no page that fetches scripts from the internet
    assert client.get("/docs").status_code == 404 and client.get("/redoc").status_code == 404


def test_fifty_concurrent_requests_respect_the_cap_and_leave_no_memory_behind(serve):
    """50 requests at once against a local server: every one answered, never more than the
    cap (2) computing at once, and a second round of 50 leaves the memory where the first did."""
    import asyncio

    import httpx

    server = serve()
    try:
        server.wait_ready()
        body = {"protocol": MN, "days": 120, "draws": 20}

        async def round_of(n):
            async with httpx.AsyncClient(base_url=server.url, timeout=300) as client:
                replies = await asyncio.gather(
                    *(client.post("/api/simulate", json={**body, "seed": k}) for k in range(n))
                )
                return [r.status_code for r in replies]

        assert asyncio.run(round_of(2)) == [200, 200]  # warm: code loaded and compiled
        warm = server.rss_kib()
        first = asyncio.run(round_of(50))
        after_first = server.rss_kib()
        second = asyncio.run(round_of(50))
        after_second = server.rss_kib()
        health = httpx.get(f"{server.url}/api/health").json()["simulations"]
    finally:
        err = server.stop()
    assert first == [200] * 50 and second == [200] * 50, err
    assert health["most_at_once"] <= health["slots"] == 2 and health["running"] == 0, health
    assert health["done"] == 102, health
    # no growth from round to round: what the first round took, the second reuses
    assert after_second <= after_first * 1.10 + 20_000, (warm, after_first, after_second)
    print(f"RSS warm {warm} KiB, after 50 {after_first} KiB, after 100 {after_second} KiB")


def test_serve_starts_answers_and_stops_on_ctrl_c(serve):
    """``dermasim serve`` on a free local port: /api/health answers, Ctrl-C stops it."""
    started = time.monotonic()
    server = serve()
    try:
        health = server.wait_ready()
        ready = time.monotonic() - started
    finally:
        err = server.stop()
    assert health["status"] == "ok", err
    assert server.process.returncode in (0, 130), err
    assert "Traceback" not in err, err
    assert f"serving on http://127.0.0.1:{server.port}" in err
    print(f"ready after {ready:.2f} s")  # the figure of the closing note (-s to see it)


def test_serve_refuses_a_bad_port_and_warns_off_localhost(capsys, caplog, monkeypatch):
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port = 70000 is not valid" in capsys.readouterr().err
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: calls.append(k))
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert calls and calls[0]["host"] == "0.0.0.0"
    assert "other machines on the network can reach this service" in caplog.text


def test_serve_refuses_an_address_it_cannot_listen_on(capsys):
    import socket

    assert main(["serve", "--host", "nosuch.invalid"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--host/--port = 'nosuch.invalid:8765'" in err, err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert "address this machine can listen on" in err and "for example" in err, err


def test_a_request_past_the_time_limit_gets_408_and_the_server_keeps_serving():
    with TestClient(create_app(Limits(max_seconds=0.05))) as slow:
        started = time.monotonic()
        response = slow.post("/api/plan", json={"concern": "fine_lines", "draws": 50})
        took = time.monotonic() - started
        assert response.status_code == 408, response.text
        error = response.json()["error"]
        assert error["field"] == "request" and "0.05 s of computing" in error["allowed"]
        assert took < 30, took  # stopped at its next course, not after the whole search
        compare = slow.post("/api/compare", json={"draws": 50})
        assert compare.status_code == 408, compare.text
        assert slow.get("/api/health").status_code == 200


def test_the_reports_figures_are_under_the_same_time_limit(monkeypatch):
    """The report's time-course simulations run after the plan: past the limit there, the
    request also gets 408 (the plan is given instantly, each figure simulation takes 0.3 s)."""
    import dermasim.plan
    import dermasim.report.plan_report as plan_report
    from dermasim import Patient

    ready = dermasim.plan.plan(
        Patient(), "fine_lines", treatments=["microneedling"], max_sessions=1, draws=10, top=1
    )
    monkeypatch.setattr(dermasim.plan, "plan", lambda *a, progress=None, **k: ready)

    class SlowSimulation(plan_report.Simulation):
        def run(self, *args, **kwargs):
            time.sleep(0.3)
            return super().run(*args, **kwargs)

    monkeypatch.setattr(plan_report, "Simulation", SlowSimulation)
    body = {"concern": "fine_lines", "draws": 10}
    with TestClient(create_app(Limits(max_seconds=0.2))) as slow:
        response = slow.post("/api/report", json=body)
        assert response.status_code == 408, response.text[:200]
        assert response.json()["error"]["field"] == "request"
    with TestClient(create_app(Limits(max_seconds=5.0))) as roomy:  # in time: the report
        response = roomy.post("/api/report", json=body)
        assert response.status_code == 200 and "<html" in response.text[:200]


def test_a_100_kb_protocol_string_is_refused_under_a_larger_body_cap():
    with TestClient(create_app(Limits(max_body_bytes=200_000))) as roomy:
        response = roomy.post("/api/simulate", json={"protocol": "4 x " + "x" * 100_000})
        assert response.status_code == 422, response.text
        error = response.json()["error"]
        assert error["field"] == "protocol" and "at most 2000 characters" in error["allowed"]
        assert len(error["message"]) < 400  # the value is cut, not echoed whole
        assert roomy.get("/api/health").status_code == 200
