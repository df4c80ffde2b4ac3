"""Matplotlib figures (matplotlib is imported lazily, inside each function)."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from .storage import atomic_write

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.figure import Figure


class Solution(Protocol):
    """What the figures read of a :class:`dermasim.solution.Solution`."""

    @property
    def dataset(self) -> xr.Dataset: ...

    @property
    def endpoints(self) -> tuple[str, ...]: ...

    @property
    def times(self) -> np.ndarray: ...

    def quantiles(self, endpoint: str) -> np.ndarray: ...


__all__ = [
    "PLAIN_LABELS",
    "plain_label",
    "plot_comparison",
    "plot_panels",
    "plot_plan",
    "plot_power_curve",
    "plot_sensitivity",
    "plot_solution",
]

#: Endpoint -> the words a clinician reads on an axis.
PLAIN_LABELS: dict[str, str] = {
    "collagen_density": "collagen, % change from before treatment",
    "collagen_content": "collagen, % of a young adult's",
    "papillary_collagen": "upper-dermis collagen, % change from before treatment",
    "collagen_I": "type I collagen, % change from before treatment",
    "collagen_III": "type III collagen, % change from before treatment",
    "elastin": "elastic fibres, % change from before treatment",
    "tropoelastin": "new elastin (tropoelastin), % change from before treatment",
    "epidermal_thickness": "epidermis thickness, % change from before treatment",
    "dermal_thickness": "dermis thickness, mm (filler gel included)",
    "inflammation": "inflammation (arbitrary units)",
    "redness": "redness and swelling (arbitrary units)",
    "scar_grade": "acne-scar grade (0 none to 4 severe)",
}


def plain_label(endpoint: str) -> str:
    """The plain-language axis label of an endpoint (its name if it has none)."""
    return PLAIN_LABELS.get(endpoint, endpoint)


DAYS_PER_MONTH = 365.25 / 12

_DEFAULT_ENDPOINTS = (
    "collagen_density",
    "papillary_collagen",
    "collagen_I",
    "collagen_III",
    "elastin",
    "tropoelastin",
    "epidermal_thickness",
    "dermal_thickness",
)


def _pyplot() -> Any:
    try:
        import matplotlib

        if not os.environ.get("MPLBACKEND") and not os.environ.get("DISPLAY"):
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise ImportError("plotting needs matplotlib: pip install 'dermasim[plot]'") from exc
    return plt


def _save(fig: Figure, path: str | os.PathLike[str] | None) -> None:
    if path is None:
        return
    suffix = os.path.splitext(str(path))[1].lstrip(".") or "png"
    atomic_write(path, lambda tmp: fig.savefig(tmp, format=suffix, dpi=120))


def plot_solution(
    solution: Solution,
    endpoints: Sequence[str] | None = None,
    path: str | os.PathLike[str] | None = None,
) -> Figure:
    """One panel per endpoint: median line, 5-95% band, dotted lines at sessions."""
    plt = _pyplot()
    names = list(endpoints or [e for e in _DEFAULT_ENDPOINTS if e in solution.endpoints])
    cols = 2 if len(names) > 1 else 1
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(5.5 * cols, 2.6 * rows), squeeze=False, sharex=True
    )
    t = solution.times
    sessions = solution.dataset["session_day"].values
    for ax, name in zip(axes.flat, names, strict=False):
        p05, p50, p95 = solution.quantiles(name)
        ax.fill_between(t, p05, p95, alpha=0.25, label="5-95%")
        ax.plot(t, p50, lw=1.6, label="median")
        for day in sessions:
            ax.axvline(day, color="0.5", lw=0.6, ls=":")
        ax.set_title(f"{name} [{solution.dataset[name].attrs['units']}]", fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("day of simulation")
    axes.flat[0].legend(fontsize=7, loc="best")
    attrs = solution.dataset.attrs
    fig.suptitle(
        f"{attrs['protocol']}  |  {attrs['draws']} draws, seed {attrs['seed']}", fontsize=9
    )
    fig.tight_layout()
    _save(fig, path)
    return fig


def plot_comparison(
    solutions: Mapping[str, Solution],
    endpoint: str = "collagen_density",
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
) -> Figure:
    """Median and 5-95% band of one endpoint for several protocols on one axis, with each
    protocol's session days marked under the curves; ``title`` (e.g. the patient) heads it."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    marks = []
    for label, sol in solutions.items():
        p05, p50, p95 = sol.quantiles(endpoint)
        t = sol.times / DAYS_PER_MONTH
        (line,) = ax.plot(t, p50, lw=1.6, label=label)
        ax.fill_between(t, p05, p95, alpha=0.12, color=line.get_color())
        marks.append((sol.dataset["session_day"].values / DAYS_PER_MONTH, line.get_color()))
    for k, (days, color) in enumerate(marks):  # session ticks, one row per protocol
        ax.plot(days, np.full(len(days), -0.04 - 0.03 * k), "|", color=color, ms=8,
                transform=ax.get_xaxis_transform(), clip_on=False)  # fmt: skip
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xlabel(
        "months from the first session (ticks below: sessions)", labelpad=6 + 8 * len(marks)
    )
    ax.set_ylabel(plain_label(endpoint))
    first = next(iter(solutions.values())).dataset.attrs.get("parameters", "")
    heading = f"{title}\n" if title else ""
    ax.set_title(f"{heading}median and 5-95% interval ({first}; not medical advice)", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    _save(fig, path)
    return fig


def plot_panels(
    solutions: Mapping[str, Solution],
    endpoint: str = "collagen_density",
    days: Mapping[str, float] | None = None,
    path: str | os.PathLike[str] | None = None,
    title: str | None = None,
) -> Figure:
    """One panel per protocol on a shared axis: the endpoint's median and 5-95% band over
    time, the sessions as dotted lines, and a dot with its interval at each reporting day
    (``days``: label -> day, e.g. ``{"3 mo": 90}``); ``title`` (the patient) heads it."""
    plt = _pyplot()
    n = len(solutions)
    cols = min(n, 3)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(
        rows, cols, figsize=(4.2 * cols, 3.0 * rows + 0.6), squeeze=False, sharex=True, sharey=True
    )
    for ax, (label, sol) in zip(axes.flat, solutions.items(), strict=False):
        p05, p50, p95 = sol.quantiles(endpoint)
        t = sol.times / DAYS_PER_MONTH
        ax.fill_between(t, p05, p95, alpha=0.2, color="C0")
        ax.plot(t, p50, lw=1.5, color="C0")
        for day in sol.dataset["session_day"].values:
            ax.axvline(day / DAYS_PER_MONTH, color="0.5", lw=0.6, ls=":")
        for day in (days or {}).values():
            column = int(np.searchsorted(sol.times, day))
            if column < len(sol.times) and sol.times[column] == day:
                ax.errorbar(
                    day / DAYS_PER_MONTH, p50[column],
                    yerr=[[p50[column] - p05[column]], [p95[column] - p50[column]]],
                    fmt="o", color="C3", ms=4, capsize=3,
                )  # fmt: skip
        ax.axhline(0.0, color="0.3", lw=0.8)
        ax.set_title(label, fontsize=8)
        ax.grid(alpha=0.3)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("months from the first session")
    for ax in axes[:, 0]:
        ax.set_ylabel(plain_label(endpoint), fontsize=8)
    parameters = next(iter(solutions.values())).dataset.attrs.get("parameters", "")
    heading = f"{title}\n" if title else ""
    fig.suptitle(
        f"{heading}median and 5-95% interval; dotted lines: sessions\n"
        f"({parameters}; not medical advice)",
        fontsize=8,
    )
    fig.tight_layout()
    _save(fig, path)
    return fig


def plot_plan(data: Mapping[str, Any], path: str | os.PathLike[str] | None = None) -> Figure:
    """Dot-and-interval chart of a plan (the ``dermasim.plan/1`` object): the gain at the
    horizon (left) and the course's total downtime (right) of the baselines and each plan,
    medians with 5-95% intervals."""
    plt = _pyplot()
    rows = [b for b in data["baselines"] if "gain" in b] + list(data["plans"])
    labels = [r.get("name") or f"plan {r['rank']}" for r in rows]
    fig, (left, right) = plt.subplots(
        1, 2, figsize=(9, 0.45 * len(rows) + 1.6), sharey=True, gridspec_kw={"width_ratios": [2, 1]}
    )
    y = np.arange(len(rows))[::-1]
    for ax, key in ((left, "gain"), (right, "total_downtime_days")):
        med = np.array([r[key]["median"] for r in rows])
        lo = np.array([r[key]["p05"] for r in rows])
        hi = np.array([r[key]["p95"] for r in rows])
        colors = ["0.45" if "name" in r else "C0" for r in rows]
        ax.hlines(y, lo, hi, colors=colors, lw=2)
        ax.scatter(med, y, c=colors, zorder=3)
        ax.grid(alpha=0.3, axis="x")
    left.set_yticks(y, labels)
    gain = rows[0]["gain"]
    left.set_xlabel(f"{plain_label(gain['endpoint'])}\nat day {gain['t_days']:g}")
    right.set_xlabel("days of redness over the course")
    left.axvline(rows[0]["gain"]["median"], color="0.6", lw=0.8, ls=":")
    fig.suptitle(f"{data.get('title', data['concern'])} (not medical advice)", fontsize=9)
    fig.tight_layout()
    _save(fig, path)
    return fig


def plot_sensitivity(data: Mapping[str, Any], path: str | os.PathLike[str] | None = None) -> Figure:
    """Bars of a ``dermasim.sensitivity/1`` object's indices (ranked), with 95% intervals."""
    plt = _pyplot()
    rows = list(data["indices"])[::-1]
    names = [r["parameter"] for r in rows]
    fig, ax = plt.subplots(figsize=(7.5, 0.35 * len(names) + 1.6))
    y = np.arange(len(names))
    if data["method"] == "sobol":
        for offset, key, label in ((-0.18, "S1", "first order"), (0.18, "ST", "total")):
            ax.barh(
                y + offset,
                [r[key] for r in rows],
                height=0.36,
                xerr=[r[f"{key}_conf"] for r in rows],
                label=label,
            )
        ax.set_xlabel("Sobol index (share of the variance), with 95% interval")
        ax.legend(loc="lower right")
    else:
        ax.barh(y, [r["mu_star"] for r in rows], xerr=[r["mu_star_conf"] for r in rows])
        ax.set_xlabel("Morris mu* (mean absolute elementary effect), with 95% interval")
    ax.set_yticks(y, names)
    target = data.get("target", {})
    ax.set_title(
        f"{target.get('endpoint', 'output')} at day {target.get('t_days', '?'):g}: "
        f"{target.get('protocol', '')}",
        fontsize=9,
    )
    fig.tight_layout()
    _save(fig, path)
    return fig


def plot_power_curve(data: Mapping[str, Any], path: str | os.PathLike[str] | None = None) -> Figure:
    """Power against patients per arm of a ``dermasim.trial/1`` object: the probability of
    success with the 5-95% band of the power conditional on the parameters."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for name, comparison in data["comparisons"].items():
        curve = comparison["power_curve"]
        n = [row["n_per_arm"] for row in curve]
        line = ax.plot(n, [row["power"] for row in curve], marker="o", label=f"{name}")[0]
        ax.fill_between(
            n,
            [row["conditional_power"]["p05"] for row in curve],
            [row["conditional_power"]["p95"] for row in curve],
            color=line.get_color(),
            alpha=0.2,
            linewidth=0,
        )
    ax.axhline(0.8, color="0.6", linestyle=":", linewidth=1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("patients per arm")
    ax.set_ylabel(f"probability of success (alpha = {data['alpha']:g}, two-sided)")
    ep = data["endpoint"]
    ax.set_title(
        f"{ep['name']} at day {ep['t_days']:g} against {data['control']}\n"
        "line: mean over the posterior; band: 5-95% of the power given the parameters",
        fontsize=9,
    )
    ax.legend(loc="lower right")
    fig.tight_layout()
    _save(fig, path)
    return fig
