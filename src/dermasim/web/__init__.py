"""The planner as a local web service: a JSON API (FastAPI) with the CLI's contracts.

``dermasim serve`` runs :func:`create_app` with uvicorn on ``127.0.0.1:8765``. Every
endpoint answers with the same JSON object as the matching ``--json`` command (schema tags
included), so a client can switch between them:

============================  ==================================  ===========================
endpoint                      command                             schema
============================  ==================================  ===========================
``GET  /api/health``          ``dermasim --version``              ``dermasim.health/1``
``GET  /api/protocols``       ``dermasim protocols``              ``dermasim.protocols/1``
``POST /api/screen``          ``dermasim screen --json``          ``dermasim.screen/1``
``POST /api/simulate``        ``dermasim simulate --json``        ``dermasim.simulation/1``
``POST /api/compare``         ``dermasim compare --json``         ``dermasim.comparison/1``
``POST /api/plan``            ``dermasim plan --json``            ``dermasim.plan/1``
``POST /api/report``          ``dermasim plan --report``          an HTML file (a download)
============================  ==================================  ===========================

A request body carries the command's options as fields, with its defaults
(:mod:`dermasim.web.models`). Bad input is a 422 response with one JSON shape
(:class:`dermasim.web.models.ErrorResponse`): the field, the value, the allowed values and an
example, as the command line's one-line errors give them. The limits (body size, draws,
protocols per comparison, concurrent simulations) are :class:`dermasim.web.limits.Limits`.

The planner page at ``/`` (:mod:`dermasim.web.page`) is a form over these endpoints: the
patient, the concern and its constraints, the plan's table and a chart of its time course, a
protocol builder and the report's download.

Nothing about a patient is written to disk or logged by the service. It needs the ``web``
extra (``pip install "dermasim[web]"``); it is a research and planning aid, not medical
advice.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ENDPOINTS", "create_app"]

#: The paths of the API, as the table above lists them.
ENDPOINTS = (
    "/api/health",
    "/api/protocols",
    "/api/screen",
    "/api/simulate",
    "/api/compare",
    "/api/plan",
    "/api/report",
)


def create_app(limits: Any = None) -> Any:
    """The FastAPI application (see the module docstring); ``limits`` defaults to
    :class:`~dermasim.web.limits.Limits`."""
    from .app import build_app

    return build_app(limits)
