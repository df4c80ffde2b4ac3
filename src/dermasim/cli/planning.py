"""The practitioner's commands: ``dermasim plan``, ``dermasim screen`` and ``dermasim report``.

Registered on the ``dermasim`` app by :mod:`dermasim.cli`; thin shells over
:func:`dermasim.plan.plan` and :func:`dermasim.plan.screen`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .options import DISCLAIMER, JsonOption, load_patient
from .support import check_report_path, console, finish, parse_days, progress_bar

__all__ = ["register"]

PatientArgument = Annotated[
    Path | None,
    typer.Argument(help="Patient TOML file (default: female, 45, cheek, non-smoker)."),
]


def _q(q: dict[str, float] | None, digits: int = 1) -> str:
    if q is None:
        return "-"
    return f"{q['median']:.{digits}f} [{q['p05']:.{digits}f}, {q['p95']:.{digits}f}]"


def plan(
    patient: PatientArgument = None,
    *,
    concern: Annotated[
        str,
        typer.Option(
            "--concern",
            help="fine_lines, laxity, acne_scars, texture, volume_loss or dullness.",
        ),
    ],
    max_sessions: Annotated[
        int | None, typer.Option("--max-sessions", help="At most this many session days.")
    ] = None,
    max_downtime_days: Annotated[
        float | None,
        typer.Option("--max-downtime-days", help="Bound on the median downtime per session."),
    ] = None,
    horizon: Annotated[
        str, typer.Option("--horizon", help="When the gain is read, e.g. 12mo, 6 months, 365.")
    ] = "12 months",
    treatments: Annotated[
        str | None,
        typer.Option(
            "--treatments", help="Comma-separated treatments to use (default: all allowed)."
        ),
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Longest short list (1 to 20).")] = 8,
    draws: Annotated[int, typer.Option("--draws", help="Parameter draws.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the parameter draws.")] = 0,
    parameters: Annotated[
        str, typer.Option("--parameters", help="'posterior', 'prior', or a .npz file.")
    ] = "posterior",
    json_out: JsonOption = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write the plan as one self-contained HTML file."),
    ] = None,
) -> None:
    """Plan a course for a patient's concern: the screen, two baselines and a Pareto short
    list with P(better than the standard course)."""
    from ..plan import plan as run_plan

    if report is not None:
        check_report_path(report)
    person = load_patient(patient)
    with progress_bar("simulating courses", unit="courses") as step:
        result = run_plan(
            person,
            concern,
            horizon=horizon,
            max_sessions=max_sessions,
            max_downtime_days=max_downtime_days,
            treatments=treatments,
            top=top,
            draws=draws,
            seed=seed,
            parameters=parameters,
            progress=step,
        )
    payload = result.to_json_dict()
    if report is not None:
        from ..report import write_plan_report

        write_plan_report(result, report)
    finish(payload, json_out, lambda: _print_plan(payload, person.describe()), report)


def _print_screen(show: Any, rows: list[dict[str, Any]]) -> None:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title="candidacy screen", title_justify="left")
    table.add_column("treatment")
    table.add_column("status")
    table.add_column("reasons")
    for row in rows:
        reasons = "; ".join(row["reasons"]) or "-"
        if row.get("max_depth_mm") is not None:
            reasons += f" (deepest setting at this site: {row['max_depth_mm']:.2f} mm)"
        table.add_row(row["treatment"], row["status"], escape(reasons))
    show.print(table)


def _print_plan(payload: dict[str, Any], who: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ..plan.result import evidence_notes

    show = console()
    detail = payload["concern_detail"]
    show.print(
        escape(
            f"plan for {who}: {payload['concern']}, scored by {detail['endpoint']} "
            f"({detail['unit']}, {detail['better']} is better) at day "
            f"{payload['horizon_days']:g}"
        )
    )
    _print_screen(show, payload["screen"])
    table = Table(
        title="baselines and plans (median [5th, 95th percentile] over paired draws)",
        title_justify="left",
    )
    for name in (
        "#",
        "course",
        "sessions",
        "downtime/session (d)",
        "total downtime (d)",
        f"{detail['endpoint']} ({detail['unit']})",
        "vs standard",
        "P(better than standard)",
    ):
        table.add_column(name, justify="left" if name == "course" else "right")
    for base in payload["baselines"]:
        if "gain" not in base:
            table.add_row(
                base["name"], escape(base["protocol"]), "-", "-", "-",
                escape("not a candidate: " + "; ".join(base["screen"]["reasons"])), "-", "-",
            )  # fmt: skip
            continue
        table.add_row(
            base["name"], escape(base["protocol"]), str(base["sessions"]),
            _q(base["downtime_days"]), _q(base["total_downtime_days"]), _q(base["gain"]),
            "-", "-",
        )  # fmt: skip
    for row in payload["plans"]:
        vs = row["vs_standard"]
        mark = "" if row["rank"] == 1 or not row["indistinguishable_from_best"] else " ~1"
        table.add_row(
            f"{row['rank']}{mark}", escape(row["protocol"]), str(row["sessions"]),
            _q(row["downtime_days"]), _q(row["total_downtime_days"]), _q(row["gain"]),
            _q(vs), "-" if vs is None else f"{vs['p_better']:.2f}",
        )  # fmt: skip
    show.print(table)
    space = payload["search_space"]
    left = ", ".join(f"{n} {why}" for why, n in space["left_out"].items()) or "none"
    show.print(f"searched {space['evaluated']} courses; left out: {escape(left)}")
    if any(r["indistinguishable_from_best"] and r["rank"] > 1 for r in payload["plans"]):
        show.print("~1: cannot be told apart from plan 1 within the uncertainty")
    for note in payload["notes"]:
        show.print(escape(f"note: {note}"))
    for note in evidence_notes(payload):
        show.print(escape(f"evidence: {note}"))
    prov = payload["provenance"]
    show.print(
        f"{prov['draws']} draws, seed {prov['seed']}, parameters {prov['parameters']}, "
        f"dermasim {prov['version']}"
    )
    show.print(DISCLAIMER)


def screen(
    patient: PatientArgument = None,
    protocol: Annotated[
        str | None,
        typer.Option("--protocol", help="Also screen this protocol's settings (depths)."),
    ] = None,
    json_out: JsonOption = False,
) -> None:
    """Screen a patient for each treatment: contraindications, cautions and depth limits."""
    from ..plan import screen_report
    from ..protocol import Protocol

    person = load_patient(patient)
    payload = screen_report(person, None if protocol is None else Protocol.load(protocol))
    rows = payload["screen"]
    if json_out:
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    show = console()
    from rich.markup import escape

    show.print(escape(f"screen for {person.describe()}"))
    _print_screen(show, rows)
    if protocol is not None:
        checked = payload["protocol"]
        show.print(escape(f"{checked['compact']}: {checked['status']}"))
        for reason in checked["reasons"]:
            show.print(escape(f"  {reason}"))
    show.print(DISCLAIMER)


def report(
    protocols: Annotated[
        list[str] | None,
        typer.Argument(help="Protocols to report on (none: the bundled set); not with --concern."),
    ] = None,
    *,
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write (FILE.html).")],
    patient: Annotated[
        Path | None, typer.Option("--patient", "-p", help="Patient TOML file.")
    ] = None,
    concern: Annotated[
        str | None,
        typer.Option("--concern", help="Plan for this concern instead (as dermasim plan)."),
    ] = None,
    days_text: Annotated[
        str, typer.Option("--days", help="Horizon of a comparison: days or a duration.")
    ] = "730",
    draws: Annotated[int, typer.Option("--draws", help="Parameter draws.")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the parameter draws.")] = 0,
    parameters: Annotated[
        str, typer.Option("--parameters", help="'posterior', 'prior', or a .npz file.")
    ] = "posterior",
) -> None:
    """Write one self-contained HTML report: of a plan (--concern) or of the protocols."""
    from ..errors import SimulationError, invalid_value

    check_report_path(out)
    person = load_patient(patient)
    if concern is not None:
        if protocols:
            raise SimulationError(
                invalid_value(
                    "PROTOCOL",
                    " ".join(protocols),
                    "no protocols with --concern (the planner chooses them)",
                    "dermasim report -p patient.toml --concern fine_lines --out plan.html",
                )
            )
        from ..plan import plan as run_plan
        from ..report import write_plan_report

        with progress_bar("simulating courses", unit="courses") as step:
            result = run_plan(
                person, concern, draws=draws, seed=seed, parameters=parameters, progress=step
            )
        write_plan_report(result, out)
    else:
        from ..plan.compare import compare_protocols
        from ..report import write_comparison_report

        comparison = compare_protocols(
            protocols or None,
            person,
            days=parse_days(days_text),
            draws=draws,
            seed=seed,
            parameters=parameters,
        )
        write_comparison_report(comparison, out)
    console().print(f"wrote {out}")


def register(app: typer.Typer) -> None:
    """Add the practitioner's commands to the ``dermasim`` app."""
    app.command()(plan)
    app.command()(screen)
    app.command()(report)
