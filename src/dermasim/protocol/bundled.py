"""Protocols shipped with dermasim (``dermasim/data/protocols/<name>.toml``): their names and
texts. :mod:`dermasim.protocol.schedule` turns them into protocols."""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources

from ..errors import ProtocolError, invalid_value

__all__ = ["BUNDLED_NAMES", "bundled_text", "near_bundled_name", "unknown_bundled"]

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
def bundled_text(name: str) -> str:
    """TOML text of the bundled protocol ``name``.

    Raises
    ------
    ProtocolError
        For an unknown name, listing the bundled names.
    """
    if name not in BUNDLED_NAMES:
        raise unknown_bundled(name)
    resource = resources.files("dermasim").joinpath("data", "protocols", f"{name}.toml")
    return resource.read_text(encoding="utf-8")


def near_bundled_name(name: str) -> str | None:
    """The bundled name closest to ``name``, if one is close."""
    close = difflib.get_close_matches(name, BUNDLED_NAMES, n=1)
    return close[0] if close else None


def unknown_bundled(name: object) -> ProtocolError:
    """The error for a name that is not a bundled protocol, pointing out a near miss."""
    allowed = "one of " + ", ".join(BUNDLED_NAMES)
    if isinstance(name, str):
        close = near_bundled_name(name)
        if close:
            allowed += f" (did you mean {close!r}?)"
    return ProtocolError(invalid_value("protocol", name, allowed, 'protocol = "pn-standard"'))
