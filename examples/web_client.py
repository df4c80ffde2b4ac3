"""Use the JSON API from Python: start ``dermasim serve``, ask it for a plan and a
simulation with httpx, and stop it. Needs the web extra (``pip install "dermasim[web]"``).

Against a server already running (``dermasim serve``), only the ``httpx`` calls are needed,
with ``BASE = "http://127.0.0.1:8765"``.
"""

import socket
import subprocess
import sys
import time

import httpx

with socket.socket() as probe:  # a free port, so the example never meets a running server
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
BASE = f"http://127.0.0.1:{port}"

server = subprocess.Popen([sys.executable, "-m", "dermasim", "serve", "--port", str(port)])
try:
    for _ in range(300):  # up to 30 s for the server to start
        try:
            print("health:", httpx.get(f"{BASE}/api/health").json())
            break
        except httpx.HTTPError:
            time.sleep(0.1)

    patient = {"age": 52, "sex": "female", "site": "neck", "smoker": True}
    plan = httpx.post(
        f"{BASE}/api/plan",
        json={"patient": patient, "concern": "fine_lines", "max_downtime_days": 6, "draws": 50},
        timeout=120,
    ).json()
    print(plan["schema"], "for", plan["concern"])
    for row in plan["plans"][:3]:
        gain, vs = row["gain"], row["vs_standard"]
        print(
            f"  {row['protocol']}: {gain['median']:.1f}% [{gain['p05']:.1f}, {gain['p95']:.1f}]"
            f" at day {gain['t_days']:g}; P(better than standard) {vs['p_better']:.2f}"
        )

    refused = httpx.post(
        f"{BASE}/api/simulate", json={"protocol": "4 x microneedling 7 mm every 30 days"}
    )
    print("refused:", refused.status_code, refused.json()["error"]["message"])

    sim = httpx.post(
        f"{BASE}/api/simulate",
        json={"protocol": "pn-standard", "patient": patient, "days": "1 year", "draws": 50},
        timeout=120,
    ).json()
    density = sim["outputs"]["collagen_density"]
    print("pn-standard, collagen density at day 365:", round(density["median"][-1], 1), "%")
finally:
    server.terminate()
    server.wait(timeout=30)
print("dermasim is a research and planning aid, not medical advice.")
