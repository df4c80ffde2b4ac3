"""The FastAPI application: routes, the error shape, the limits.

Each simulation runs in a worker thread (``anyio.to_thread``) behind a semaphore of
:attr:`Limits.concurrent` slots, so the event loop keeps answering while one runs. Requests
and results are never logged or written to disk.
"""

from __future__ import annotations

import ast
import contextlib
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from .._version import version
from ..errors import DermasimError, invalid_value
from .limits import Limits
from .models import (
    CompareRequest,
    ErrorResponse,
    PlanRequest,
    ScreenRequest,
    SimulateRequest,
)
from .page import add_page

__all__ = ["build_app", "error_body"]

_PARTS = re.compile(
    r"(?P<field>[\w.\[\]-]+(?: \([^)]*\))?) = (?P<value>.*?) is not valid: "
    r"allowed (?P<allowed>.*?); for example (?P<example>.*)$"
)
_GRAMMAR = re.compile(
    r"unexpected (?P<value>.*?)(?: at column \d+)?; expected (?P<allowed>.*?); "
    r"for example (?P<example>.*)$"
)


def error_body(message: str, field: str = "request", value: Any = None) -> dict[str, Any]:
    """The ``dermasim.error/1`` body of a refused request: the one-line ``message`` of the
    command line, split into field, value, allowed values and example where it has them.

    Examples
    --------
    >>> error = error_body("draws = 0 is not valid: allowed 1 to 10; for example draws = 5")
    >>> error["error"]["field"], error["error"]["value"], error["error"]["allowed"]
    ('draws', 0, '1 to 10')
    >>> error["error"]["example"]
    'draws = 5'
    """
    found = _PARTS.search(message)
    if found is not None:
        parts = found.groupdict()
    else:
        grammar = _GRAMMAR.search(message)
        parts = {"field": field, "value": value, "allowed": "", "example": ""}
        if grammar is not None:
            parts.update(grammar.groupdict())
    if parts.get("value") is None:
        parts["value"] = value
    elif isinstance(parts["value"], str) and parts["value"] != value:
        with contextlib.suppress(ValueError, SyntaxError, MemoryError, RecursionError):
            parts["value"] = ast.literal_eval(parts["value"])  # '12' -> 12, "'x'" -> 'x'
    return {"schema": "dermasim.error/1", "error": {**parts, "message": message}}


def _protocol(spec: Any, limits: Limits, field: str = "protocol") -> Any:
    """A protocol from a bundled name, a compact string or a protocol object (never a path:
    the service reads no file a request names)."""
    from ..errors import ProtocolError
    from ..protocol import Protocol, bundled_protocols

    if isinstance(spec, dict):
        return Protocol.from_dict(spec)
    if len(spec) > limits.max_protocol_chars:
        raise ProtocolError(
            invalid_value(
                field,
                spec,
                f"a protocol string of at most {limits.max_protocol_chars} characters",
                '"4 x microneedling 1.5 mm every 30 days"',
            )
        )
    if spec.strip() in bundled_protocols():
        return Protocol.load(spec.strip())
    return Protocol.parse(spec)


def _patient(data: dict[str, Any] | None) -> Any:
    from ..patient import Patient

    return Patient() if data is None else Patient.from_dict(data)


def _days(value: str | float, limits: Limits, field: str = "days") -> float:
    from ..errors import SimulationError
    from ..units import to_days

    days = float(to_days(str(value), field=field)) if isinstance(value, str) else float(value)
    if days > limits.max_days:
        raise SimulationError(
            invalid_value(
                field, value, f"at most {limits.max_days:g} days (this server)", 'days = "730"'
            )
        )
    return days


def _check_draws(draws: int, limits: Limits) -> None:
    from ..errors import SimulationError

    if not 1 <= draws <= limits.max_draws:
        raise SimulationError(
            invalid_value(
                "draws",
                draws,
                f"an integer from 1 to {limits.max_draws} (this server)",
                "draws = 200",
            )
        )


