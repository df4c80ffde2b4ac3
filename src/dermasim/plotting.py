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


__all__ = ["plot_comparison", "plot_solution"]

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
