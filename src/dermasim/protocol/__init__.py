"""Treatment protocols: courses of sessions, the compact string, TOML and bundled plans."""

from .bundled import BUNDLED_NAMES, bundled_protocol, bundled_protocols, load_protocol
from .course import (
    TREATMENT_ALIASES,
    TREATMENTS,
    Course,
    Protocol,
    Session,
    make_course,
    resolve_treatment,
)
from .grammar import parse_compact
from .toml_io import protocol_from_dict, protocol_from_toml, protocol_to_toml

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