def _parameters(name: str) -> str:
    """The parameter choice of a request: a bundled one, never a file (the command line also
    reads a posterior ``.npz`` file; the service reads no file a request names)."""
    from ..errors import ParameterError

    if name.endswith(".npz") or "/" in name or "\\" in name:
        raise ParameterError(
            invalid_value(
                "parameters",
                name,
                "'posterior', 'prior', 'posterior:NAME' or a bundled set (this server reads no "
                "file a request names)",
                'parameters = "posterior"',
            )
        )
    return name


class RequestTooSlow(Exception):
    """A request's computation passed :attr:`Limits.max_seconds`."""


class _Deadline:
    """A progress callback that stops the computation once its time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def __call__(self, *progress: Any) -> None:
        if time.monotonic() > self.end:
            raise RequestTooSlow


class _Load:
    """How many computations run now, the most that ran at once, and how many finished."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running = 0
        self.most = 0
        self.done = 0

    def counted(self, work: Callable[[], dict[str, Any]]) -> Callable[[], dict[str, Any]]:
        def counting() -> dict[str, Any]:
            with self.lock:
                self.running += 1
                self.most = max(self.most, self.running)
            try:
                return work()
            finally:
                with self.lock:
                    self.running -= 1
                    self.done += 1

        return counting


def build_app(limits: Limits | None = None) -> Any:
    """Build the application (see :mod:`dermasim.web`)."""
    import anyio
    from fastapi import FastAPI, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, Response
    from starlette.exceptions import HTTPException as StarletteHTTPException

    limits = limits or Limits()
    slots = anyio.CapacityLimiter(limits.concurrent)
    app = FastAPI(
        # FastAPI's /docs and /redoc pages load their scripts from a CDN: off, as the service
        # makes no request outside this machine; the schema is at /openapi.json
        docs_url=None,
        redoc_url=None,
        title="dermasim",
        version=version,
        description="Collagen and elastin after regenerative aesthetic treatments: simulate, "
        "compare, screen and plan. A research and planning aid, not medical advice.",
    )
    app.state.limits = limits
    app.state.slots = slots
    errors: dict[int | str, dict[str, Any]] = {
        422: {"model": ErrorResponse, "description": "A refused value or a malformed body"},
        413: {"model": ErrorResponse, "description": "A body over the size cap"},
        408: {"model": ErrorResponse, "description": "Past the time limit of a request"},
        400: {"model": ErrorResponse, "description": "A body that cannot be read as text"},
    }

    @app.middleware("http")
    async def cap_body(request: Request, call_next: Callable[..., Any]) -> Any:
        length = request.headers.get("content-length")
        too_long = length is not None and length.isdigit() and int(length) > limits.max_body_bytes
        if too_long:
            message = invalid_value(
                "body",
                f"{length} bytes",
                f"at most {limits.max_body_bytes} bytes",
                '{"protocol": "pn-standard"}',
            )
            return JSONResponse(error_body(message, "body"), status_code=413)
        return await call_next(request)

    @app.exception_handler(DermasimError)
    async def refused(request: Request, exc: DermasimError) -> JSONResponse:
        from ..errors import PatientError, ProtocolError

        field = (
            "patient"
            if isinstance(exc, PatientError)
            else "protocol"
            if isinstance(exc, ProtocolError)
            else "request"
        )
        return JSONResponse(error_body(str(exc), field), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        """The framework's own refusals (a body that is not UTF-8 JSON, an unknown path or
        method) in the one error shape."""
        detail = " ".join(str(exc.detail).split()).rstrip(".")
        message = invalid_value(
            "request", request.url.path, f"a request the API reads ({detail})", _example("body")
        )
        return JSONResponse(
            error_body(message, "request", request.url.path),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestTooSlow)
    async def too_slow(request: Request, exc: RequestTooSlow) -> JSONResponse:
        message = invalid_value(
            "request",
            request.url.path,
            f"at most {limits.max_seconds:g} s of computing on this server (fewer draws or "
            "protocols, or fewer treatments to plan, take less)",
            "draws = 100",
        )
        return JSONResponse(error_body(message, "request", request.url.path), status_code=408)

    @app.exception_handler(RequestValidationError)
    async def malformed(request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        kind = str(first.get("type", ""))
        location = [str(p) for p in first.get("loc", ()) if p != "body"]
        field = "body" if kind == "json_invalid" else ".".join(location) or "body"
        value = first.get("input")
        value = value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        if kind == "missing":
            value = None  # pydantic gives the whole body
        allowed = _ALLOWED.get(kind, str(first.get("msg", "a valid request")).rstrip("."))
        example = _example("body" if kind in ("extra_forbidden", "json_invalid") else field)
        message = invalid_value(field, value, allowed, example)
        body = error_body(message, field, value)
        body["error"].update(field=field, value=value, allowed=allowed, example=example)
        return JSONResponse(body, status_code=422)

    load = _Load()

    async def run(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return await anyio.to_thread.run_sync(load.counted(work), limiter=slots)

    @app.get("/api/health", response_description="The `dermasim.health/1` object")
    async def health() -> dict[str, Any]:
        """Service status, version, and the simulations running now, the slots for them and
        the most that ever ran at once."""
        return {
            "schema": "dermasim.health/1",
            "status": "ok",
            "version": version,
            "simulations": {
                "running": load.running,
                "slots": limits.concurrent,
                "most_at_once": load.most,
                "done": load.done,
            },
        }

    @app.get("/api/protocols", response_description="The `dermasim.protocols/1` object")
    async def protocols() -> dict[str, Any]:
        """The bundled protocols, by name, with their compact strings."""
        from ..protocol import Protocol, bundled_protocols

        return {
            "schema": "dermasim.protocols/1",
            "protocols": [
                {"name": name, "compact": str(Protocol.load(name))} for name in bundled_protocols()
            ],
        }

    @app.post(
        "/api/screen", responses=errors, response_description="The `dermasim.screen/1` object"
    )
    async def screen(body: ScreenRequest) -> dict[str, Any]:
        """The candidacy screen of ``dermasim screen --json``."""
        from ..plan import screen_report

        person = _patient(body.patient)
        proto = None if body.protocol is None else _protocol(body.protocol, limits)
        return screen_report(person, proto)

    @app.post(
        "/api/simulate", responses=errors, response_description="The `dermasim.simulation/1` object"
    )
    async def simulate(body: SimulateRequest) -> dict[str, Any]:
        """One protocol for one patient: the object of ``dermasim simulate --json``."""
        from ..simulation import simulate as run_simulation
        from ..solution import report_days

        proto = _protocol(body.protocol, limits)
        person = _patient(body.patient)
        days = _days(body.days, limits)
        _check_draws(body.draws, limits)
        parameters = _parameters(body.parameters)

        def work() -> dict[str, Any]:
            sol = run_simulation(
                proto,
                person,
                days=days,
                draws=body.draws,
                seed=body.seed,
                at=body.at,
                parameters=parameters,
            )
            return sol.to_json_dict(at=report_days(days, body.at), protocol=proto)

        return await run(work)

    @app.post(
        "/api/compare", responses=errors, response_description="The `dermasim.comparison/1` object"
    )
    async def compare(body: CompareRequest) -> dict[str, Any]:
        """Protocols side by side with paired differences: ``dermasim compare --json``."""
        from ..errors import SimulationError
        from ..plan.compare import compare_protocols

        specs = body.protocols
        if specs is not None and not 1 <= len(specs) <= limits.max_protocols:
            raise SimulationError(
                invalid_value(
                    "protocols",
                    len(specs),
                    f"1 to {limits.max_protocols} protocols (this server)",
                    '["no-treatment", "pn-standard"]',
                )
            )
        for spec in specs or ():
            _protocol(spec, limits)  # refused here as /api/simulate refuses it
        # the given strings themselves label the rows, as on the command line
        protos = (
            None
            if specs is None
            else [s if isinstance(s, str) else _protocol(s, limits) for s in specs]
        )
        person = _patient(body.patient)
        days = _days(body.days, limits)
        _check_draws(body.draws, limits)
        parameters = _parameters(body.parameters)

        def work() -> dict[str, Any]:
            result = compare_protocols(
                protos,
                person,
                days=days,
                draws=body.draws,
                seed=body.seed,
                parameters=parameters,
                endpoint=body.endpoint,
                progress=_Deadline(limits.max_seconds),
            )
            return result.to_json_dict()

        return await run(work)

    def planned(body: PlanRequest) -> Callable[..., Any]:
        """The plan's computation, checked before it starts; ``work(deadline)`` stops at
        ``deadline`` (by default, the time limit of a request from when it starts)."""
        from ..plan import plan as run_plan

        person = _patient(body.patient)
        _check_draws(body.draws, limits)
        parameters = _parameters(body.parameters)

        def work(deadline: _Deadline | None = None) -> Any:
            return run_plan(
                person,
                body.concern,
                horizon=body.horizon,
                max_sessions=body.max_sessions,
                max_downtime_days=body.max_downtime_days,
                treatments=body.treatments,
                top=body.top,
                draws=body.draws,
                seed=body.seed,
                parameters=parameters,
                progress=deadline or _Deadline(limits.max_seconds),
            )

        return work

    @app.post("/api/plan", responses=errors, response_description="The `dermasim.plan/1` object")
    async def plan(body: PlanRequest) -> dict[str, Any]:
        """A course for a concern, beside two baselines: ``dermasim plan --json``."""
        work = planned(body)
        return await run(lambda: work().to_json_dict())

    @app.post(
        "/api/report",
        responses={
            **errors,
            200: {
                "content": {"text/html": {"schema": {"type": "string"}}},
                "description": "The report: one self-contained HTML file",
            },
        },
        response_class=Response,  # the errors stay JSON; the 200 is documented as HTML only
    )
    async def report(body: PlanRequest) -> Any:
        """The plan's self-contained HTML report (``dermasim plan --report``), as a download;
        the server keeps no copy."""
        from ..report import plan_report_html

        work = planned(body)

        def report_work() -> dict[str, Any]:
            deadline = _Deadline(limits.max_seconds)  # the plan and the figures share it
            return {"html": plan_report_html(work(deadline), progress=deadline)}

        html = await run(report_work)
        name = f"dermasim-plan-{re.sub(r'[^a-z_]', '', body.concern.lower()) or 'plan'}.html"
        return HTMLResponse(
            html["html"], headers={"Content-Disposition": f'attachment; filename="{name}"'}
        )

    add_page(app, limits)
    return app


#: The allowed values behind pydantic's error types, in the words of the command line.
_ALLOWED = {
    "int_parsing": "an integer",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_parsing": "a number",
    "float_type": "a number",
    "string_type": "a string",
    "bool_parsing": "true or false",
    "missing": "a value: the field is required",
    "extra_forbidden": "only the fields of the request (see /openapi.json)",
    "json_invalid": "a JSON object",
    "dict_type": "a JSON object",
    "model_attributes_type": "a JSON object",
    "list_type": "a JSON array",
}

_EXAMPLES = {
    "protocol": '"4 x microneedling 1.5 mm every 30 days"',
    "protocols": '["no-treatment", "pn-standard"]',
    "patient": '{"age": 45, "site": "cheek"}',
    "days": '"730"',
    "at": "[0, 90, 180]",
    "draws": "200",
    "seed": "0",
    "parameters": '"posterior"',
    "endpoint": '"collagen_density"',
    "concern": '"fine_lines"',
    "horizon": '"12 months"',
    "max_sessions": "4",
    "max_downtime_days": "6",
    "treatments": '["microneedling"]',
    "top": "8",
    "body": '{"protocol": "pn-standard"}',
}


def _example(field: str) -> str:
    top = field.split(".")[0]
    return f"{top} = {_EXAMPLES.get(top, _EXAMPLES['body'])}"
