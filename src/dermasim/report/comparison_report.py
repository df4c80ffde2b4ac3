"""The course report: one or more protocols for one patient, as one self-contained HTML file.

Written by ``dermasim simulate --report`` (one protocol) and ``dermasim compare --report``
(several, with paired differences from the first). Sections, in order: the patient and her
skin at the site; the screen of each protocol's settings; the endpoint at 3, 6, 12 and 24
months with the paired differences; the figure; downtime per session; the evidence behind the
numbers; what is assumed; the disclaimer.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..plan.candidacy import screen_courses
from ..plan.compare import Comparison
from ..plotting import plain_label, plot_panels
from .common import interval, parameter_evidence, patient_assumptions, patient_rows, skin
from .render import embed_figure, render, write_html

__all__ = ["COURSE_SECTIONS", "comparison_report_html", "write_comparison_report"]

#: Ids of the course report's sections, in order.
COURSE_SECTIONS = (
    "patient",
    "screen",
    "results",
    "figures",
    "downtime",
    "evidence",
    "assumptions",
    "disclaimer",
)


def _results(comparison: Comparison, data: dict[str, Any]) -> list[dict[str, Any]]:
    endpoint = data["endpoint"]
    out = []
    for row in data["rows"]:
        if row["status"] != "simulated":
            out.append({"protocol": row["protocol"], "blocked": row["reason"]})
            continue
        out.append(
            {
                "protocol": row["protocol"],
                "compact": row["compact"],
                "blocked": None,
                "cells": [interval(c) for c in row[endpoint].values()],
                "paired": [
                    f"{interval(c)}, P = {c['p_better']:.2f}"
                    for c in row.get("vs_reference", {}).values()
                ],
                "downtime": interval(row["downtime_days"]),
            }
        )
    return out


def _downtime(comparison: Comparison) -> list[dict[str, Any]]:
    out = []
    for label, sol in comparison.solutions.items():
        medians = np.median(sol.downtime, axis=0) if sol.downtime.size else []
        out.append(
            {
                "label": label,
                "sessions": [
                    {"day": f"{d:g}", "days": f"{m:.1f}"}
                    for d, m in zip(sol.session_days, medians, strict=True)
                ],
            }
        )
    return out


def comparison_report_html(comparison: Comparison, *, created: dt.datetime | None = None) -> str:
    """The report of a comparison (or of one simulated protocol) as one HTML document."""
    data = comparison.to_json_dict()
    patient = comparison.patient
    labels = list(comparison.protocols)
    title = f"{patient.describe()}: " + (labels[0] if len(labels) == 1 else "a comparison")
    screens = [
        {"protocol": label, **screen_courses(patient, protocol.courses).to_dict()}
        for label, protocol in comparison.protocols.items()
    ]
    figure = plot_panels(
        comparison.solutions,
        endpoint=comparison.endpoint,
        days=comparison.report_days,
        title=patient.describe(),
    )
    return render(
        "comparison.html",
        title=title,
        created=(created or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        data=data,
        who=patient.describe(),
        patient=patient_rows(patient),
        skin=skin(patient),
        screens=screens,
        label=plain_label(comparison.endpoint),
        columns=list(comparison.report_days),
        results=_results(comparison, data),
        figure=embed_figure(figure),
        downtime=_downtime(comparison),
        evidence=None
        if comparison.parameters is None
        else parameter_evidence(comparison.parameters),
        assumptions=patient_assumptions(patient),
    )


def write_comparison_report(comparison: Comparison, path: str | os.PathLike[str]) -> Path:
    """Write the comparison's report to ``path`` (atomically) and return the path."""
    return write_html(path, comparison_report_html(comparison))
