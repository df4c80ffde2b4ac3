"""Telling a file path from inline text, safely (one place for every reader)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["existing_file", "looks_like_path"]

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
