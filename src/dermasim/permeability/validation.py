"""Checks of the permeability models: cross-validated error and the enhancement evidence.

:func:`permeability_validation` reproduces, in one call, the filter of the HuskinDB rows, the
fits, their grouped-by-compound cross-validated RMSE of log10 kp next to the published
Potts-Guy coefficients (row PG-1) on the same rows, and the open-channel enhancement
predicted for each microneedle study (rows MC-7 to MC-10,
``data/permeability/enhancement.toml``), with pass/fail. ``dermasim permeability-validate``
prints it and writes it as Markdown.
"""

from __future__ import annotations

import csv
import io
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import check_integer
from ..storage import atomic_write
from .channels import Interval, delivery_draws
from .dataset import filter_report, filtered_rows
from .intact import check_descriptors
from .models import fit_linear, fit_two_pathway, grouped_cv_rmse

__all__ = [
    "EnhancementRow",
    "PermeabilityValidation",
    "enhancement_rows",
    "permeability_validation",
    "write_permeability_report",
]

SCHEMA = "dermasim.permeability-validation/1"
#: Needle length of every enhancement scenario (not given by the studies; see the data file).
SCENARIO_NEEDLE_MM = 0.5
CV_FOLDS = 10


@dataclass(frozen=True)
class EnhancementRow:
    """One enhancement evidence row and its scenario."""

    id: str
    source_value: str
    compound: str
    study: str
    smiles: str
    mw: float
    log_kow: float
    observed: tuple[float, float]
    scenario: str
    disagreement: str = ""
    not_significant: bool = False
    indirect: str = ""
    note: str = ""

    @property
    def observed_centre(self) -> float:
        """The reported value, or the geometric middle of a reported range."""
        low, high = self.observed
        return float(np.sqrt(low * high))


@dataclass(frozen=True)
class EnhancementCheck:
    """A row against its predicted open-channel enhancement (90% interval)."""

    row: EnhancementRow
    predicted: Interval
    quantile: float
    warnings: tuple[str, ...]

    @property
    def log10_error(self) -> float:
        """log10 of the observed value (or range middle) over the predicted median."""
        return float(np.log10(self.row.observed_centre / self.predicted.median))

    @property
    def passed(self) -> bool:
        low, high = self.row.observed
        return high >= self.predicted.p05 and low <= self.predicted.p95


@dataclass(frozen=True)
class PermeabilityValidation:
    """Result of :func:`permeability_validation`."""

    rows_total: int
    rows_kept: int
    compounds_kept: int
    outliers: tuple[str, ...]
    cv_rmse: dict[str, float]
    checks: tuple[EnhancementCheck, ...]

    def order_checks(self) -> list[tuple[str, str, bool]]:
        """Pairs of rows whose observed values are ordered without overlap, ``(lower,
        higher, predicted medians in the same order)``."""
        pairs = []
        for a in self.checks:
            for b in self.checks:
                if a.row.observed[1] < b.row.observed[0]:
                    same = a.predicted.median < b.predicted.median
                    pairs.append((a.row.id, b.row.id, same))
        return pairs

    def to_json_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "filter": {
                "rows": self.rows_total,
                "kept": self.rows_kept,
                "compounds": self.compounds_kept,
                "outliers": list(self.outliers),
            },
            "cv_rmse_log10_kp": self.cv_rmse,
            "enhancement": [
                {
                    "id": c.row.id,
                    "compound": c.row.compound,
                    "observed": list(c.row.observed),
                    **c.predicted.to_json_dict(),
                    "quantile": c.quantile,
                    "log10_error": c.log10_error,
                    "not_significant": c.row.not_significant,
                    "pass": c.passed,
                    "warnings": list(c.warnings),
                }
                for c in self.checks
            ],
            "coverage": {
                "inside": sum(c.passed for c in self.checks),
                "total": len(self.checks),
            },
            "order": [
                {"lower": low, "higher": high, "reproduced": same}
                for low, high, same in self.order_checks()
            ],
        }


def enhancement_rows() -> tuple[EnhancementRow, ...]:
    """The bundled enhancement scenarios (rows MC-7 to MC-10)."""
    path = resources.files("dermasim") / "data" / "permeability" / "enhancement.toml"
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    rows = []
    for item in data["row"]:
        low, high = item["observed"]
        rows.append(
            EnhancementRow(
                id=item["id"],
                source_value=item["source_value"],
                compound=item["compound"],
                study=item["study"],
                smiles=item["smiles"],
                mw=float(item["mw"]),
                log_kow=float(item["log_kow"]),
                observed=(float(low), float(high)),
                scenario=item["scenario"],
                disagreement=item.get("disagreement", ""),
                not_significant=bool(item.get("not_significant", False)),
                indirect=item.get("indirect", ""),
                note=item.get("note", ""),
            )
        )
    return tuple(rows)


