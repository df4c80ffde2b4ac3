"""The ``serve`` command: the JSON API (and, later, the planner page) on this machine."""

from __future__ import annotations

import ipaddress
from typing import Annotated

import typer

from ..errors import SimulationError, invalid_value

__all__ = ["register", "serve"]

_LOCAL = ("localhost", "127.0.0.1", "::1")


def _check_port(port: int) -> int:
    if not 1 <= port <= 65535:
        raise SimulationError(invalid_value("--port", port, "1 to 65535", "--port 8765"))
    return port


def _check_bindable(host: str, port: int) -> None:
    """Refuse, before the server starts, an address this machine cannot listen on (a name
    that does not resolve, a port in use)."""
    import socket

    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SimulationError(
            invalid_value(
                "--host/--port",
                f"{host}:{port}",
                f"an address this machine can listen on ({reason})",
                "--host 127.0.0.1 --port 8765",
            )
        ) from None


def _is_local(host: str) -> bool:
    if host in _LOCAL:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (default: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port (1 to 65535).")] = 8765,
) -> None:
    """Serve the JSON API on this machine (needs the web extra)."""
    import logging

    _check_port(port)
    try:
        import uvicorn

        from ..web import create_app
    except ImportError:
        raise SimulationError(
            "dermasim serve needs the web extra: allowed with FastAPI and uvicorn installed; "
            'for example pip install "dermasim[web]"'
        ) from None
    _check_bindable(host, port)
    if not _is_local(host):
        logging.getLogger("dermasim").warning(
            "serving on %s: other machines on the network can reach this service and the "
            "patients sent to it; use --host 127.0.0.1 to keep it on this machine",
            host,
        )
    logging.getLogger("dermasim").warning("serving on http://%s:%d (Ctrl-C stops)", host, port)
    # access logs name request paths only, but they are off: nothing about a request is kept
    uvicorn.run(create_app(), host=host, port=port, log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    """Add ``serve`` to the ``dermasim`` app."""
    app.command()(serve)
