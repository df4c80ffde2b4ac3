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


__all__ = ["plot_comparison", "plot_power_curve", "plot_sensitivity", "plot_solution"]

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
) -> Figure:
    """Median and 5-95% band of one endpoint for several protocols on one axis."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for label, sol in solutions.items():
        p05, p50, p95 = sol.quantiles(endpoint)
        t = sol.times / DAYS_PER_MONTH
        (line,) = ax.plot(t, p50, lw=1.6, label=label)
        ax.fill_between(t, p05, p95, alpha=0.12, color=line.get_color())
    unit = next(iter(solutions.values())).dataset[endpoint].attrs["units"]
    ax.axhline(0.0, color="0.3", lw=0.8)
    ax.set_xlabel("month of simulation")
    ax.set_ylabel(f"{endpoint} [{unit}]")
    first = next(iter(solutions.values())).dataset.attrs.get("parameters", "")
    ax.set_title(f"{endpoint}: median and 5-95% interval ({first}; not medical advice)", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
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
