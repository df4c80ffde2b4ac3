"""The planner page at ``/``: one HTML page, its script and styles, and a vendored chart library.

The page is rendered once, from the package's own lists (sites, concerns, treatments,
contraindication flags), so its choices cannot drift from what the API accepts. It needs no
build step: plain HTML, one script (``static/planner.js``) and uPlot 1.6.32 (MIT,
``static/vendor/uplot``), all served by the app itself. The page's content security policy
allows nothing from another origin, so it makes no request outside the machine it runs on.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Any

from .._version import version
from .limits import Limits

__all__ = ["CONTENT_SECURITY_POLICY", "STATIC", "add_page", "planner_html"]

#: Nothing from another origin: scripts, styles, data and images come from this server only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

#: The folder of the page's script, styles and vendored chart library.
STATIC = resources.files("dermasim.web") / "static"


#: Fitzpatrick types as the clinic writes them.
ROMAN = ("I", "II", "III", "IV", "V", "VI")


def _choices(names: Iterable[str]) -> list[tuple[str, str]]:
    """A select's (value, text) pairs: the package's names, underscores read as spaces."""
    return [(name, name.replace("_", " ")) for name in names]


@cache
def planner_html(max_draws: int = Limits().max_draws, draws: int = 200) -> str:
    """The planner page, with this package's choices in its form."""
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    from ..contraindications import TREATMENTS
    from ..patient import (
        AGE_MAX,
        AGE_MIN,
        CONTRAINDICATION_FLAGS,
        SCAR_GRADE_MAX,
        SEXES,
        SITES,
        UV_LEVELS,
        Patient,
    )
    from ..plan.concerns import CONCERNS
    from ..protocol import Protocol, bundled_protocols

    environment = Environment(
        loader=PackageLoader("dermasim.web", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
    )
    return environment.get_template("planner.html").render(
        version=version,
        defaults=Patient(),
        age_min=f"{AGE_MIN:g}",
        age_max=f"{AGE_MAX:g}",
        sexes=_choices(SEXES),
        sites=_choices(SITES),
        fitzpatrick=[(kind, ROMAN[kind - 1]) for kind in range(1, 7)],
        uv_levels=_choices(UV_LEVELS),
        scar_max=SCAR_GRADE_MAX,
        flags=CONTRAINDICATION_FLAGS,
        concerns=_choices(CONCERNS),
        treatments=TREATMENTS,
        draws=min(draws, max_draws),
        max_draws=max_draws,
        bundled=[
            {"name": name, "compact": str(Protocol.load(name))} for name in bundled_protocols()
        ],
    )


def add_page(app: Any, limits: Limits) -> None:
    """Serve the planner page at ``/`` and its files under ``/static`` on ``app``."""
    from fastapi import Request
    from fastapi.responses import HTMLResponse
    from fastapi.staticfiles import StaticFiles

    @app.middleware("http")
    async def same_origin_only(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def planner() -> HTMLResponse:
        return HTMLResponse(planner_html(limits.max_draws))

    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
