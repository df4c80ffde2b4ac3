"""The JSON API: every endpoint's contract, the same numbers as the CLI's ``--json``, one
error shape for every refusal, and the limits."""

from __future__ import annotations

import json
import time

import pytest

pytest.importorskip("fastapi", reason="the web extra is part of the test extra")
from fastapi.testclient import TestClient

from dermasim.cli import main
from dermasim.web import create_app
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
    for path in (
        "/api/health",
        "/api/protocols",
        "/api/screen",
        "/api/simulate",
        "/api/compare",
        "/api/plan",
    ):
        assert path in schema["paths"], path
    assert "ErrorResponse" in schema["components"]["schemas"]


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_starts_answers_and_stops_on_ctrl_c(tmp_path):
    """``dermasim serve`` on a free local port: /api/health answers, Ctrl-C stops it."""
    import signal
    import subprocess
    import sys
    import time

    import httpx

    port = _free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
            "from dermasim.cli import main; sys.exit(main(sys.argv[1:]))",
            "serve",
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    try:
        health = None
        while time.monotonic() - started < 60 and server.poll() is None:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).json()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        ready = time.monotonic() - started
        assert health is not None and health["status"] == "ok", server.stderr.read()
        server.send_signal(signal.SIGINT)
        _, err = server.communicate(timeout=30)
    finally:
        if server.poll() is None:
            server.kill()
    assert server.returncode in (0, 130), err
    assert "Traceback" not in err, err
    assert f"serving on http://127.0.0.1:{port}" in err
    print(f"ready after {ready:.2f} s")  # the figure of the closing note (-s to see it)


def test_serve_refuses_a_bad_port_and_warns_off_localhost(capsys, caplog, monkeypatch):
    assert main(["serve", "--port", "70000"]) == 2
    assert "--port = 70000 is not valid" in capsys.readouterr().err
    calls = []
    monkeypatch.setattr("uvicorn.run", lambda *a, **k: calls.append(k))
    assert main(["serve", "--host", "0.0.0.0"]) == 0
    assert calls and calls[0]["host"] == "0.0.0.0"
    assert "other machines on the network can reach this service" in caplog.text


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
