"""Treatment protocols: courses of sessions, the compact string, TOML and bundled plans."""

from .bundled import BUNDLED_NAMES
from .course import (
    TREATMENT_ALIASES,
    TREATMENTS,
    Course,
    Session,
    make_course,
    resolve_treatment,
)
from .grammar import parse_compact
from .schedule import (
    Protocol,
    bundled_protocol,
    bundled_protocols,
    load_protocol,
    protocol_from_dict,
    protocol_from_toml,
    protocol_to_toml,
)

__all__ = [
    "BUNDLED_NAMES",
    "TREATMENTS",
    "TREATMENT_ALIASES",
    "Course",
    "Protocol",
    "Session",
    "bundled_protocol",
    "bundled_protocols",
    "load_protocol",
    "make_course",
    "parse_compact",
    "protocol_from_dict",
    "protocol_from_toml",
    "protocol_to_toml",
    "resolve_treatment",
]
