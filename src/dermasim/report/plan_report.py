"""The plan report: one self-contained HTML file to hand to a patient or a colleague.

Sections, in order: the patient and her skin at the site; the candidacy screen; the concern
and how it is measured; the baselines and plans; two figures (the plans' gains and downtime,
and the time course of no treatment, the standard course and plan 1); downtime per session;
the evidence behind the numbers; what is assumed; the method and provenance; the disclaimer.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..plan.result import Plan, evidence_notes
from ..plotting import plain_label, plot_comparison, plot_plan
from ..references import load_evidence
from ..simulation import Simulation
from .common import interval, parameter_evidence, patient_assumptions, patient_rows, skin
from .render import embed_figure, render, write_html

__all__ = ["SECTIONS", "plan_report_html", "write_plan_report"]

#: Ids of the report's sections, in order (each is an ``<section id=...>``).
SECTIONS = (
    "patient",
    "screen",
    "concern",
    "plans",
    "figures",
    "downtime",
    "evidence",
    "assumptions",
    "method",
    "disclaimer",
)


def _rows(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for base in data["baselines"]:
        blocked = "gain" not in base
        out.append(
            {
                "label": base["name"],
                "protocol": base["protocol"],
                "sessions": "-" if blocked else base["sessions"],
                "downtime": "-" if blocked else interval(base["downtime_days"]),
                "total": "-" if blocked else interval(base["total_downtime_days"]),
                "gain": "not a candidate: " + "; ".join(base["screen"]["reasons"])
                if blocked
                else interval(base["gain"]),
                "vs_standard": "-",
                "p_better": "-",
                "tie": "",
                "notes": [] if blocked else base["screen"]["reasons"],
                "baseline": True,
            }
        )
    for row in data["plans"]:
        vs = row["vs_standard"]
        out.append(
            {
                "label": f"plan {row['rank']}",
                "protocol": row["protocol"],
                "sessions": row["sessions"],
                "downtime": interval(row["downtime_days"]),
                "total": interval(row["total_downtime_days"]),
                "gain": interval(row["gain"]),
                "vs_standard": interval(vs),
                "p_better": "-" if vs is None else f"{vs['p_better']:.2f}",
                "tie": "cannot be told apart from plan 1"
                if row["rank"] > 1 and row["indistinguishable_from_best"]
                else "",
                "notes": row["screen"]["reasons"] + row["evidence"],
                "baseline": False,
            }
        )
    return out


def _footnotes(rows: list[dict[str, Any]]) -> list[str]:
    """Replace each row's notes by footnote numbers; return the footnotes in order.

    A note that every course shares (a caution about the patient) becomes one footnote
    shared by all rows."""
    notes: list[str] = []
    for row in rows:
        marks = []
        for note in row["notes"]:
            if note not in notes:
                notes.append(note)
            marks.append(notes.index(note) + 1)
        row["marks"] = marks
    return notes


def _downtime_by_session(plan: Plan) -> list[dict[str, Any]]:
    """Median days of redness after each session day of the baselines and plans."""
    import numpy as np

    out = []
    named = [("standard", plan.standard)] if plan.standard is not None else []
    named += [(f"plan {k}", e) for k, e in enumerate(plan.plans, start=1)]
    for label, evaluation in named:
        days = sorted(
            {float(s.day) for s in evaluation.protocol.sessions() if s.day < plan.horizon_days}
        )
        medians = np.median(evaluation.downtime, axis=0) if evaluation.downtime.size else []
        out.append(
            {
                "label": label,
                "sessions": [
                    {"day": f"{d:g}", "days": f"{m:.1f}"}
                    for d, m in zip(days, medians, strict=True)
                ],
            }
        )
    return out


def _evidence(plan: Plan, data: dict[str, Any]) -> dict[str, Any]:
    rows = {r["id"]: r for r in load_evidence("clinical_endpoints")}
    concern_rows = [
        {
            "id": key,
            "study": rows[key]["study"],
            "endpoint": rows[key]["endpoint"],
            "timepoint": rows[key]["timepoint"],
            "status": rows[key]["status"],
        }
        for key in plan.concern.rows
        if key in rows
    ]
    return {
        "rows": concern_rows,
        **parameter_evidence(plan.parameters),
        "treatment_notes": evidence_notes(data),
    }


def _assumptions(plan: Plan) -> list[str]:
    return [
        "The concern is scored by one model endpoint, the one through which the calibration "
        f"reads its evidence rows: {plan.concern.note}.",
        f"Standard course: {plan.concern.standard_source}.",
        "A depth above 0.9 of the skin's thickness is flagged as beyond the usual range "
        "(assumed); deeper than the skin is refused.",
        *patient_assumptions(plan.patient),
    ]


def _time_course_figure(plan: Plan, progress: Callable[[int, int], None] | None) -> str | None:
    """No treatment, the standard course and plan 1 over the horizon, as a data URI."""
    chosen = [("no treatment", plan.none)]
    if plan.standard is not None:
        chosen.append(("standard", plan.standard))
    if plan.plans:
        chosen.append(("plan 1", plan.plans[0]))
    solutions = {}
    for k, (label, evaluation) in enumerate(chosen):
        if progress is not None:
            progress(k, len(chosen))
        solutions[label] = Simulation(
            protocol=evaluation.protocol, patient=plan.patient, parameters=plan.parameters
        ).run(days=plan.horizon_days, draws=plan.draws, seed=plan.seed)
    if progress is not None:
        progress(len(chosen), len(chosen))
    fig = plot_comparison(solutions, endpoint=plan.concern.endpoint, title=plan.patient.describe())
    return embed_figure(fig)


def plan_report_html(
    plan: Plan,
    *,
    created: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> str:
    """The report of a plan as one HTML document (figures embedded).

    ``progress(done, total)`` is called before and after each of the time-course simulations
    behind the figure (no treatment, the standard course, plan 1); it may raise to stop.
    """
    data = plan.to_json_dict()
    title = f"{plan.patient.describe()}: {plan.concern.name.replace('_', ' ')}"
    rows = _rows(data)
    footnotes = _footnotes(rows)
    return render(
        "plan.html",
        title=title,
        created=(created or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        data=data,
        patient=patient_rows(plan.patient),
        skin=skin(plan.patient),
        who=plan.patient.describe(),
        label=plain_label(plan.concern.endpoint),
        rows=rows,
        footnotes=footnotes,
        plan_figure=embed_figure(plot_plan({**data, "title": title})),
        course_figure=_time_course_figure(plan, progress),
        downtime=_downtime_by_session(plan),
        evidence=_evidence(plan, data),
        assumptions=_assumptions(plan),
        left_out=data["search_space"]["left_out"],
    )


def write_plan_report(plan: Plan, path: str | os.PathLike[str]) -> Path:
    """Write the plan's report to ``path`` (atomically) and return the path."""
    return write_html(path, plan_report_html(plan))
