"""The ``dermasim`` command (typer + rich).

Only this module prints. Bad input exits with code 2 and one line on stderr; results go to
stdout (``--json`` prints exactly one JSON object there).
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .cli_cohort import register as register_research_commands
from .cli_plan import register as register_planning_commands
from .cli_support import check_out as _check_out
from .cli_support import check_report_path as _check_report_path
from .cli_support import console as _console
from .cli_support import parse_at as _parse_at
from .cli_support import parse_days as _parse_days
from .cli_support import write_json as _write_json
from .errors import DermasimError, SimulationError, invalid_value

app = typer.Typer(
    name="dermasim",
    help=(
        "Simulate dermal collagen and elastin after microneedling, polynucleotide injections "
        "and hyaluronic-acid filler. A research and planning aid, not medical advice."
    ),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

DEFAULT_REPORT_DAYS = (0.0, 90.0, 180.0, 365.0, 730.0)
DISCLAIMER = "dermasim is a research and planning aid, not medical advice."

PatientOption = Annotated[
    Path | None,
    typer.Option(
        "--patient",
        "-p",
        help="Patient TOML file (default: female, 45, cheek, "
        "Fitzpatrick III, moderate UV, non-smoker).",
    ),
]
DaysOption = Annotated[
    str,
    typer.Option("--days", help="Horizon: days (1 to 3650) or a duration such as '2 years'."),
]
DrawsOption = Annotated[int, typer.Option("--draws", help="Parameter draws.")]
SeedOption = Annotated[int, typer.Option("--seed", help="Seed of the parameter draws.")]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="Folder for NetCDF, JSON and figures.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object to stdout.")]
ReportOption = Annotated[
    Path | None,
    typer.Option("--report", help="Also write one self-contained HTML report (FILE.html)."),
]
ParametersOption = Annotated[
    str,
    typer.Option(
        "--parameters",
        help="'posterior' (bundled calibrated draws), 'prior', or a posterior .npz file "
        "written by dermasim calibrate.",
    ),
]


def _load_patient(path: Path | None) -> Any:
    from .patient import Patient

    return Patient() if path is None else Patient.from_toml(path)


def _fmt(median: float, p05: float, p95: float, unit: str, sep: str = " ") -> str:
    if unit == "1":  # arbitrary-unit signals are small: significant digits, not decimals
        return f"{median:.3g}{sep}[{p05:.3g}, {p95:.3g}]"
    digits = 2 if unit == "mm" else 1
    return f"{median:.{digits}f}{sep}[{p05:.{digits}f}, {p95:.{digits}f}]"


def _quantity(convert: Any, option: str, text: str, allowed: str, example: str) -> float:
    """``text`` read by a :mod:`dermasim.units` converter; a one-line error naming
    ``option`` with ``allowed`` and ``option example`` when it cannot be read."""
    try:
        return float(convert(text, field=option))
    except DermasimError:
        raise SimulationError(invalid_value(option, text, allowed, f"{option} {example}")) from None


@app.command()
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
    from .protocol import Protocol
    from .simulation import simulate as run_simulation

    days = _parse_days(days_text)
    _check_out(out)
    if report_path is not None:
        _check_report_path(report_path)
    proto = Protocol.load(protocol)
    person = _load_patient(patient)
    report = _parse_at(at, days)
    sol = run_simulation(
        proto, person, days=days, draws=draws, seed=seed, at=report, parameters=parameters
    )
    report_days = report if report is not None else [d for d in DEFAULT_REPORT_DAYS if d <= days]
    payload = sol.to_json_dict(at=sorted(set(report_days)), protocol=proto)
    if out is not None:
        import matplotlib.pyplot as plt

        from .storage import OutputSet

        with OutputSet(out, "simulation") as staged:
            sol.to_netcdf(staged / "simulation.nc")
            _write_json(staged / "simulation.json", payload)
            plt.close(sol.plot(path=staged / "simulation.png"))
    if report_path is not None:
        from .compare import Comparison
        from .parameters import load_parameters
        from .report import write_comparison_report

        one = Comparison(
            patient=person,
            protocols={protocol: proto},
            solutions={protocol: sol},
            parameters=load_parameters(parameters),
        )
        write_comparison_report(one, report_path)
    if json_out:
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    _print_simulation(payload, person.describe(), out)
    if report_path is not None:
        _console().print(f"wrote {report_path}")


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
            _fmt(m, a, b, row["unit"], sep="\n")
            for m, a, b in zip(row["median"], row["p05"], row["p95"], strict=True)
        ]
        table.add_row(name, row["unit"], *cells)
    console.print(table)
    dt = payload["downtime_days"]
    prov = payload["provenance"]
    console.print(f"downtime per session: {_fmt(dt['median'], dt['p05'], dt['p95'], 'day')} days")
    console.print(
        f"median [5th, 95th percentile] over {prov['draws']} draws, seed {prov['seed']}, "
        f"parameters {prov['parameters']}, dermasim {prov['version']}"
    )
    if out is not None:
        console.print(f"wrote {out}/simulation.nc, simulation.json, simulation.png")
    console.print(DISCLAIMER)


@app.command()
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
    from .compare import compare_protocols

    days = _parse_days(days_text)
    _check_out(out)
    if report_path is not None:
        _check_report_path(report_path)
    person = _load_patient(patient)
    console = _console(stderr=True)
    show = console.is_terminal and not json_out
    if show:
        from rich.progress import Progress

        with Progress(console=console, transient=True) as bar:
            from .protocol import bundled_protocols

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
        from .storage import OutputSet

        with OutputSet(out, "compare") as staged:
            result.write(staged)
            _write_json(staged / "compare.json", payload)
    if report_path is not None:
        from .report import write_comparison_report

        write_comparison_report(result, report_path)
    if json_out:
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    _print_comparison(payload, person.describe(), out)
    if report_path is not None:
        _console().print(f"wrote {report_path}")


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
        cells = [_fmt(c["median"], c["p05"], c["p95"], unit) for c in row[endpoint].values()]
        dt = row["downtime_days"]
        table.add_row(
            escape(row["protocol"]), *cells, _fmt(dt["median"], dt["p05"], dt["p95"], "d")
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
                f"{_fmt(c['median'], c['p05'], c['p95'], unit)}  P={c['p_better']:.2f}"
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


@app.command()
def protocols() -> None:
    """List the bundled protocols with their compact strings."""
    from rich.table import Table

    from .protocol import bundled_protocols

    table = Table(title="bundled protocols", title_justify="left")
    table.add_column("name")
    table.add_column("compact string")
    for name, proto in bundled_protocols().items():
        table.add_row(name, str(proto))
    _console().print(table)


@app.command()
def cite(
    fmt: Annotated[str, typer.Option("--format", help="bibtex or plain.")] = "plain",
    parameters: Annotated[str, typer.Option("--parameters", help="Parameter set.")] = "default",
) -> None:
    """The references behind a run: parameter sources and skin geometry."""
    from .geometry import geometry_provenance, site_names
    from .parameters import ParameterSet
    from .references import format_plain, load_references

    if fmt not in ("bibtex", "plain"):
        raise SimulationError(invalid_value("--format", fmt, "bibtex or plain", "--format bibtex"))
    keys = dict.fromkeys(ParameterSet.load(parameters).sources())
    for site in site_names():
        for entry in geometry_provenance(site).values():
            for key in _keys_of(entry.get("source")):
                keys.setdefault(key, None)
    entries = load_references()
    for key in keys:
        if key not in entries:
            continue
        sys.stdout.write((entries[key] if fmt == "bibtex" else format_plain(key)) + "\n")
        if fmt == "bibtex":
            sys.stdout.write("\n")


def _keys_of(source: Any) -> list[str]:
    if not source:
        return []
    if isinstance(source, str):
        return [s.strip() for s in source.replace(";", ",").split(",") if s.strip()]
    return [str(s) for s in source]


@app.command()
def calibrate(
    budget: Annotated[
        int, typer.Option("--budget", help="Ensemble steps (the first half is burn-in).")
    ] = 1500,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the sampler.")] = 0,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for posterior.npz and the checkpoint.")
    ] = Path("calibration"),
    workers: Annotated[
        int | None, typer.Option("--workers", help="Processes (default: up to 2).")
    ] = None,
    restart: Annotated[
        bool, typer.Option("--restart", help="Ignore and replace an existing checkpoint.")
    ] = False,
    chains: Annotated[
        int,
        typer.Option(
            "--chains",
            help="Independent ensembles (seeds SEED, SEED+1, ...); 4 or more for R-hat and ESS.",
        ),
    ] = 1,
) -> None:
    """Fit the model to the bundled evidence (emcee); resumes from OUT/checkpoint.npz."""
    from .calibration.fit import calibrate as run_calibration
    from .calibration.fit import chain_checkpoint

    if isinstance(budget, bool) or not 2 <= budget <= 1_000_000:
        raise SimulationError(
            invalid_value("--budget", budget, "2 to 1000000 ensemble steps", "--budget 1500")
        )
    if isinstance(chains, bool) or not 1 <= chains <= 64:
        raise SimulationError(invalid_value("--chains", chains, "1 to 64 chains", "--chains 4"))
    _check_out(out)
    checkpoint = out / "checkpoint.npz"
    if restart:
        for k in range(chains):
            path = chain_checkpoint(checkpoint, k)
            if path is not None and Path(path).exists():
                Path(path).unlink()
    console = _console(stderr=True)
    if console.is_terminal:
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        columns = (
            TextColumn("calibrating"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} steps"),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("calibrating", total=budget * chains)

            def step(done: int, total: int) -> None:
                bar.update(task, completed=done)

            result = run_calibration(
                steps=budget,
                seed=seed,
                chains=chains,
                checkpoint=checkpoint,
                workers=workers,
                progress=step,
            )
    else:
        result = run_calibration(
            steps=budget, seed=seed, chains=chains, checkpoint=checkpoint, workers=workers
        )
    path = result.save(out / "posterior.npz")
    meta = result.metadata
    ratio = meta["kept_over_autocorrelation"]
    length = "too short to estimate" if ratio is None else f"{ratio} autocorrelation times"
    diag = meta.get("convergence")
    converged = (
        ""
        if diag is None
        else f" R-hat at most {diag['max_rhat']:.3f}, bulk/tail ESS at least "
        f"{diag['min_ess_bulk']:.0f}/{diag['min_ess_tail']:.0f} over {diag['chains']} chains"
        f" ({'meets' if diag['meets_thresholds'] else 'does not meet'} R-hat < 1.01, "
        "ESS >= 400, 4 chains)."
    )
    _console().print(
        f"wrote {path}: {result.draws.shape[0]} draws of {len(result.names)} parameters; "
        f"{meta['chains']} x {meta['steps']} steps x {meta['walkers']} walkers, acceptance "
        f"{meta['acceptance_fraction']:.2f}, kept chain {length}, "
        f"{meta['runtime_seconds']} s.{converged}\n"
        f"Use it with --parameters {path}, or check it with dermasim validate --parameters {path}."
    )


@app.command()
def validate(
    parameters: ParametersOption = "posterior",
    draws: Annotated[int, typer.Option("--draws", help="Parameter draws.")] = 400,
    seed: SeedOption = 0,
    json_out: JsonOption = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for report.md, figures and JSON.")
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with code 1 if any endpoint fails.")
    ] = False,
    refit_steps: Annotated[
        int,
        typer.Option(
            "--refit-steps",
            help="Steps of an exact refit of each study whose Pareto k exceeds 0.7 "
            "(0: none; about 0.2 s a step on 2 cores).",
        ),
    ] = 0,
    refit_dir: Annotated[
        Path,
        typer.Option("--refit-dir", help="Folder of the refits' checkpoints (resumable)."),
    ] = Path("refits"),
    virtual_patients: Annotated[
        int,
        typer.Option(
            "--virtual-patients",
            help="Virtual participants per study for the check of study means against the "
            "median patient (1: skip it).",
        ),
    ] = 16,
) -> None:
    """Check every evidence endpoint against its predicted 90% interval."""
    from .calibration.validation import validate as run_validation

    if isinstance(draws, bool) or not 20 <= draws <= 5000:
        raise SimulationError(invalid_value("--draws", draws, "20 to 5000", "--draws 400"))
    if isinstance(refit_steps, bool) or not (refit_steps == 0 or 100 <= refit_steps <= 20000):
        raise SimulationError(
            invalid_value("--refit-steps", refit_steps, "0 or 100 to 20000", "--refit-steps 2000")
        )
    from .calibration.study_population import MAX_PARTICIPANTS

    if isinstance(virtual_patients, bool) or not 1 <= virtual_patients <= MAX_PARTICIPANTS:
        raise SimulationError(
            invalid_value(
                "--virtual-patients",
                virtual_patients,
                f"1 to {MAX_PARTICIPANTS}",
                "--virtual-patients 16",
            )
        )
    _check_out(out)
    result = run_validation(
        parameters,
        draws=draws,
        seed=seed,
        refit_steps=refit_steps,
        refit_dir=refit_dir if refit_steps else None,
        virtual_patients=virtual_patients,
    )
    if out is not None:
        from .calibration.report import write_report
        from .storage import OutputSet

        with OutputSet(out, "validation") as staged:
            write_report(result, staged)
    if json_out:
        sys.stdout.write(json.dumps(result.to_json_dict()) + "\n")
    else:
        _print_validation(result, out)
    if strict and not result.all_passed:
        raise typer.Exit(1)


def _print_validation(result: Any, out: Path | None) -> None:
    from rich.markup import escape
    from rich.table import Table

    console = _console()
    table = Table(
        title=f"validation against the evidence  |  {result.posterior}", title_justify="left"
    )
    for name in ("id", "study", "scenario", "observed (sd)", "median [5%, 95%]", "width", "pass"):
        table.add_column(name, justify="right" if name in ("width",) else "left")
    for c in result.checks:
        e = c.endpoint
        table.add_row(
            e.id,
            c.study,
            escape(f"{e.scenario} d{e.day:g}"),
            escape(c.observed_text),
            f"{c.median:.3g} [{c.p05:.3g}, {c.p95:.3g}]",
            f"{c.width:.3g}",
            "yes" if c.passed else "[bold red]no[/]",
        )
    console.print(table)
    inside, total = result.coverage
    right, n_dir = result.directions
    console.print(
        f"coverage: {inside} of {total} observed values inside their 90% interval; "
        f"{right} of {n_dir} direction-only findings with the right sign"
    )
    for c in result.checks:
        if not c.passed:
            why = c.endpoint.disagreement.split(". ")[0] or "no explanation recorded"
            console.print(f"not reproduced: {c.endpoint.id} ({c.study}): {escape(why)}.")
    scores = result.out_of_sample
    if scores:
        better = [s for s in scores if s.better_than_prior]
        worse = ", ".join(s.study for s in scores if not s.better_than_prior) or "none"
        refit = ", ".join(s.study for s in scores if s.needs_refit) or "none"
        refitted = ", ".join(s.study for s in scores if s.method == "refit")
        scored = [s for s in scores if s.baseline is not None]
        beat = sum(bool(s.better_than_baseline) for s in scored)
        behind = ", ".join(s.study for s in scored if not s.better_than_baseline) or "none"
        inside, valued = sum(s.inside for s in scores), sum(s.valued for s in scores)
        console.print(
            f"out of sample (leave one study out, log score by PSIS"
            f"{' or an exact refit' if refitted else ''}): the posterior predicts "
            f"{len(better)} of {len(scores)} studies better than the priors; no better: "
            f"{worse}; Pareto k > 0.7, an exact refit needed: {refit}"
            + (f"; scored by an exact refit: {refitted}" if refitted else "")
        )
        if scored:
            console.print(
                f"against the indirect-response baseline (refitted without each study): "
                f"better on {beat} of {len(scored)}; no better: {behind}"
            )
        console.print(
            f"out-of-sample coverage: {inside} of {valued} observed values inside their 90% "
            "interval"
        )
    check = result.population
    if check is not None:
        row, shift = check.largest_shift
        spread = ", ".join(f"{k} {v:g}" for k, v in check.spread.items()) or "none"
        k_text = "" if check.pareto_k is None else f", Pareto k {check.pareto_k:.2f}"
        console.print(
            f"study means over {check.participants} virtual participants (between-patient "
            f"spread: {escape(spread)}) against the median patient the fit uses: largest "
            f"shift {shift:+.3f} noise SD ({row}); reweighting the draws: effective share "
            f"{check.importance_share:.2f}{k_text}"
        )
    if out is not None:
        console.print(f"wrote {out}/report.md, validation.json and one figure per study")
    console.print(DISCLAIMER)


@app.command()
def permeability(
    mw: Annotated[float, typer.Option("--mw", help="Molecular weight in Da (1 to 500000).")],
    logkow: Annotated[
        float, typer.Option("--logkow", help="log10 octanol-water partition (-5 to 10).")
    ],
    after_needling: Annotated[
        str | None,
        typer.Option(
            "--after-needling",
            help="Needle length of a microneedling session just before application, "
            "e.g. 1.5mm: adds the micro-channel route (enhancement, amount over 24 h).",
        ),
    ] = None,
    occluded: Annotated[
        bool, typer.Option("--occluded", help="Skin occluded after application.")
    ] = False,
    concentration: Annotated[
        str | None,
        typer.Option(
            "--concentration",
            help="Concentration applied after needling, mg/mL or e.g. '5 mg/mL' "
            "(default 1; an infinite dose).",
        ),
    ] = None,
    dose: Annotated[
        float | None,
        typer.Option(
            "--dose",
            help="Amount of product applied after needling, mg of product per cm2, 0.01 to 50 "
            "(a finite dose the skin depletes; default: an infinite dose).",
        ),
    ] = None,
    minutes_after: Annotated[
        float,
        typer.Option("--minutes-after", help="Minutes between needling and application."),
    ] = 0.0,
    seed: SeedOption = 0,
    json_out: JsonOption = False,
) -> None:
    """Permeability of intact skin (heat-separated epidermis, aqueous vehicle) and, with
    --after-needling, delivery through the micro-channels of a microneedling session."""
    from .errors import check_integer
    from .permeability import intact_permeability, needled_skin_delivery
    from .units import to_mg_per_ml, to_mm

    seed = check_integer("--seed", seed, 0, 2**32 - 1, "--seed 0")
    result = intact_permeability(mw, logkow, seed=seed)
    delivery = None
    if after_needling is not None:
        needle = _quantity(
            to_mm, "--after-needling", after_needling, "a needle length from 0.1 to 3 mm", "1.5mm"
        )
        conc = 1.0
        if concentration is not None:
            conc = _quantity(
                to_mg_per_ml,
                "--concentration",
                concentration,
                "a concentration from 1e-06 to 1000 mg/mL",
                "5",
            )
        delivery = needled_skin_delivery(
            mw,
            logkow,
            needle,
            occluded=occluded,
            concentration_mg_per_ml=conc,
            dose_mg_per_cm2=dose,
            minutes_after_needling=minutes_after,
            seed=seed,
        )
    else:
        needs_needling = (
            ("--occluded", occluded),
            ("--concentration", concentration),
            ("--dose", dose),
            ("--minutes-after", minutes_after or None),
        )
        for flag, given in needs_needling:
            if given is not None and given is not False:
                raise SimulationError(
                    invalid_value(
                        flag,
                        given,
                        "only together with --after-needling",
                        f"--after-needling 1.5mm {flag}" + ("" if flag == "--occluded" else " 5"),
                    )
                )
    payload = {
        "schema": "dermasim.permeability/1",
        "intact": result.to_json_dict(),
        "after_needling": None if delivery is None else delivery.to_json_dict(),
        "warnings": list(result.warnings),
    }
    if json_out:
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    console = _console()
    lo, mid, hi = result.kp_cm_per_h()
    console.print(
        f"intact skin, MW {mw:g} Da, log Kow {logkow:g}: log10 kp = {result.median:.2f} "
        f"[{result.p05:.2f}, {result.p95:.2f}] (cm/s); kp = {mid:.3g} [{lo:.3g}, {hi:.3g}] cm/h"
    )
    if delivery is not None:
        cover = "occluded" if delivery.occluded else "not occluded"
        e, q, q0 = (
            delivery.enhancement,
            delivery.delivered_24h_ug_per_cm2,
            delivery.intact_24h_ug_per_cm2,
        )
        share, depth = delivery.channel_share_first_6h, delivery.channel_depth_mm
        applied = f"{delivery.concentration_mg_per_ml:g} mg/mL"
        if delivery.dose_mg_per_cm2 is not None:
            applied += f", {delivery.dose_mg_per_cm2:g} mg/cm2"
        if delivery.minutes_after_needling:
            applied += f", {delivery.minutes_after_needling:g} min after needling"
        console.print(
            f"after needling {delivery.needle_mm:g} mm ({cover}), {applied} applied, "
            "over 24 h:\n"
            f"  enhancement (per-draw ratio) {e.median:.3g} [{e.p05:.3g}, {e.p95:.3g}]; delivered "
            f"{q.median:.3g} [{q.p05:.3g}, {q.p95:.3g}] ug/cm2 "
            f"(intact skin {q0.median:.3g} [{q0.p05:.3g}, {q0.p95:.3g}])\n"
            f"  channel route: {100 * share.median:.0f}% of it in the first 6 h; "
            f"channels {depth.median:.2f} [{depth.p05:.2f}, {depth.p95:.2f}] mm deep\n"
            f"  assumed: {delivery.assumptions}"
        )
    for warning in result.warnings:
        console.print(f"warning: {warning}")
    console.print(DISCLAIMER)


@app.command("permeability-validate")
def permeability_validate(
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for permeability.md and permeability-filter.csv."),
    ] = None,
    seed: SeedOption = 0,
    json_out: JsonOption = False,
) -> None:
    """Refit the permeability models and check them: filter, grouped cross-validated RMSE
    against Potts-Guy, and the microneedle enhancement evidence."""
    from .permeability.validation import (
        markdown,
        permeability_validation,
        write_permeability_report,
    )

    _check_out(out)
    result = permeability_validation(seed=seed)
    if out is not None:
        from .storage import OutputSet

        with OutputSet(out, "permeability") as staged:
            write_permeability_report(result, staged)
    if json_out:
        sys.stdout.write(json.dumps(result.to_json_dict()) + "\n")
        return
    from rich.markdown import Markdown

    console = _console()
    console.print(Markdown(markdown(result)))
    if out is not None:
        console.print(f"wrote {out}/permeability.md and {out}/permeability-filter.csv")
    console.print(DISCLAIMER)


export_app = typer.Typer(
    help="Export dermasim problems to other tools' formats.", no_args_is_help=True
)
app.add_typer(export_app, name="export")


@export_app.command("petab")
def export_petab(
    directory: Annotated[Path, typer.Argument(help="Folder to write the PEtab problem to.")],
) -> None:
    """Write the calibration problem in PEtab format (SBML model, tables, YAML)."""
    from .interop.petab_export import export_petab as run_export

    _check_out(directory, "DIRECTORY", "dermasim export petab out/petab")
    path = run_export(directory)
    _console().print(f"wrote the PEtab problem to {directory}/ (problem file {path.name})")


def _version_callback(value: bool) -> None:
    if value:
        from ._version import version

        sys.stdout.write(f"dermasim {version}\n")
        raise typer.Exit()


register_research_commands(app)
register_planning_commands(app)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")
    ] = False,
) -> None:
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        stream=sys.stderr,
        format="dermasim: %(message)s",
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dermasim`` console script; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        args = ["--help"]
    try:
        result = app(args=args, prog_name="dermasim", standalone_mode=False)
    except DermasimError as exc:
        sys.stderr.write(f"dermasim: error: {exc}\n")
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("dermasim: aborted\n")
        return 1
    except typer.TyperException as exc:  # usage errors: unknown option, bad number, ...
        message = " ".join(exc.format_message().split())
        context = getattr(exc, "ctx", None)
        where = context.command_path if context is not None else "dermasim"
        if not message:  # a group called without its command: the help was printed
            message = f"{where} needs a command"
        sys.stderr.write(f"dermasim: error: {message}; see {where} --help\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("dermasim: interrupted\n")
        return 130
    except Exception as exc:
        if os.environ.get("DERMASIM_DEBUG"):
            raise
        sys.stderr.write(
            f"dermasim: internal error: {type(exc).__name__}: {exc} "
            "(set DERMASIM_DEBUG=1 for a traceback)\n"
        )
        return 1
    return int(result) if isinstance(result, int) else 0


def console_main() -> None:
    """Entry point of the installed ``dermasim`` script: :func:`main`, then a quick exit.

    Once every exit handler has run (those of Numba, Dask and the standard library, which are
    registered after this one and so run before it), the log handlers are flushed and the
    process ends without freeing its modules one by one: that teardown frees Numba's LLVM
    objects and took about 0.4 s of a 1.5 s command. Outputs are never affected: every file
    is written, flushed and renamed before a command returns.
    """
    code: list[int] = [1]
    atexit.register(_end_process, code)
    code[0] = main()
    sys.exit(code[0])


def _end_process(code: list[int]) -> None:
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to deliver
            stream.flush()
    os._exit(code[0])


if __name__ == "__main__":  # pragma: no cover
    console_main()
