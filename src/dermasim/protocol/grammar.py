"""The compact protocol string: a lark grammar and its reader.

Syntax (keywords and units are case-insensitive)::

    protocol := "no treatment" | "none" | phase ("; " phase)*
    phase    := ["then"] [N "x"] treatment [product] setting*
    setting  := <length>            depth, e.g. "1.5 mm" (also "at 1 mm")
              | <volume>            volume, e.g. "2 mL"
              | <concentration>     concentration, e.g. "20 mg/mL"
              | <dose>              product per area (topical), e.g. "2 mg/cm2"
              | <time> "after needling"  delay of a topical application, e.g.
                                    "10 min after needling"
              | "occluded"          occlusion after a topical application
              | "dermal" | "subdermal"   plane of a filler gel (default dermal)
              | ["over"] <area>     treated area, e.g. "over 10 cm2"
              | "every" <time>      interval between sessions, e.g. "every 4 weeks"
              | "from" <time> | "from day" N | "at" <time> | "at day" N      first session

A phase without a start begins on day 0, unless it begins with ``then``: it then starts one
interval after the last session of the previous phase (which needs an ``every``).
Treatments: ``microneedling``, ``polynucleotide`` (alias ``pn``), ``hyaluronic_filler``
(aliases ``ha_filler``, ``ha filler``, ``filler``) and ``topical`` (alias ``serum``), which
may be followed by the name of a bundled product (``topical growth_factor_serum``; the
default). A product declared as a table has no compact form: use TOML for it.

The canonical form written by ``str(protocol)`` always gives every setting, in the order
count, treatment, product, depth (microneedling), volume, concentration, dose, delay after
needling in minutes, ``occluded`` (left out when not), ``subdermal`` (a filler placed below
the dermis; left out for the default, dermal), ``at`` depth, ``over`` area,
``every`` interval in days and ``from day`` start (left out when 0), e.g.
``3 x polynucleotide 2 mL 20 mg/mL at 1 mm over 60 cm2 every 28 days from day 14`` or
``4 x topical growth_factor_serum 0.01 mg/mL 2 mg/cm2 0 min after needling every 30 days``.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from ..errors import ProtocolError, invalid_value, shown_value
from ..units import parse_quantity, to_days, to_minutes
from .course import (
    MAX_SESSIONS,
    SETTINGS,
    TREATMENT_ALIASES,
    TREATMENTS,
    Course,
    make_course,
    resolve_treatment,
)
from .products import bundled_products

__all__ = ["GRAMMAR", "parse_compact"]

GRAMMAR = r"""
start: NO TREATMENT_KW        -> empty
     | NONE                   -> empty
     | phase (SEMI phase)*

phase: THEN? COUNT? treatment setting*
treatment: NAME NAME?

setting: QUANTITY             -> bare
       | AT QUANTITY          -> at_quantity
       | AT DAY NUMBER        -> at_day
       | FROM QUANTITY        -> from_quantity
       | FROM DAY NUMBER      -> from_day
       | EVERY QUANTITY       -> every
       | OVER QUANTITY        -> over
       | QUANTITY AFTER NEEDLING -> after_needling
       | OCCLUDED             -> occluded
       | PLANE                -> plane

COUNT.2: /\d+\s*[x\u00d7](?![a-z0-9_])/i
QUANTITY: /-?(\d+(\.\d*)?|\.\d+)\s*[a-zµμ][a-z0-9\/^²µμ]*/i
NUMBER: /-?\d+(\.\d*)?|\.\d+/
NAME: /[a-z][a-z0-9_\-]*/i
NO: "no"i
TREATMENT_KW: "treatment"i
NONE: "none"i
THEN: "then"i
AT: "at"i
DAY: "day"i
FROM: "from"i
EVERY: "every"i
OVER: "over"i
AFTER: "after"i
NEEDLING: "needling"i
OCCLUDED: "occluded"i
PLANE: "subdermal"i | "dermal"i
SEMI: ";"

