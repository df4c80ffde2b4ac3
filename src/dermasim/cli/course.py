"""The course commands: ``simulate``, ``compare``, ``protocols`` and ``cite``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import SimulationError, invalid_value
from .options import (
    DISCLAIMER,
    DaysOption,
    DrawsOption,
    JsonOption,
    OutOption,
    ParametersOption,
    PatientOption,
    ReportOption,
    SeedOption,
    format_interval,
    load_patient,
)
from .support import check_out as _check_out
from .support import check_report_path as _check_report_path
from .support import command_line
from .support import console as _console
from .support import finish as _finish
from .support import parse_at as _parse_at
from .support import parse_days as _parse_days
from .support import write_json as _write_json

__all__ = ["register"]


def simulate(
    protocol: Annotated[
        str,
        typer.Argument(
            help="A TOML file, a bundled protocol name or a compact string such as "
            '"4 x microneedling 1.5 mm every 30 days".'
        ),
    ],
    patient: PatientOption = None,
    days_text: DaysOption = "730",
    at: Annotated[
        str | None, typer.Option("--at", help="Comma-separated report days, e.g. 0,30,120,180.")
    ] = None,
    draws: DrawsOption = 200,
    seed: SeedOption = 0,
    parameters: ParametersOption = "posterior",
    json_out: JsonOption = False,
    out: OutOption = None,
    report_path: ReportOption = None,
) -> None:
    """Simulate one protocol for one patient: endpoints as median and 5-95% interval."""
    from ..protocol import Protocol
    from ..simulation import simulate as run_simulation
    from ..solution import report_days

    days = _parse_days(days_text)
    _check_out(out, files=("simulation.*",))
    if report_path is not None:
        _check_report_path(report_path)
    proto = Protocol.load(protocol)
    person = load_patient(patient)
    report = _parse_at(at, days)
    sol = run_simulation(
        proto, person, days=days, draws=draws, seed=seed, at=report, parameters=parameters
    )
    payload = sol.to_json_dict(at=report_days(days, report), protocol=proto)
    if out is not None:
        import matplotlib.pyplot as plt

        from ..storage import OutputSet

        with OutputSet(out, "simulation") as staged:
            sol.to_netcdf(staged / "simulation.nc", history=command_line())
            _write_json(staged / "simulation.json", payload)
            plt.close(sol.plot(path=staged / "simulation.png"))
    if report_path is not None:
        from ..parameters import load_parameters
        from ..plan.compare import Comparison
        from ..report import write_comparison_report

        one = Comparison(
            patient=person,
            protocols={protocol: proto},
            solutions={protocol: sol},
            parameters=load_parameters(parameters),
        )
        write_comparison_report(one, report_path)
    _finish(
        payload, json_out, lambda: _print_simulation(payload, person.describe(), out), report_path
    )


def _print_simulation(payload: dict[str, Any], who: str, out: Path | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    outputs = payload["outputs"]
    first = next(iter(outputs.values()))
    title = escape(f"{payload['protocol']['compact']}  |  {who}")
    table = Table(title=title, title_justify="left")
    table.add_column("endpoint", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    for t in first["t_days"]:
        table.add_column(f"day {t:g}", justify="right")
    for name, row in outputs.items():
        cells = [
            format_interval(m, a, b, row["unit"], sep="\n")
            for m, a, b in zip(row["median"], row["p05"], row["p95"], strict=True)
        ]
        table.add_row(name, row["unit"], *cells)
    console.print(table)
    dt = payload["downtime_days"]
    prov = payload["provenance"]
    console.print(
        f"downtime per session: {format_interval(dt['median'], dt['p05'], dt['p95'], 'day')} days"
    )
    console.print(
        f"median [5th, 95th percentile] over {prov['draws']} draws, seed {prov['seed']}, "
        f"parameters {prov['parameters']}, dermasim {prov['version']}"
    )
    if out is not None:
        console.print(f"wrote {out}/simulation.nc, simulation.json, simulation.png")
    console.print(DISCLAIMER)


def compare(
    protocols: Annotated[
        list[str] | None,
        typer.Argument(
            help="Protocols (files, bundled names or compact strings); none: the bundled set."
        ),
    ] = None,
    patient: PatientOption = None,
    days_text: DaysOption = "730",
    draws: DrawsOption = 200,
    seed: SeedOption = 0,
    parameters: ParametersOption = "posterior",
    endpoint: Annotated[
        str, typer.Option("--endpoint", help="Endpoint of the table and figure (any endpoint).")
    ] = "collagen_density",
    json_out: JsonOption = False,
    out: OutOption = None,
    report_path: ReportOption = None,
) -> None:
    """Compare protocols: an endpoint at 3, 6, 12 and 24 months, downtime, and the paired
    difference from the first protocol with P(better)."""
    from ..plan.compare import compare_protocols

    days = _parse_days(days_text)
    _check_out(out, files=("compare.*",))
    if report_path is not None:
        _check_report_path(report_path)
    person = load_patient(patient)
    console = _console(stderr=True)
    show = console.is_terminal and not json_out
    if show:
        from rich.progress import Progress

        with Progress(console=console, transient=True) as bar:
            from ..protocol import bundled_protocols

            task = bar.add_task("simulating", total=len(protocols or bundled_protocols()))

            def step(label: str) -> None:
                bar.update(task, advance=1, description=label)

            result = compare_protocols(
                protocols,
                person,
                days=days,
                draws=draws,
                seed=seed,
                parameters=parameters,
                progress=step,
                endpoint=endpoint,
            )
    else:
        result = compare_protocols(
            protocols,
            person,
            days=days,
            draws=draws,
            seed=seed,
            parameters=parameters,
            endpoint=endpoint,
        )
    payload = result.to_json_dict()
    if out is not None:
        from ..storage import OutputSet

        with OutputSet(out, "compare") as staged:
            result.write(staged)
            _write_json(staged / "compare.json", payload)
    if report_path is not None:
        from ..report import write_comparison_report

        write_comparison_report(result, report_path)
    _finish(
        payload, json_out, lambda: _print_comparison(payload, person.describe(), out), report_path
    )


def _print_comparison(payload: dict[str, Any], who: str, out: Path | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    rows = payload["rows"]
    endpoint, unit = payload["endpoint"], payload["unit"]
    simulated = [r for r in rows if r["status"] == "simulated"]
    labels = list(simulated[0][endpoint]) if simulated else []
    table = Table(title=f"{endpoint} [{unit}]  |  {who}", title_justify="left")
    table.add_column("protocol", no_wrap=True)
    for label in labels:
        table.add_column(label, justify="right")
    table.add_column("downtime/session (days)", justify="right")
    for row in rows:
        if row["status"] != "simulated":
            reason = escape(f"not a candidate: {row['reason']}")
            table.add_row(escape(row["protocol"]), reason, *[""] * len(labels))
            continue
        cells = [
            format_interval(c["median"], c["p05"], c["p95"], unit) for c in row[endpoint].values()
        ]
        dt = row["downtime_days"]
        table.add_row(
            escape(row["protocol"]),
            *cells,
            format_interval(dt["median"], dt["p05"], dt["p95"], "d"),
        )
    console.print(table)
    others = [r for r in simulated if "vs_reference" in r]
    if others:
        paired = Table(
            title=f"paired difference from {payload['reference']} ({payload['better']} is "
            f"better), with P(better)",
            title_justify="left",
        )
        paired.add_column("protocol", no_wrap=True)
        for label in labels:
            paired.add_column(label, justify="right")
        for row in others:
            cells = [
                f"{format_interval(c['median'], c['p05'], c['p95'], unit)}  P={c['p_better']:.2f}"
                for c in row["vs_reference"].values()
            ]
            paired.add_row(escape(row["protocol"]), *cells)
        console.print(paired)
    prov = payload["provenance"]
    console.print(
        f"median [5th, 95th percentile] over {prov['draws']} paired draws, seed {prov['seed']}, "
        f"parameters {prov['parameters']}, dermasim {prov['version']}"
    )
    if out is not None:
        console.print(
            f"wrote {len(simulated)} NetCDF files, compare.json and "
            f"compare_{endpoint}.png to {out}/"
        )
    console.print(DISCLAIMER)


def protocols() -> None:
    """List the bundled protocols with their compact strings."""
    from rich.table import Table

    from ..protocol import bundled_protocols

    table = Table(title="bundled protocols", title_justify="left")
    table.add_column("name")
    table.add_column("compact string")
    for name, proto in bundled_protocols().items():
        table.add_row(name, str(proto))
    _console().print(table)


def cite(
    fmt: Annotated[str, typer.Option("--format", help="bibtex or plain.")] = "plain",
    parameters: Annotated[str, typer.Option("--parameters", help="Parameter set.")] = "default",
) -> None:
    """The references behind a run: parameter sources, skin geometry and the calibration's
    studies."""
    from ..calibration.citations import citation_keys
    from ..references import format_plain, load_references

    if fmt not in ("bibtex", "plain"):
        raise SimulationError(invalid_value("--format", fmt, "bibtex or plain", "--format bibtex"))
    entries = load_references()
    headings = {
        "parameters": "parameter sources",
        "geometry": "skin geometry",
        "calibration": "studies the calibration is fitted to and validated against",
    }
    for heading, keys in citation_keys(parameters).items():
        known = [key for key in keys if key in entries]
        if not known:
            continue
        if fmt == "plain":
            sys.stdout.write(f"# {headings[heading]}\n")
        for key in known:
            sys.stdout.write((entries[key] if fmt == "bibtex" else format_plain(key)) + "\n")
            if fmt == "bibtex":
                sys.stdout.write("\n")


def register(app: typer.Typer) -> None:
    """Add the course commands to the ``dermasim`` app."""
    app.command()(simulate)
    app.command()(compare)
    app.command()(protocols)
    app.command()(cite)
