"""The validation report: a Markdown page with one figure per study and a parameter table."""

from __future__ import annotations

import json
import os
import warnings
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..storage import atomic_write
from .out_of_sample import study_slug
from .validation import EndpointCheck, ValidationResult

__all__ = ["write_report"]

DISCLAIMER = "dermasim is a research and planning aid, not medical advice."


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) < 1000 else f"{x:.0f}"


def _study_figure(study: str, checks: list[EndpointCheck], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(checks), figsize=(3.6 * len(checks), 3.0), squeeze=False)
    for ax, c in zip(axes[0], checks, strict=True):
        days = list(c.band_days)
        lo, mid, hi = zip(*c.band, strict=True)
        ax.fill_between(days, lo, hi, alpha=0.3, label="90% predictive")
        ax.plot(days, mid, lw=1.5, label="median")
        e = c.endpoint
        if isinstance(c.observed, float):
            ax.errorbar(
                [e.day], [c.observed], yerr=[[e.sd or 0.0]], fmt="o", color="k", label="observed"
            )
        else:
            for d in e.days:
                ax.annotate(c.observed, (d, 0.0), ha="center", fontsize=14, color="k")
            ax.axhline(0.0, color="k", lw=0.5)
        for d in e.days:
            ax.axvline(d, color="grey", lw=0.5, ls=":")
        mark = "pass" if c.passed else "FAIL"
        ax.set_title(f"{e.id} ({mark})", fontsize=9)
        ax.set_xlabel("day")
        ax.set_ylabel(f"{e.observable} [{c.unit}]", fontsize=8)
    axes[0][0].legend(fontsize=7)
    fig.suptitle(study, fontsize=10)
    fig.tight_layout()

    def write(tmp: str) -> None:
        fig.savefig(tmp, format="png", dpi=110)

    atomic_write(path, write)
    plt.close(fig)


