"""Bundled references (BibTeX) and evidence tables.

``dermasim/data/references.bib`` and ``dermasim/data/evidence/*.csv`` are copies of the
project's gathered evidence (see ``data/evidence/SOURCE.md``); rows citing a study the shared
bibliography lacks are cited from ``data/evidence/row_citations.bib``. The BibTeX reader is a small
brace-matching scanner: enough for the flat ``@type{key, field={...}, ...}`` entries shipped
here, including nested braces and ``"..."`` values.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib import resources

from dermasim.errors import DermasimError, invalid_value

__all__ = [
    "EVIDENCE_TABLES",
    "UnknownReferenceError",
    "bib_fields",
    "format_plain",
    "load_evidence",
    "load_references",
]

EVIDENCE_TABLES: tuple[str, ...] = ("physiology", "clinical_endpoints")
"""Names of the shipped evidence tables (``data/evidence/<name>.csv``)."""


class UnknownReferenceError(DermasimError, KeyError):
    """An unknown reference key or evidence table."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def _read_data(relative: str) -> str:
    return resources.files("dermasim").joinpath(relative).read_text(encoding="utf-8")


def _scan_entries(text: str) -> dict[str, str]:
    """Split BibTeX text into ``key -> raw entry`` by matching braces."""
    entries: dict[str, str] = {}
    i, n = 0, len(text)
    while True:
        at = text.find("@", i)
        if at < 0:
            break
        open_ = text.find("{", at)
        if open_ < 0:
            break
        kind = text[at + 1 : open_].strip().lower()
        depth = 0
        j = open_
        while j < n:
            ch = text[j]
            if ch == "\\":
                j += 2
                continue
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        raw = text[at : j + 1]
        i = j + 1
        if kind in {"comment", "preamble", "string"}:
            continue
        key = text[open_ + 1 : j].split(",", 1)[0].strip()
        if key:
            entries[key] = raw
    return entries


ROW_CITATIONS = "data/evidence/row_citations.bib"
"""Entries for evidence rows whose study the shared ``references.bib`` lacks, each built only
from what that row's own note gives (see the file's header)."""


@cache
def _references() -> dict[str, str]:
    entries = _scan_entries(_read_data("data/references.bib"))
    for key, raw in _scan_entries(_read_data(ROW_CITATIONS)).items():
        entries.setdefault(key, raw)
    return entries


def load_references() -> dict[str, str]:
    """Every bundled BibTeX entry.

    Returns
    -------
    dict
        Citation key -> raw entry text (``@article{Key, ...}``).
    """
    return dict(_references())


def _split_fields(body: str) -> list[str]:
    """Split an entry body at top-level commas."""
    parts: list[str] = []
    depth = 0
    quoted = False
    start = 0
    for k, ch in enumerate(body):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "," and depth == 0 and not quoted:
            parts.append(body[start:k])
            start = k + 1
    parts.append(body[start:])
    return parts


def _strip_value(value: str) -> str:
    value = value.strip()
    if (value.startswith("{") and value.endswith("}")) or (
        value.startswith('"') and value.endswith('"')
    ):
        value = value[1:-1]
    value = value.replace("{", "").replace("}", "")
    return " ".join(value.split())


def bib_fields(key: str) -> dict[str, str]:
    """Fields of one entry, braces removed.

    Parameters
    ----------
    key
        Citation key in ``references.bib``.

    Returns
    -------
    dict
        Lower-case field name -> value; ``"ENTRYTYPE"`` and ``"ID"`` are added.

    Raises
    ------
    UnknownReferenceError
        If the key is unknown.
    """
    raw = _lookup(key)
    open_ = raw.index("{")
    body = raw[open_ + 1 : raw.rstrip().rindex("}")]
    parts = _split_fields(body)
    out: dict[str, str] = {"ENTRYTYPE": raw[1:open_].strip().lower(), "ID": parts[0].strip()}
    for part in parts[1:]:
        if "=" not in part:
            continue
        name, value = part.split("=", 1)
        out[name.strip().lower()] = _strip_value(value)
    return out


def _lookup(key: str) -> str:
    refs = _references()
    if key not in refs:
        raise UnknownReferenceError(
            invalid_value("reference key", key, "a key of references.bib", '"Aust2008"')
        )
    return refs[key]


def _authors(field: str) -> str:
    names = [a.strip() for a in field.split(" and ") if a.strip()]
    if not names:
        return ""
    first = names[0]
    if "," in first:
        last, given = (s.strip() for s in first.split(",", 1))
        first = f"{last} {given}" if given else last
    if len(names) > 1:
        return f"{first} et al."
    return first


def format_plain(key: str) -> str:
    """Plain-text citation of one entry.

    Parameters
    ----------
    key
        Citation key in ``references.bib``.

    Returns
    -------
    str
        E.g. ``"Aust M. C. et al. (2008). Percutaneous collagen induction therapy: ...
        Plastic and Reconstructive Surgery 121(4):1421-1429. doi:10.1097/..."``. Missing
        fields are left out, and an article without its title or journal says so
        (``"[title not recorded in dermasim's evidence]"``); entries with neither author nor
        title use the key.

    Raises
    ------
    UnknownReferenceError
        If the key is unknown.
    """
    f = bib_fields(key)
    head = _authors(f.get("author", "")) or key
    if "year" in f:
        head += f" ({f['year']})"
    parts = [head + "."]
    if "title" in f:
        title = f["title"]
        parts.append(title if title.endswith((".", "?", "!")) else title + ".")
    venue = f.get("journal", "")
    if "volume" in f:
        venue = f"{venue} {f['volume']}".strip()
        if "number" in f:
            venue += f"({f['number']})"
    if "pages" in f:
        pages = f["pages"].replace("--", "-")
        venue = f"{venue}:{pages}" if venue else pages
    if venue:
        parts.append(venue + ".")
    if "doi" in f:
        parts.append(f"doi:{f['doi']}")
    if "note" in f:
        parts.append(f"[{f['note']}]")
    missing = [
        name for name in _ARTICLE_FIELDS if f.get("ENTRYTYPE") == "article" and name not in f
    ]
    if missing:  # said, not hidden: the evidence does not record them and none is made up
        parts.append(f"[{' and '.join(missing)} not recorded in dermasim's evidence]")
    return " ".join(parts)


#: The fields an article's citation needs to be found; a missing one is named in its text.
_ARTICLE_FIELDS = ("title", "journal")


def load_evidence(table: str) -> list[dict[str, str]]:
    """Rows of a shipped evidence table.

    Parameters
    ----------
    table
        ``"physiology"`` or ``"clinical_endpoints"`` (a ``.csv`` suffix is allowed).

    Returns
    -------
    list of dict
        One dict per row, column name -> text (read with :mod:`csv`).

    Raises
    ------
    UnknownReferenceError
        If the table is unknown.
    """
    name = table.removesuffix(".csv") if isinstance(table, str) else table
    if name not in EVIDENCE_TABLES:
        raise UnknownReferenceError(
            invalid_value(
                "evidence table", table, "one of " + ", ".join(EVIDENCE_TABLES), '"physiology"'
            )
        )
    text = _read_data(f"data/evidence/{name}.csv")
    return [dict(row) for row in csv.DictReader(io.StringIO(text, newline=""))]
