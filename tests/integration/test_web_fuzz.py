"""Schemathesis over the API's OpenAPI schema: generated requests to every endpoint, bounded,
with no server error (5xx) and every response matching the schema it documents."""

from __future__ import annotations

import pytest
import schemathesis  # the test extra: the fuzz runs wherever the suite does, never skips
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from dermasim.web import ENDPOINTS, create_app
from dermasim.web.limits import Limits

# the schema's examples (50 draws) are valid; a longer computation stops after 5 s (408)
APP = create_app(Limits(max_draws=50, max_seconds=5.0))
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Requests made and answers by status, per operation (printed with -s for the closing note).
COUNTS: dict[str, dict[int, int]] = {}


@SCHEMA.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_every_response_matches_its_schema(case):
    response = case.call()
    tally = COUNTS.setdefault(f"{case.method} {case.path}", {})
    tally[response.status_code] = tally.get(response.status_code, 0) + 1
    case.validate_response(response, checks=CHECKS)


def test_the_fuzz_reached_every_endpoint():
    """Runs after the fuzz (file order): every operation was called."""
    if not COUNTS:
        pytest.skip("run with the fuzz test above")
    print({k: dict(sorted(v.items())) for k, v in sorted(COUNTS.items())})
    paths = {key.split(" ", 1)[1] for key in COUNTS}
    assert paths >= set(ENDPOINTS), paths
    assert all(status < 500 for tally in COUNTS.values() for status in tally)
    for path in ("/api/screen", "/api/simulate", "/api/compare", "/api/plan", "/api/report"):
        assert COUNTS.get(f"POST {path}", {}).get(200), (path, COUNTS.get(f"POST {path}"))