def permeability_validation(*, seed: int = 0) -> PermeabilityValidation:
    """Filter, fit, cross-validate, and check the enhancement rows.

    Parameters
    ----------
    seed
        Seed of the cross-validation folds and of the prediction draws.
    """
    seed = check_integer("seed", seed, 0, 2**32 - 1, "--seed 0")
    report = filter_report()
    kept = filtered_rows()
    cv = {
        "potts_guy_published": grouped_cv_rmse(None, kept, folds=CV_FOLDS, seed=seed),
        "potts_guy_refit": grouped_cv_rmse(fit_linear, kept, folds=CV_FOLDS, seed=seed),
        "two_pathway": grouped_cv_rmse(fit_two_pathway, kept, folds=CV_FOLDS, seed=seed),
    }
    checks = []
    for row in enhancement_rows():
        _, _, warnings = check_descriptors(row.mw, row.log_kow)
        draws = delivery_draws(row.mw, row.log_kow, SCENARIO_NEEDLE_MM, False, 1.0, seed)
        enhancement = draws["enhancement_open_channels"]
        quantile = float(np.mean(enhancement <= row.observed_centre))
        checks.append(EnhancementCheck(row, Interval.of(enhancement), quantile, warnings))
    return PermeabilityValidation(
        rows_total=len(report),
        rows_kept=len(kept),
        compounds_kept=len({r.compound for r in kept}),
        outliers=tuple(f"{r.compound}: {why}" for r, why in report if why.startswith("outlier")),
        cv_rmse=cv,
        checks=tuple(checks),
    )


def markdown(result: PermeabilityValidation) -> str:
    """The validation as a Markdown page."""
    cv = result.cv_rmse
    lines = [
        "# Permeability validation",
        "",
        "Intact-skin data: HuskinDB rows after the documented filter "
        f"(`dermasim.permeability.dataset`): {result.rows_kept} of {result.rows_total} rows, "
        f"{result.compounds_kept} compounds; outliers flagged and left out: "
        + ("; ".join(result.outliers) or "none")
        + ".",
        "",
        f"## Cross-validated error ({CV_FOLDS}-fold, grouped by compound, same rows)",
        "",
        "| model | RMSE of log10 kp (cm/s) |",
        "| --- | --- |",
        f"| Potts-Guy, published coefficients (PG-1) | {cv['potts_guy_published']:.2f} |",
        f"| Potts-Guy form, refitted | {cv['potts_guy_refit']:.2f} |",
        f"| two-pathway (lipid + aqueous pore), dermasim's model | {cv['two_pathway']:.2f} |",
        "",
        "## Enhancement by microneedles (open channels, in vitro)",
        "",
        "Predicted: median [5%, 95%] of the open-channel flux enhancement; a row passes when "
        "its reported value or range overlaps the interval. Quantile: where the observed value "
        "(the geometric middle of a range) falls in the predicted distribution; log10 error: "
        "log10(observed / predicted median).",
        "",
        "| id | study | compound | MW | log Kow | observed | predicted | quantile | "
        "log10 error | pass |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in result.checks:
        low, high = c.row.observed
        observed = f"{low:g}" if low == high else f"{low:g} to {high:g}"
        if c.row.not_significant:
            observed += " (n.s.)"
        p = c.predicted
        lines.append(
            f"| {c.row.id} | {c.row.study} | {c.row.compound} | {c.row.mw:.1f} | "
            f"{c.row.log_kow:.2f} | {observed} | {p.median:.3g} [{p.p05:.3g}, {p.p95:.3g}] | "
            f"{c.quantile:.2f} | {c.log10_error:+.2f} | {'yes' if c.passed else '**no**'} |"
        )
    lines += ["", "Scenarios:", ""]
    for c in result.checks:
        extra = f" Indirect evidence: {c.row.indirect}." if c.row.indirect else ""
        extra += " The study found the gain not significant." if c.row.not_significant else ""
        extra += f" Note: {c.row.note}." if c.row.note else ""
        lines.append(f"- {c.row.id}: {c.row.scenario}.{extra}")
    by_id = {c.row.id: c for c in result.checks}
    lines += [
        "",
        "Order: pairs of rows whose observed values do not overlap, and whether the predicted "
        "medians keep their order:",
        "",
    ]
    for lower, higher, same in result.order_checks():
        a, b = by_id[lower], by_id[higher]
        lines.append(
            f"- {lower} ({a.row.compound}) below {higher} ({b.row.compound}): "
            + ("kept" if same else "**not kept**")
            + f" ({a.predicted.median:.3g} vs {b.predicted.median:.3g})"
        )
    missed = [c for c in result.checks if not c.passed or c.row.disagreement]
    if missed:
        lines += ["", "## What the model does not reproduce", ""]
        lines += [
            f"- {c.row.id} ({c.row.compound}): {c.row.disagreement or 'no reason recorded yet.'}"
            for c in missed
        ]
    warned = [c for c in result.checks if c.warnings]
    if warned:
        lines += ["", "Extrapolation warnings:", ""]
        lines += [f"- {c.row.id}: " + "; ".join(c.warnings) for c in warned]
    return "\n".join(lines) + "\n"


def _write_text(path: Path, text: str) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_permeability_report(result: PermeabilityValidation, directory: Path) -> Path:
    """Write ``permeability.md`` and the filter decisions ``permeability-filter.csv``.

    Parameters
    ----------
    result
        The validation to write.
    directory
        Output folder (created if missing); files are written atomically.

    Returns
    -------
    pathlib.Path
        The path of ``permeability.md``.
    """
    directory.mkdir(parents=True, exist_ok=True)
    page = directory / "permeability.md"
    _write_text(page, markdown(result))
    table = io.StringIO()
    writer = csv.writer(table, lineterminator="\n")
    writer.writerow(["compound", "log10_kp_cm_s", "log_kow", "mw", "decision"])
    for r, why in filter_report():
        writer.writerow([r.compound, r.log_kp_cm_s, r.log_kow, r.mw, why or "kept"])
    _write_text(directory / "permeability-filter.csv", table.getvalue())
    return page
