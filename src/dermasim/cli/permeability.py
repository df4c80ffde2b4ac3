"""The skin-permeability commands: ``permeability`` and ``permeability-validate``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from ..errors import SimulationError, invalid_value
from .options import (
    DISCLAIMER,
    JsonOption,
    SeedOption,
    read_quantity,
)
from .support import check_out as _check_out
from .support import console as _console

__all__ = ["register"]


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
    from ..errors import check_integer
    from ..permeability import intact_permeability, needled_skin_delivery
    from ..units import to_mg_per_ml, to_mm

    seed = check_integer("--seed", seed, 0, 2**32 - 1, "--seed 0")
    result = intact_permeability(mw, logkow, seed=seed)
    delivery = None
    if after_needling is not None:
        needle = read_quantity(
            to_mm, "--after-needling", after_needling, "a needle length from 0.1 to 3 mm", "1.5mm"
        )
        conc = 1.0
        if concentration is not None:
            conc = read_quantity(
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
    from ..permeability.validation import (
        markdown,
        permeability_validation,
        write_permeability_report,
    )

    _check_out(out, files=("permeability.*",))
    result = permeability_validation(seed=seed)
    if out is not None:
        from ..storage import OutputSet

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


def register(app: typer.Typer) -> None:
    """Add the permeability commands to the ``dermasim`` app."""
    app.command()(permeability)
    app.command("permeability-validate")(permeability_validate)
