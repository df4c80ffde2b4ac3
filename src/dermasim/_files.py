"""Telling a file path from inline text, and reading text and TOML files, safely (one place
for every reader)."""

from __future__ import annotations

import errno
import re
import tomllib
from pathlib import Path
from typing import Any

__all__ = ["existing_file", "loads_toml", "looks_like_path", "read_text", "toml_problem"]

_MAX_PATH = 4096


def existing_file(text: str) -> Path | None:
    """The path ``text`` names if it is one line naming an existing file, else None.

    Never raises: over-long names, names with NUL bytes or unreadable folders give None.
    """
    text = text.strip()
    if not text or "\n" in text or "=" in text or len(text) > _MAX_PATH:
        return None
    try:
        path = Path(text)
        return path if path.is_file() else None
    except (OSError, ValueError):
        return None


def looks_like_path(text: str, suffix: str = ".toml") -> Path | None:
    """Like :func:`existing_file`, but a one-line name ending in ``suffix`` counts too.

    So that a missing ``plan.toml`` is reported as a missing file, not parsed as text.
    """
    found = existing_file(text)
    if found is not None:
        return found
    stripped = text.strip()
    if stripped.endswith(suffix) and "\n" not in stripped and len(stripped) <= _MAX_PATH:
        return Path(stripped)
    return None


def read_text(path: Path) -> str:
    """The UTF-8 text of a regular file; a byte-order mark (as Windows Notepad writes) is
    dropped.

    Raises
    ------
    OSError
        Also for a path that exists but is not a regular file (a folder, a FIFO, which would
        otherwise block the reader), with ``strerror`` "not a regular file".
    UnicodeDecodeError
        For bytes that are not UTF-8.
    """
    if path.exists() and not path.is_file():
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    return path.read_bytes().decode("utf-8-sig")


def loads_toml(text: str) -> dict[str, Any]:
    """:func:`tomllib.loads` after dropping a leading byte-order mark; nesting too deep for
    the parser, and integers past Python's 4300-digit limit, are a
    :class:`tomllib.TOMLDecodeError` like any other syntax error."""
    try:
        return tomllib.loads(text.removeprefix("\ufeff"))
    except RecursionError:
        raise tomllib.TOMLDecodeError("tables or arrays nested too deeply") from None
    except ValueError as exc:  # Python's 4300-digit limit on reading an integer
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise
        raise tomllib.TOMLDecodeError("an integer of more than 4300 digits") from None


def toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    """A TOML syntax error as ``line 2, column 14: illegal character '\\n'`` (one line)."""
    text = " ".join(str(exc).split())
    found = re.search(r"^(.*?)\s*\(at line (\d+), column (\d+)\)$", text)
    if found is None:
        return text
    reason, line, column = found.groups()
    return f"line {line}, column {column}: {reason[:1].lower()}{reason[1:]}"
