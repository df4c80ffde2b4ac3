"""The calibration commands: ``calibrate``, ``validate`` and ``export petab``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import SimulationError, invalid_value
from .options import (
    DISCLAIMER,
    JsonOption,
    ParametersOption,
    SeedOption,
)
from .support import check_out as _check_out
from .support import console as _console
from .support import progress_bar as _progress_bar

__all__ = ["register"]


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
    from ..calibration.fit import calibrate as run_calibration
    from ..calibration.fit import chain_checkpoint

    if isinstance(budget, bool) or not 2 <= budget <= 1_000_000:
        raise SimulationError(
            invalid_value("--budget", budget, "2 to 1000000 ensemble steps", "--budget 1500")
        )
    if isinstance(chains, bool) or not 1 <= chains <= 64:
        raise SimulationError(invalid_value("--chains", chains, "1 to 64 chains", "--chains 4"))
    _check_out(out, files=("checkpoint*.npz", "posterior*"))
    checkpoint = out / "checkpoint.npz"
    if restart:
        for k in range(chains):
            path = chain_checkpoint(checkpoint, k)
            if path is not None and Path(path).exists():
                Path(path).unlink()
    with _progress_bar("calibrating", unit="steps") as step:
        result = run_calibration(
            steps=budget,
            seed=seed,
            chains=chains,
            checkpoint=checkpoint,
            workers=workers,
            progress=step,
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
    from ..calibration.validation import validate as run_validation

    if isinstance(draws, bool) or not 20 <= draws <= 5000:
        raise SimulationError(invalid_value("--draws", draws, "20 to 5000", "--draws 400"))
    if isinstance(refit_steps, bool) or not (refit_steps == 0 or 100 <= refit_steps <= 20000):
        raise SimulationError(
            invalid_value("--refit-steps", refit_steps, "0 or 100 to 20000", "--refit-steps 2000")
        )
    from ..calibration.study_population import MAX_PARTICIPANTS

    if isinstance(virtual_patients, bool) or not 1 <= virtual_patients <= MAX_PARTICIPANTS:
        raise SimulationError(
            invalid_value(
                "--virtual-patients",
                virtual_patients,
                f"1 to {MAX_PARTICIPANTS}",
                "--virtual-patients 16",
            )
        )
    _check_out(out, files=("validation.*", "report.md", "study-*.png"))
    with _progress_bar("validating", unit="steps") as step:
        result = run_validation(
            parameters,
            draws=draws,
            seed=seed,
            refit_steps=refit_steps,
            refit_dir=refit_dir if refit_steps else None,
            virtual_patients=virtual_patients,
            progress=lambda stage, done, total: step(done, total, stage),
        )
    if out is not None:
        from ..calibration.report import write_report
        from ..storage import OutputSet

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
        for s in scores:
            if s.no_better_because is not None:
                why = s.no_better_because.split(". ")[0].rstrip(".")
                console.print(f"no better than the priors: {s.study}: {escape(why)}.")
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
        aged = f", aged as reported in {len(check.ages)} scenarios" if check.ages else ""
        console.print(
            f"study means over {check.participants} virtual participants (between-patient "
            f"spread: {escape(spread)}{aged}) against the median patient the fit uses: largest "
            f"shift {shift:+.3f} noise SD ({row}); reweighting the draws: effective share "
            f"{check.importance_share:.2f}{k_text}"
        )
    if out is not None:
        console.print(f"wrote {out}/report.md, validation.json and one figure per study")
    console.print(DISCLAIMER)


def export_petab(
    directory: Annotated[Path, typer.Argument(help="Folder to write the PEtab problem to.")],
) -> None:
    """Write the calibration problem in PEtab format (SBML model, tables, YAML)."""
    from ..interop.petab_export import export_petab as run_export

    _check_out(
        directory,
        "DIRECTORY",
        "dermasim export petab out/petab",
        files=("*.tsv", "*.yaml", "*.xml"),
    )
    path = run_export(directory)
    _console().print(f"wrote the PEtab problem to {directory}/ (problem file {path.name})")


def register(app: typer.Typer) -> None:
    """Add the calibration commands to the ``dermasim`` app."""
    app.command()(calibrate)
    app.command()(validate)
    export_app = typer.Typer(
        help="Export dermasim problems to other tools' formats.", no_args_is_help=False
    )
    export_app.command("petab")(export_petab)
    app.add_typer(export_app, name="export")
