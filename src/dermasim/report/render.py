"""Rendering: Jinja2 templates shipped with the package, and figures embedded as data URIs.

A report is one HTML file with nothing outside it: styles inline, figures as base64 PNG
``data:`` URIs, no script and no link to fetch. It prints to PDF from any browser.
"""

from __future__ import annotations

import base64
import io
import logging
import os
from pathlib import Path
from typing import Any

from ..storage import atomic_write

logger = logging.getLogger("dermasim")

__all__ = ["embed_figure", "render", "write_html"]


def _environment() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    return Environment(
        loader=PackageLoader("dermasim.report", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,  # a missing value is an error, never an empty cell
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(template: str, **context: Any) -> str:
    """The named template rendered with ``context``."""
    return str(_environment().get_template(template).render(**context))


def embed_figure(fig: Any, dpi: int = 110) -> str:
    """A matplotlib figure as a ``data:image/png;base64,...`` URI; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def write_html(path: str | os.PathLike[str], html: str) -> Path:
    """Write ``html`` to ``path`` atomically (UTF-8)."""
    written = atomic_write(path, lambda tmp: Path(tmp).write_text(html, encoding="utf-8"))
    logger.info("wrote the report %s (%d kB)", written, len(html.encode("utf-8")) // 1024)
    return written
