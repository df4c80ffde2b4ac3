"""The research commands: ``dermasim cohort``, ``dermasim trial`` and ``dermasim sensitivity``.

Registered on the ``dermasim`` app by :mod:`dermasim.cli`; they print and write like the
other commands (one JSON object with ``--json``, a published output set with ``--out``).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import SimulationError, invalid_value
from .support import check_out, console, parse_at, parse_days, progress_bar, write_json

__all__ = ["register"]

ClusterOption = Annotated[
    str | None,
    typer.Option(
        "--cluster",
        help="Run chunks on Dask: 'local' (a LocalCluster of --workers processes) or a "
        "scheduler address such as tcp://10.0.0.5:8786. Default: in this process.",
    ),
]
WorkersOption = Annotated[int, typer.Option("--workers", help="Processes of --cluster local.")]
StoreOption = Annotated[
    Path | None,
    typer.Option("--store", help="Chunk store to resume from (default: inside --out)."),
]
RestartOption = Annotated[
    bool, typer.Option("--restart", help="Discard chunks of an earlier run with other inputs.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print one JSON object to stdout.")]
ParametersOption = Annotated[
    str,
    typer.Option(
        "--parameters", help="'posterior' (bundled calibrated draws), 'prior', or a .npz file."
    ),
]


def _fmt(q: dict[str, float], digits: int = 1) -> str:
    return f"{q['median']:.{digits}f} [{q['p05']:.{digits}f}, {q['p95']:.{digits}f}]"


def _store(out: Path | None, store: Path | None, name: str) -> Path | None:
    """The chunk store: ``--store``, else a folder inside ``--out`` (removed on success)."""
    if store is not None:
        return store
    return None if out is None else out / f"{name}-chunks"


def cohort(
    protocol: Annotated[
        str, typer.Argument(help="A compact string, bundled protocol name or TOML file.")
    ],
    spec: Annotated[
        Path | None,
        typer.Option(
            "--cohort",
            help="Cohort TOML file: a cohort table of covariate distributions (and n, seed).",
        ),
    ] = None,
    patients: Annotated[
        Path | None, typer.Option("--patients", help="CSV table of patients, one per row.")
    ] = None,
    n: Annotated[
        int | None, typer.Option("--n", help="Patients drawn (default: the spec's n, or 500).")
    ] = None,
    draws: Annotated[int, typer.Option("--draws", help="Parameter draws per patient.")] = 100,
    days_text: Annotated[
        str, typer.Option("--days", help="Horizon: days or a duration such as '2 years'.")
    ] = "730",
    at: Annotated[str | None, typer.Option("--at", help="Comma-separated output days.")] = None,
    endpoint: Annotated[
        str, typer.Option("--endpoint", help="Endpoint of the printed summary.")
    ] = "collagen_density",
    seed: Annotated[
        int | None,
        typer.Option("--seed", help="One seed for patients and draws (default: the spec's, or 0)."),
    ] = None,
    parameters: ParametersOption = "posterior",
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", help="Least trajectories per chunk.")
    ] = 1000,
    store: StoreOption = None,
    restart: RestartOption = False,
    cluster: ClusterOption = None,
    workers: WorkersOption = 2,
    json_out: JsonOption = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="Folder for cohort.nc and cohort.json.")
    ] = None,
) -> None:
    """Simulate a course for a virtual population crossed with parameter draws."""
    from ..cohort import Cohort, run_cohort
    from ..storage import OutputSet

    if spec is not None and patients is not None:
        raise SimulationError(
            invalid_value(
                "--patients",
                str(patients),
                "either --cohort or --patients",
                "--patients patients.csv",
            )
        )
    check_out(out, files=("cohort.*",))
    from ..model import ENDPOINTS

    if endpoint not in ENDPOINTS:
        raise SimulationError(
            invalid_value(
                "--endpoint", endpoint, "one of " + ", ".join(ENDPOINTS), "--endpoint elastin"
            )
        )
    population: Any = None
    if spec is not None:
        from ..cohort.population import read_cohort_file

        data = read_cohort_file(spec, "--cohort", "--cohort cohort.toml")
        table = data.get("cohort", data)
        population = Cohort.from_dict(table)
        n = table.get("n") if n is None else n  # run options the spec may carry
        seed = table.get("seed") if seed is None else seed
    if patients is not None:
        population = patients
    seed = 0 if seed is None else seed
    days = parse_days(days_text)
    report = parse_at(at, days) if at is not None else None
    chunks = _store(out, store, "cohort")
    with progress_bar("simulating", "chunks") as step:
        result = run_cohort(
            protocol,
            population,
            n=n,
            draws=draws,
            days=days,
            at=report,
            seed=seed,
            parameters=parameters,
            chunk_size=chunk_size,
            store=chunks,
            restart=restart,
            cluster=cluster,
            workers=workers,
            progress=step,
        )
    times = [float(t) for t in result.dataset["time"].values if t > 0]
    payload = {
        "schema": "dermasim.cohort/1",
        "protocol": result.dataset.attrs["protocol"],
        "patients": int(result.dataset.sizes["patient"]),
        "draws": int(result.dataset.sizes["draw"]),
        "summaries": [result.summary(endpoint, t) for t in times],
        "provenance": {
            k: result.dataset.attrs[k] for k in ("dermasim_version", "parameters", "seed")
        },
        "disclaimer": "research and planning aid, not medical advice",
    }
    if out is not None:
        with OutputSet(out, "cohort") as staged:
            result.to_netcdf(staged / "cohort.nc")
            write_json(staged / "cohort.json", payload)
        if store is None and chunks is not None:
            shutil.rmtree(chunks, ignore_errors=True)
    if json_out:
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    show = console()
    show.print(f"{payload['patients']} patients x {payload['draws']} draws: {payload['protocol']}")
    for row in payload["summaries"]:
        between = row["between_patients"]
        show.print(
            f"  {row['endpoint']} ({row['unit']}) at day {row['t_days']:g}: population mean "
            f"{_fmt(row['population_mean'])} (uncertainty); patients "
            f"{between['p05']:.1f} to {between['p95']:.1f} (variability, 5-95%)"
        )
    if out is not None:
        show.print(f"wrote {out}/cohort.nc and cohort.json")


def trial(
    spec: Annotated[
        str,
        typer.Argument(help="A trial TOML file or a bundled spec (microneedling-vs-none)."),
    ] = "microneedling-vs-none",
    store: StoreOption = None,
    restart: RestartOption = False,
    cluster: ClusterOption = None,
    workers: WorkersOption = 2,
    json_out: JsonOption = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for trial.json, power.png and one NetCDF per arm."),
    ] = None,
) -> None:
    """Simulate a parallel-group trial: effect, its interval, and the power curve."""
    from ..cohort.trial import Trial
    from ..plan.compare import file_stems
    from ..storage import OutputSet

    check_out(out, files=("trial.*", "power.png", "arm-*.nc"))
    design = Trial.from_toml(Path(spec) if spec.endswith(".toml") else spec)
    chunks = _store(out, store, "trial")
    with progress_bar("simulating", "chunks") as step:
        result = design.run(
            store=chunks,
            restart=restart,
            cluster=cluster,
            workers=workers,
            progress=lambda arm, done, total: step(done, total),
        )
    payload = result.to_json_dict()
    if out is not None:
        import matplotlib.pyplot as plt

        stems = file_stems([a.name for a in design.arms])
        with OutputSet(out, "trial") as staged:
            write_json(staged / "trial.json", payload)
            plt.close(result.plot(path=staged / "power.png"))
            for arm in design.arms:
                result.cohorts[arm.name].to_netcdf(staged / f"arm-{stems[arm.name]}.nc")
        if store is None and chunks is not None:
            shutil.rmtree(chunks, ignore_errors=True)
    if json_out:
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    _print_trial(payload, out)


def _print_trial(payload: dict[str, Any], out: Path | None) -> None:
    from rich.table import Table

    show = console()
    ep = payload["endpoint"]
    show.print(f"[bold]{payload['name']}[/bold]")
    show.print(
        f"endpoint: {ep['name']} ({ep['unit']}) at day {ep['t_days']:g}, {ep['better']} is "
        f"better; alpha {payload['alpha']:g} two-sided; "
        f"{payload['provenance']['draws']} posterior draws, pool of "
        f"{payload['provenance']['pool']} virtual patients"
    )
    for name, c in payload["comparisons"].items():
        one = c["one_trial"]
        show.print(
            f"\n[bold]{name}[/bold] against {c['against']}:\n"
            f"  population effect (difference in means): {_fmt(c['population_effect'])} "
            f"{ep['unit']} (median [5%, 95%] over the posterior)\n"
            f"  one simulated trial, {one['n_per_arm']} vs {one['n_control']}: difference "
            f"{one['difference']:.1f} {ep['unit']}, 95% CI [{one['ci95'][0]:.1f}, "
            f"{one['ci95'][1]:.1f}], p = {one['p_value']:.2g}\n"
            f"  probability of success at {one['n_per_arm']} per arm: "
            f"{c['probability_of_success']:.2f}"
        )
        if "responder_rate" in c:
            rr = c["responder_rate"]
            show.print(
                f"  responders (beyond {rr['threshold']:g} {ep['unit']}): arm "
                f"{_fmt(rr['arm'], 2)}, control {_fmt(rr['control'], 2)}"
            )
        table = Table(title=f"power, {name} against {c['against']}")
        for column in ("per arm", "control", "power", "MC s.e.", "power given the parameters"):
            table.add_column(column, justify="right")
        for row in c["power_curve"]:
            cp = row["conditional_power"]
            table.add_row(
                str(row["n_per_arm"]),
                str(row["n_control"]),
                f"{row['power']:.3f}",
                f"{row['power_mc_se']:.3f}",
                f"{cp['median']:.2f} [{cp['p05']:.2f}, {cp['p95']:.2f}]",
            )
        show.print(table)
    from rich.markup import escape

    for note in payload["notes"]:
        show.print(f"note: {escape(note)}")
    show.print("dermasim is a research and planning aid, not medical advice.")
    if out is not None:
        show.print(f"wrote {out}/trial.json, power.png and one NetCDF per arm")


def sensitivity(
    protocol: Annotated[
        str, typer.Argument(help="The course (default: the standard microneedling course).")
    ] = "microneedling-4-monthly",
    patient: Annotated[Path | None, typer.Option("--patient", "-p", help="Patient TOML.")] = None,
    endpoint: Annotated[str, typer.Option("--endpoint", help="Endpoint.")] = "collagen_density",
    day: Annotated[float, typer.Option("--day", help="Day of the endpoint.")] = 180,
    method: Annotated[str, typer.Option("--method", help="sobol or morris.")] = "sobol",
    parameters: Annotated[
        str,
        typer.Option("--parameters", help="'prior' (every parameter) or 'posterior' marginals."),
    ] = "prior",
    n: Annotated[int, typer.Option("--n", help="Sobol base sample (a power of 2).")] = 512,
    trajectories: Annotated[int, typer.Option("--trajectories", help="Morris trajectories.")] = 20,
    vary: Annotated[
        str | None, typer.Option("--vary", help="Comma-separated parameters (default all).")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Rows printed and drawn.")] = 15,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the design.")] = 0,
    cluster: ClusterOption = None,
    workers: WorkersOption = 2,
    json_out: JsonOption = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for sensitivity.json, .csv and .png."),
    ] = None,
) -> None:
    """Sobol indices (or Morris screening) of one endpoint over the model parameters."""
    from ..cohort.sensitivity import model_sensitivity
    from ..patient import Patient
    from ..storage import OutputSet, atomic_write

    if isinstance(top, bool) or not 1 <= top <= 1000:
        raise SimulationError(invalid_value("--top", top, "an integer from 1 to 1000", "--top 15"))
    check_out(out, files=("sensitivity.*",))
    names = None if vary is None else [v.strip() for v in vary.split(",") if v.strip()]
    with progress_bar("simulating", "chunks") as step:
        result = model_sensitivity(
            protocol,
            None if patient is None else Patient.from_toml(patient),
            endpoint=endpoint,
            day=day,
            method=method,
            parameters=parameters,
            vary=names,
            n=n,
            trajectories=trajectories,
            seed=seed,
            cluster=cluster,
            workers=workers,
            progress=step,
        )
    payload = result.to_json_dict()
    if out is not None:
        import matplotlib.pyplot as plt

        columns = list(payload["indices"][0])
        lines = [",".join(columns)] + [
            ",".join(str(row[c]) for c in columns) for row in payload["indices"]
        ]
        with OutputSet(out, "sensitivity") as staged:
            write_json(staged / "sensitivity.json", payload)
            text = "\n".join(lines) + "\n"
            atomic_write(
                staged / "sensitivity.csv", lambda tmp: Path(tmp).write_text(text, "utf-8")
            )
            plt.close(result.plot(top=top, path=staged / "sensitivity.png"))
    if json_out:
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    _print_sensitivity(payload, top, out)


def _print_sensitivity(payload: dict[str, Any], top: int, out: Path | None) -> None:
    from rich.table import Table

    target = payload["target"]
    title = (
        f"{payload['method']}: {target['endpoint']} ({target['unit']}) at day "
        f"{target['t_days']:g}, {target['protocol']}; {payload['evaluations']} simulations, "
        f"{target['parameters']}"
    )
    table = Table(title=title)
    table.add_column("parameter")
    if payload["method"] == "sobol":
        keys = (("first order S1", "S1"), ("total ST", "ST"))
    else:
        keys = (("mu*", "mu_star"), ("sigma", "sigma"))
    for label, _ in keys:
        table.add_column(label, justify="right")
    for row in payload["indices"][:top]:
        cells = [row["parameter"]]
        for _, key in keys:
            conf = row.get(f"{key}_conf")
            cells.append(f"{row[key]:.3f}" + (f" ± {conf:.3f}" if conf is not None else ""))
        table.add_row(*cells)
    show = console()
    show.print(table)
    show.print("± is the half-width of the bootstrap 95% interval.")
    if out is not None:
        show.print(f"wrote {out}/sensitivity.json, sensitivity.csv and sensitivity.png")


def register(app: typer.Typer) -> None:
    """Add the research commands to the ``dermasim`` app."""
    app.command()(cohort)
    app.command()(trial)
    app.command()(sensitivity)
