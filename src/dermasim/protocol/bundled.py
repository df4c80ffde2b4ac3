"""Protocols shipped with dermasim (``dermasim/data/protocols/<name>.toml``)."""

from __future__ import annotations

import difflib
import os
from functools import cache
from importlib import resources

from .._files import looks_like_path
from ..errors import ProtocolError, invalid_value
from .course import Protocol
from .toml_io import protocol_from_toml

__all__ = ["BUNDLED_NAMES", "bundled_protocol", "bundled_protocols", "load_protocol"]

#: Names of the bundled protocols, in display order.
BUNDLED_NAMES: tuple[str, ...] = (
    "no-treatment",
    "pn-standard",
    "microneedling-4-monthly",
    "microneedling-6-biweekly",
    "ha-filler-single",
    "pn-plus-microneedling",
    "microneedling-growth-factor-serum",
)


@cache
def _load(name: str) -> Protocol:
    resource = resources.files("dermasim").joinpath("data", "protocols", f"{name}.toml")
    return protocol_from_toml(resource.read_text(encoding="utf-8"))


def _unknown(name: object) -> ProtocolError:
    allowed = "one of " + ", ".join(BUNDLED_NAMES)
    if isinstance(name, str):
        close = difflib.get_close_matches(name, BUNDLED_NAMES, n=1)
        if close:
            allowed += f" (did you mean {close[0]!r}?)"
    return ProtocolError(invalid_value("protocol", name, allowed, 'protocol = "pn-standard"'))


def bundled_protocol(name: str) -> Protocol:
    """Return the bundled protocol called ``name``.

    Raises
    ------
    ProtocolError
        For an unknown name, listing the bundled names.
    """
    if name not in BUNDLED_NAMES:
        raise _unknown(name)
    return _load(name)


def bundled_protocols() -> dict[str, Protocol]:
    """Return all bundled protocols by name, in :data:`BUNDLED_NAMES` order."""
    return {name: _load(name) for name in BUNDLED_NAMES}


def load_protocol(spec: str | os.PathLike[str]) -> Protocol:
    """Load a protocol from a TOML file, a bundled protocol name or a compact string.

    Parameters
    ----------
    spec
        An ``os.PathLike``, or a string that names an existing file or ends in ``.toml``
        (read as TOML); a bundled name such as ``"pn-standard"``; else a compact string.

    Raises
    ------
    ProtocolError
        If none of these readings works; a near miss of a bundled name is pointed out.
    """
    if isinstance(spec, os.PathLike):
        return protocol_from_toml(spec)
    if not isinstance(spec, str):
        raise ProtocolError(
            invalid_value(
                "protocol", spec, "a file path, bundled name or protocol string", '"pn-standard"'
            )
        )
    stripped = spec.strip()
    if stripped in BUNDLED_NAMES:
        return _load(stripped)
    path = looks_like_path(stripped)
    if path is not None:
        return protocol_from_toml(path)
    try:
        return Protocol.parse(spec)
    except ProtocolError:
        if " " not in stripped and difflib.get_close_matches(stripped, BUNDLED_NAMES, n=1):
            raise _unknown(stripped) from None
        raise
