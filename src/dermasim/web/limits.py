"""What one request to the web service may ask for, and how many run at once."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """Caps of the web service (the command line has its own, wider ones).

    Attributes
    ----------
    max_body_bytes
        Largest request body; a larger one is refused with 413 before it is read.
    max_draws
        Most parameter draws per request (simulate, compare, plan).
    max_protocols
        Most protocols in one comparison.
    max_protocol_chars
        Longest protocol string.
    max_days
        Longest horizon in days.
    concurrent
        Simulations running at once; further requests wait for a free slot.
    max_seconds
        Computing time of one request: a comparison, a plan or a report past it stops at its
        next protocol, course or figure simulation and is answered 408 (a single simulation
        is bounded by ``max_draws`` instead).
    """

    max_body_bytes: int = 64_000
    max_draws: int = 1000
    max_protocols: int = 8
    max_protocol_chars: int = 2000
    max_days: float = 3650.0
    concurrent: int = 2
    max_seconds: float = 120.0