def _endpoint_rows(result: ValidationResult) -> list[str]:
    lines = [
        "| id | study | scenario | observed (sd) | median [5%, 95%] | width | pass |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in result.checks:
        e = c.endpoint
        fitted = "" if e.fitted else " (checked, not fitted)"
        lines.append(
            f"| {e.id}{fitted} | {c.study} | {e.scenario} (day {e.day:g}) | {c.observed_text} | "
            f"{_fmt(c.median)} [{_fmt(c.p05)}, {_fmt(c.p95)}] | {_fmt(c.width)} | "
            f"{'yes' if c.passed else '**no**'} |"
        )
    return lines


def _parameter_rows(result: ValidationResult) -> list[str]:
    lines = [
        "| parameter | unit | prior median [5%, 95%] | posterior median [5%, 95%] | source |"
        " evidence | moved by the data |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in result.parameters:
        prior = f"{_fmt(p.prior[1])} [{_fmt(p.prior[0])}, {_fmt(p.prior[2])}]"
        post = (
            f"{_fmt(p.posterior[1])} [{_fmt(p.posterior[0])}, {_fmt(p.posterior[2])}]"
            if p.posterior
            else "not fitted (prior)"
        )
        moved = "yes" if p.moved else ("no" if p.posterior else "-")
        source = ", ".join(p.source) or "assumed"
        lines.append(
            f"| {p.name} | {p.unit} | {prior} | {post} | {source} | {p.evidence} | {moved} |"
        )
    return lines


def _convergence_rows(meta: dict[str, Any]) -> list[str]:
    """The calibration run's R-hat and ESS per parameter (from its metadata)."""
    diag = meta.get("convergence")
    if not diag:
        return [
            "## Convergence",
            "",
            "The posterior's metadata holds no R-hat or ESS (a single-chain run, or one made "
            "without ArviZ): convergence is not shown. Refit with `dermasim calibrate "
            "--chains 4` (the `inference` extra).",
            "",
        ]
    verdict = (
        "meets" if diag["meets_thresholds"] else "does **not** meet"
    ) + " the thresholds (R-hat below 1.01, bulk and tail ESS at least 400, at least 4 chains)"
    lines = [
        "## Convergence",
        "",
        f"{diag['chains']} independent chains of {diag['draws_per_chain']} draws each "
        f"({diag['method']}): largest R-hat {diag['max_rhat']:.3f}, smallest bulk ESS "
        f"{diag['min_ess_bulk']:.0f}, smallest tail ESS {diag['min_ess_tail']:.0f}. The run "
        f"{verdict}.",
        "",
        "| parameter | R-hat | bulk ESS | tail ESS |",
        "| --- | --- | --- | --- |",
    ]
    for name in diag["rhat"]:
        lines.append(
            f"| `{name}` | {diag['rhat'][name]:.3f} | {diag['ess_bulk'][name]:.0f} | "
            f"{diag['ess_tail'][name]:.0f} |"
        )
    return [*lines, ""]


#: How many parameters (those of largest R-hat) the rank and trace plots show.
PLOTTED_CHAINS = 6


def _chain_figures(
    chains: dict[str, np.ndarray], names: list[str], rank_path: Path, trace_path: Path
) -> bool:
    """Rank plots (ArviZ) and traces of ``names`` across the posterior's chains.

    A rank plot histograms each chain's ranks among the pooled draws: chains that sample
    one distribution give flat, alike histograms (Vehtari et al. 2021). The trace shows every
    stored draw of each chain against its kept step (the ensemble's walkers at that step).
    Returns False, writing nothing, when ArviZ (the ``inference`` extra) is missing.
    """
    try:
        with warnings.catch_warnings():  # arviz 0.x announces its 1.0 refactor on import
            warnings.simplefilter("ignore", FutureWarning)
            import arviz as az
    except ImportError:
        return False
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    dataset = az.convert_to_dataset({n: chains[n] for n in names})
    fig, axes = plt.subplots(2, 3, figsize=(11, 6), squeeze=False)
    az.plot_rank(dataset, var_names=names, ax=axes.ravel()[: len(names)])
    fig.suptitle("rank plots by chain (flat and alike when the chains agree)", fontsize=10)
    fig.tight_layout()
    atomic_write(rank_path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)

    fig, axes = plt.subplots(len(names), 1, figsize=(9, 1.6 * len(names)), squeeze=False)
    for ax, name in zip(axes[:, 0], names, strict=True):
        draws = chains[name]
        for c in range(draws.shape[0]):
            step = np.arange(draws.shape[1]) / draws.shape[1] + c
            ax.plot(step, draws[c], ".", ms=1.5, label=f"chain {c}")
        ax.set_ylabel(name, fontsize=7)
        ax.set_xticks([])
    axes[0, 0].legend(fontsize=7, markerscale=6, ncol=draws.shape[0], loc="upper right")
    axes[-1, 0].set_xlabel("chains side by side, each its stored draws in kept-step order")
    fig.tight_layout()
    atomic_write(trace_path, lambda tmp: fig.savefig(tmp, format="png", dpi=100))
    plt.close(fig)
    return True


def _chain_rows(result: ValidationResult, out: Path, figures: bool) -> list[str]:
    diag = result.metadata.get("convergence") or {}
    if result.chains is None or not diag.get("rhat"):
        return []
    rhat = {n: v for n, v in diag["rhat"].items() if n in result.chains}
    names = sorted(rhat, key=rhat.__getitem__, reverse=True)[:PLOTTED_CHAINS]
    drawn = figures and _chain_figures(
        result.chains, names, out / "convergence-rank.png", out / "convergence-trace.png"
    )
    if not drawn:
        return []
    return [
        f"Rank and trace plots of the {len(names)} parameters with the largest R-hat "
        f"({', '.join(f'`{n}`' for n in names)}), from the stored draws of each chain:",
        "",
        "![rank plots](convergence-rank.png)",
        "",
        "![traces](convergence-trace.png)",
        "",
    ]


def _out_of_sample_rows(result: ValidationResult) -> list[str]:
    scores = result.out_of_sample
    if not scores:
        return []
    better = sum(s.better_than_prior for s in scores)
    refit = [s.study for s in scores if s.needs_refit]
    worse = [s for s in scores if not s.better_than_prior]
    scored = [s for s in scores if s.baseline is not None]
    behind = [s.study for s in scored if not s.better_than_baseline]
    inside, valued = sum(s.inside for s in scores), sum(s.valued for s in scores)
    lines = [
        "## Out of sample: each study predicted without it",
        "",
        f"Leave-one-study-out log predictive density (PSIS; higher is better) of the posterior "
        f"against the prior predictive: the posterior predicts **{better} of {len(scores)}** "
        "studies better than the priors do"
        + (
            f", and **{len(scored) - len(behind)} of {len(scored)}** better than an "
            "indirect-response baseline refitted without the study (one stimulation term per "
            "treatment, the same observation models; a plug-in predictive)"
            if scored
            else ""
        )
        + f". Out-of-sample 90% intervals hold **{inside} of {valued}** observed values.",
        "",
        "| study | fitted | posterior | prior | baseline | Pareto k | inside 90% | mean width "
        "| right-sign mass |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for sc in scores:
        k = "not fitted" if sc.pareto_k is None else f"{sc.pareto_k:.2f}"
        base = "" if sc.baseline is None else f"{sc.baseline:.2f}"
        width = "" if sc.width is None else f"{sc.width:.3g}"
        sign = "" if sc.right_sign is None else f"{sc.right_sign:.2f}"
        lines.append(
            f"| {sc.study} | {'yes' if sc.fitted else 'no'} | {sc.posterior:.2f} | "
            f"{sc.prior:.2f} | {base} | {k} | {sc.inside} of {sc.valued} | {width} | {sign} |"
        )
    lines.append("")
    if worse:
        lines += [
            "No better than the priors, each with the reason recorded in the evidence "
            "(what the fit learned from the other studies does not carry over to these):",
            "",
            *(f"- {s.study}: {s.no_better_because}" for s in worse),
            "",
        ]
    if behind:
        lines.append(
            "No better than the baseline: " + ", ".join(behind) + ". A simple curve fitted to "
            "the other studies predicts these as well or better."
        )
    if refit:
        lines.append(
            "Pareto k above 0.7 (the study pulls the posterior too far for importance "
            "sampling; only an exact refit without it scores it reliably): "
            + ", ".join(refit)
            + "."
        )
    refitted = [s for s in scores if s.method == "refit"]
    if refitted:
        lines.append(
            "Scored by an exact refit without the study (Pareto k above 0.7; one ensemble of "
            f"{refitted[0].refit_steps} steps, the first half burn-in; PSIS estimate in "
            "brackets): "
            + ", ".join(f"{s.study} {s.posterior:.2f} ({s.psis:.2f})" for s in refitted)
            + "."
        )
    return [*lines, ""]


def _ages_text(ages: Mapping[str, Mapping[str, Any]]) -> str:
    """Where the participants' ages come from, one clause per scenario."""
    if not ages:
        return "Every study's participants share its patient's age."
    parts = []
    for key, a in ages.items():
        spread = (
            f"{a['low']:g} to {a['high']:g} years, uniform"
            if a["distribution"] == "uniform"
            else f"{a['mean']:g} +/- {a['sd']:g} years, normal"
        )
        parts.append(f"`{key}` {spread} ({a.get('from', 'no source given')})")
    return (
        "Participants are aged as their study reports: "
        + "; ".join(parts)
        + ". The other studies' participants share their patient's age."
    )


def _population_rows(result: ValidationResult) -> list[str]:
    check = result.population
    if check is None:
        return []
    row, shift = check.largest_shift
    spread = ", ".join(f"`{k}` {v:g}" for k, v in check.spread.items()) or "none"
    k_text = "not computed" if check.pareto_k is None else f"{check.pareto_k:.2f}"
    lines = [
        "## Study means over virtual participants",
        "",
        f"Between-patient spread on the bounded scale: {spread}. Each study's mean over "
        f"{check.participants} virtual participants against the median patient that the "
        f"likelihood uses, at {check.draws} draws. {_ages_text(check.ages)}",
        "",
        f"- Largest shift of a predicted study mean: {shift:+.3f} of the row's noise SD ({row}).",
        f"- Log-likelihood difference: median {check.loglik_shift[0]:+.3f}, SD "
        f"{check.loglik_shift[1]:.3f}. Reweighting the draws to the participants' "
        f"likelihood: effective share {check.importance_share:.3f}, Pareto k {k_text}.",
        "",
        "| id | between patients (SD) | between draws (SD) |",
        "| --- | --- | --- |",
    ]
    for r, sd in check.between_patient_sd.items():
        if sd > 1e-6 * check.between_draw_sd[r]:  # not round-off
            lines.append(f"| {r} | {sd:.3g} | {check.between_draw_sd[r]:.3g} |")
    return [*lines, ""]


def write_report(
    result: ValidationResult, folder: str | os.PathLike[str], *, figures: bool = True
) -> Path:
    """Write ``report.md``, ``validation.json`` and one PNG per study into ``folder``.

    Returns the path of ``report.md``.
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    by_study: dict[str, list[EndpointCheck]] = defaultdict(list)
    for c in result.checks:
        by_study[c.study or c.endpoint.id].append(c)
    inside, total = result.coverage
    right, n_dir = result.directions
    meta: dict[str, Any] = result.metadata
    lines = [
        "# dermasim validation report",
        "",
        f"Parameters: **{result.posterior}**. {DISCLAIMER}",
        "",
        f"- Endpoints with an observed value inside their 90% predictive interval: "
        f"**{inside} of {total}**.",
        f"- Direction-only endpoints with the right sign: **{right} of {n_dir}**.",
    ]
    if meta:
        lines.append(
            f"- Calibration: {meta.get('steps')} steps of {meta.get('walkers')} walkers "
            f"(seed {meta.get('seed')}, burn-in {meta.get('burn_in_steps')}, acceptance "
            f"{meta.get('acceptance_fraction', 0):.2f}, runtime "
            f"{meta.get('runtime_seconds')} s). The kept chain is "
            f"{meta.get('kept_over_autocorrelation') or 'an unknown number of'} integrated "
            "autocorrelation times long (emcee advises at least 50 for reliable tails)."
        )
    lines += [
        "",
        "This is a posterior predictive check of the studies the posterior was fitted to: the "
        "interval of a quantitative endpoint is that of a study mean (model prediction plus "
        "the row's standard error and the between-study heterogeneity), so it shows whether "
        "one parameter set can reproduce every study, not how well a new study is predicted.",
        "",
        *_out_of_sample_rows(result),
        *_population_rows(result),
        *(_convergence_rows(meta) if meta else []),
        *_chain_rows(result, out, figures),
        "## Endpoints",
        "",
        *_endpoint_rows(result),
        "",
        "## Studies",
        "",
    ]
    for study, checks in by_study.items():
        name = f"study-{study_slug(study)}.png"
        if figures:
            _study_figure(study, checks, out / name)
            lines += [f"### {study}", "", f"![{study}]({name})", ""]
        else:
            lines += [f"### {study}", ""]
    failed = [c for c in result.checks if not c.passed]
    lines += ["## Endpoints the model does not reproduce", ""]
    if not failed:
        lines += ["None: every endpoint passes.", ""]
    for c in failed:
        why = c.endpoint.disagreement or "No explanation recorded yet."
        lines += [f"- **{c.endpoint.id}** ({c.study}): {why}", ""]
    lines += ["## Parameters", "", *_parameter_rows(result), ""]
    lines += [
        "A fitted parameter is *moved by the data* when its posterior, in the whitened prior "
        "scale (standard normal under the prior), has a standard deviation below 0.7 or a "
        "median beyond 0.5.",
        "",
        "## Evidence rows not fitted",
        "",
        *[f"- {k}: {v}" for k, v in result.unused.items()],
        "",
    ]
    report = out / "report.md"

    def write_md(tmp: str) -> None:
        Path(tmp).write_text("\n".join(lines), encoding="utf-8")

    def write_json(tmp: str) -> None:
        Path(tmp).write_text(json.dumps(result.to_json_dict(), indent=2) + "\n", "utf-8")

    atomic_write(out / "validation.json", write_json)
    return atomic_write(report, write_md)