%import common.WS
%ignore WS
"""

_EXAMPLE = '"4 x microneedling 1.5 mm every 30 days"'
_EXAMPLES = {
    "microneedling": _EXAMPLE,
    "polynucleotide": '"3 x polynucleotide 2 mL 20 mg/mL at 1 mm every 28 days"',
    "hyaluronic_filler": '"1 x hyaluronic_filler 1 mL over 10 cm2"',
    "topical": '"4 x topical growth_factor_serum 2 mg/cm2 10 min after needling every 30 days"',
}
_TREATMENT_LIST = ", ".join(TREATMENTS)
_EXPECTED_WORDS = {
    "COUNT": "a session count such as '4 x'",
    "NAME": f"a treatment ({_TREATMENT_LIST})",
    "QUANTITY": "a number with a unit such as '1.5 mm', '2 mL' or '30 days'",
    "NUMBER": "a number",
    "NO": "'no treatment'",
    "NONE": "'none'",
    "THEN": "'then'",
    "AT": "'at'",
    "DAY": "'day'",
    "FROM": "'from'",
    "EVERY": "'every'",
    "OVER": "'over'",
    "AFTER": "'after needling'",
    "NEEDLING": "'needling'",
    "OCCLUDED": "'occluded'",
    "PLANE": "'dermal' or 'subdermal'",
    "SEMI": "';' before the next phase",
    "$END": "the end of the text",
}
#: Settings that are words, not quantities, and the treatments that take them.
_NON_NUMERIC_TAKERS: dict[str, dict[str, float]] = {
    "occluded": {"topical": 0.0},
    "plane": {"hyaluronic_filler": 0.0},
}
_KIND_FIELD = {
    "length": "depth_mm",
    "volume": "volume_ml",
    "concentration": "concentration_mg_per_ml",
    "area": "area_cm2",
    "dose": "dose_mg_per_cm2",
}


@cache
def _parser() -> Lark:
    """The LALR parser; its tables are cached by Lark (keyed by the grammar's hash) so a fresh
    process skips building them (about 0.1 s)."""
    options: dict[str, Any] = {"parser": "lalr", "lexer": "contextual", "maybe_placeholders": False}
    try:
        return Lark(GRAMMAR, cache=True, **options)
    except OSError:  # an unwritable temporary folder: build the tables each time
        return Lark(GRAMMAR, **options)


def _error(got: str, column: int | None, expected: str, example: str = _EXAMPLE) -> ProtocolError:
    where = f" at column {column}" if column is not None else ""
    got_text = "end of text" if got == "" else shown_value(got)
    return ProtocolError(
        f"protocol string: unexpected {got_text}{where}; expected {expected}; for example {example}"
    )


def _describe(expected: set[str] | frozenset[str]) -> str:
    words = []
    if {"QUANTITY", "NAME"} <= set(expected):  # in a phase: keywords are lexed as NAME
        expected = set(expected) - {"NAME", "QUANTITY", "AT", "FROM", "EVERY", "OVER"}
        words.append("a setting such as '1.5 mm', '2 mL', 'every 30 days' or 'from day 14'")
    words += [_EXPECTED_WORDS.get(name, name) for name in sorted(expected)]
    if "NO" in expected:  # the whole-text alternatives are noise next to a phase
        words = [w for w in words if w not in (_EXPECTED_WORDS["NO"], _EXPECTED_WORDS["NONE"])]
        words.append("'no treatment'")
    return " or ".join(words) if words else "something else"


def _syntax_error(text: str, exc: UnexpectedInput) -> ProtocolError:
    if isinstance(exc, UnexpectedToken):
        token = exc.token
        if token.type == "$END":
            return _error("", None, _describe(exc.expected))
        return _error(str(token), token.column, _describe(exc.expected))
    if isinstance(exc, UnexpectedCharacters):
        rest = text[exc.pos_in_stream :]
        match = re.match(r"\S+", rest)
        got = match.group(0) if match else rest[:1]
        return _error(got, exc.column, _describe(exc.allowed or set()))
    return _error("", getattr(exc, "column", None), "a phase")


def parse_compact(text: str) -> tuple[Course, ...]:
    """Parse a compact protocol string into its courses.

    Parameters
    ----------
    text
        For example ``"3 x pn 2 mL at 1 mm every 4 weeks; then pn 2 mL at 1 mm at 6 months"``.

    Returns
    -------
    tuple of Course
        One course per phase, in the order written; empty for ``"no treatment"``.

    Raises
    ------
    ProtocolError
        With a one-line message for any syntax or value error.
    """
    if not isinstance(text, str):
        raise ProtocolError(
            f"protocol string: expected text, got {type(text).__name__} {text!r}; "
            f"for example {_EXAMPLE}"
        )
    if "\n" in text or "\r" in text:
        text = " ".join(text.splitlines())
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    except LarkError as exc:  # pragma: no cover - defensive
        message = " ".join(str(exc).split())
        raise _error(text, None, f"a valid protocol ({message})") from None
    if tree.data == "empty":
        return ()
    courses: list[Course] = []
    previous_interval: float | None = None
    for index, phase in enumerate(t for t in tree.children if isinstance(t, Tree)):
        course, interval = _read_phase(text, phase, index, courses, previous_interval)
        courses.append(course)
        previous_interval = interval
    return tuple(courses)


def _is_topical(word: str) -> bool:
    try:
        return resolve_treatment(word) == "topical"
    except ProtocolError:
        return False


def _tokens(tree: Tree) -> list[Token]:
    return [t for t in tree.scan_values(lambda v: isinstance(v, Token))]


def _quantity(token: Token) -> tuple[float, str]:
    try:
        return parse_quantity(str(token), field="quantity")
    except ProtocolError:
        raise _error(
            str(token),
            token.column,
            "a number with a known unit: days, weeks, months, years, mm, um, mL, mg/mL or cm2",
        ) from None


def _read_phase(
    text: str,
    phase: Tree,
    index: int,
    previous: list[Course],
    previous_interval: float | None,
) -> tuple[Course, float | None]:
    then: Token | None = None
    count: Token | None = None
    treatment_tree: Tree | None = None
    settings: list[Tree] = []
    for child in phase.children:
        if isinstance(child, Tree):
            if child.data == "treatment":
                treatment_tree = child
            else:
                settings.append(child)
        elif child.type == "THEN":
            then = child
        elif child.type == "COUNT":
            count = child
    assert treatment_tree is not None

    name_tokens = [t for t in treatment_tree.children if isinstance(t, Token)]
    name = " ".join(str(t) for t in name_tokens)
    product: str | None = None
    if len(name_tokens) == 2 and _is_topical(str(name_tokens[0])):
        product = str(name_tokens[1]).lower()
        if product not in bundled_products():
            names = ", ".join(bundled_products())
            close = difflib.get_close_matches(product, list(bundled_products()), n=1, cutoff=0.6)
            hint = f", did you mean {close[0]!r}?" if close else ""
            raise _error(
                product,
                name_tokens[1].column,
                f"a bundled product ({names}) or a setting{hint}",
                _EXAMPLES["topical"],
            )
        name = str(name_tokens[0])
    try:
        treatment = resolve_treatment(name)
    except ProtocolError:
        first = name_tokens[0]
        try:  # a treatment followed by a stray word: point at the stray word
            resolve_treatment(str(first))
        except ProtocolError:
            pass
        else:
            raise _error(
                str(name_tokens[1]), name_tokens[1].column, "a setting such as '1.5 mm'"
            ) from None
        candidates = [*TREATMENTS, *TREATMENT_ALIASES]
        close = difflib.get_close_matches(name.lower(), candidates, n=1, cutoff=0.6)
        hint = f", did you mean {TREATMENT_ALIASES.get(close[0], close[0])!r}?" if close else ""
        raise _error(name, first.column, f"a treatment ({_TREATMENT_LIST}){hint}") from None
    example = _EXAMPLES[treatment]

    values: dict[str, Any] = {"treatment": treatment}
    if product is not None:
        values["product"] = product
    seen: dict[str, Token] = {}
    if count is not None:
        digits = re.match(r"\d+", str(count)).group(0)  # type: ignore[union-attr]
        if len(digits) > 6:  # before int(): thousands of digits exceed Python's int limit
            allowed = f"a whole number from 1 to {MAX_SESSIONS}"
            raise ProtocolError(
                "protocol string: " + invalid_value("sessions", digits, allowed, "sessions = 4")
            )
        values["sessions"] = int(digits)

    def put(field: str, value: float | str, token: Token, noun: str) -> None:
        if field in seen:
            before = seen[field]
            raise _error(
                str(token),
                token.column,
                f"one {noun} per phase ({str(before)!r} at column {before.column} already "
                f"gives it)",
                example,
            )
        setting = SETTINGS.get(field)
        takers_of = setting.defaults if setting is not None else _NON_NUMERIC_TAKERS.get(field, {})
        if (setting is not None or field in _NON_NUMERIC_TAKERS) and treatment not in takers_of:
            takers = ", ".join(t for t in TREATMENTS if t in takers_of)
            raise _error(
                str(token),
                token.column,
                f"no {noun} for {treatment} ({noun} applies to {takers})",
                example,
            )
        seen[field] = token
        values[field] = value

    for setting_tree in settings:
        kind_of = setting_tree.data
        toks = [t for t in setting_tree.children if isinstance(t, Token)]
        last = toks[-1]
        if kind_of in ("at_day", "from_day"):
            put("start_day", to_days(str(last), field="day"), toks[0], "start")
            continue
        if kind_of == "occluded":
            put("occluded", True, last, "occlusion")
            continue
        if kind_of == "plane":
            put("plane", str(last).lower(), last, "plane")
            continue
        if kind_of == "after_needling":
            delay = toks[0]
            if _quantity(delay)[1] != "time":
                raise _error(str(delay), delay.column, "a time before 'after needling'", example)
            put("minutes_after_needling", to_minutes(str(delay)), delay, "delay after needling")
            continue
        value, kind = _quantity(last)
        if kind_of == "every":
            if kind != "time":
                raise _error(str(last), last.column, "a time after 'every'", example)
            put("interval_days", value, toks[0], "interval")
        elif kind_of == "from_quantity":
            if kind != "time":
                raise _error(str(last), last.column, "a time after 'from'", example)
            put("start_day", value, toks[0], "start")
        elif kind_of == "at_quantity":
            if kind == "time":
                put("start_day", value, toks[0], "start")
            elif kind == "length":
                put("depth_mm", value, last, "depth")
            else:
                raise _error(str(last), last.column, "a depth or a time after 'at'", example)
        elif kind_of == "over":
            if kind != "area":
                raise _error(str(last), last.column, "an area such as '10 cm2'", example)
            put("area_cm2", value, last, "area")
        elif kind == "time":
            raise _error(str(last), last.column, "'every', 'from' or 'at' before a time", example)
        elif kind in _KIND_FIELD:
            field = _KIND_FIELD[kind]
            put(field, value, last, SETTINGS[field].noun)
        else:
            raise _error(
                str(last), last.column, "a depth, volume, concentration, dose or area", example
            )

    if then is not None and index == 0:
        raise _error(str(then), then.column, "a first phase without 'then'", example)
    if then is not None and "start_day" not in values:
        before = previous[-1]
        if previous_interval is None:
            raise _error(
                str(then),
                then.column,
                "'at' or 'from' to start this phase, as the previous phase has no 'every'",
                '"microneedling 1.5 mm; then microneedling 1.5 mm at 4 weeks"',
            )
        values["start_day"] = before.session_days()[-1] + previous_interval

    tokens = _tokens(phase)
    phase_text = text[tokens[0].start_pos : tokens[-1].end_pos]
    try:
        course = make_course(where=f"course[{index}]", **values)
    except ProtocolError as exc:
        shown = shown_value(phase_text)
        raise ProtocolError(f"protocol string, phase {index + 1} {shown}: {exc}") from None
    return course, values.get("interval_days")
