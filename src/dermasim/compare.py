"""Compare protocols for one patient: collagen density at set times, and downtime."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .parameters import ParameterSet, load_parameters
from .patient import Patient
from .protocol import Protocol, bundled_protocols
from .simulation import Simulation
from .solution import Solution
from .solve import SolverOptions

__all__ = ["COMPARE_DAYS", "Comparison", "compare_protocols", "file_stems", "report_days"]

#: Reporting times of the comparison table, days (about 3, 6, 12 and 24 months).
COMPARE_DAYS: dict[str, float] = {"3 mo": 90.0, "6 mo": 180.0, "12 mo": 365.0, "24 mo": 730.0}


def file_stems(labels: list[str], max_length: int = 80) -> dict[str, str]:
    """Safe, distinct file names (without suffix) for protocol labels.

    Bundled names are kept; other labels (compact strings may hold ``/`` as in ``mg/mL``)
    keep letters, digits, ``.``, ``-`` and ``_``, other runs of characters becoming ``_``.
    """
    stems: dict[str, str] = {}
    used: set[str] = set()
    for label in labels:
        base = re.sub(r"[^A-Za-z0-9._-]+", "_", label).strip("._")[:max_length] or "protocol"
        stem, k = base, 2
        while stem in used:
            stem, k = f"{base}_{k}", k + 1
        used.add(stem)
        stems[label] = stem
    return stems


def report_days(horizon: float) -> dict[str, float]:
    """Columns of the comparison table inside ``horizon``; the horizon itself if none is."""
    inside = {k: v for k, v in COMPARE_DAYS.items() if v <= horizon}
    return inside or {f"day {horizon:g}": float(horizon)}


@dataclass(frozen=True)
class Comparison:
    """Solutions of several protocols for one patient, with a summary table."""

    patient: Patient
    protocols: dict[str, Protocol]
    solutions: dict[str, Solution]
    endpoint: str = "collagen_density"

    @property
    def report_days(self) -> dict[str, float]:
        """Labels and days of the table columns that fall inside the horizon."""
        horizon = min(float(s.times[-1]) for s in self.solutions.values())
        return report_days(horizon)

    def rows(self) -> list[dict[str, Any]]:
        """One row per protocol: endpoint quantiles at each reporting day, and downtime."""
        out = []
        days = self.report_days
        for label, sol in self.solutions.items():
            q = sol.quantiles(self.endpoint, at=list(days.values()))
            cells = {
                name: {
                    "day": day,
                    "median": float(q[1, i]),
                    "p05": float(q[0, i]),
                    "p95": float(q[2, i]),
                }
                for i, (name, day) in enumerate(days.items())
            }
            out.append(
                {
                    "protocol": label,
                    "compact": str(self.protocols[label]),
                    self.endpoint: cells,
                    "downtime_days": sol.downtime_summary(),
                    "sessions": int(sol.dataset.sizes["session"]),
                }
            )
        return out

    def to_json_dict(self) -> dict[str, Any]:
        """The ``dermasim.comparison/1`` JSON object."""
        first = next(iter(self.solutions.values()))
        return {
            "schema": "dermasim.comparison/1",
            "endpoint": self.endpoint,
            "unit": first.dataset[self.endpoint].attrs["units"],
            "patient": self.patient.to_dict(),
            "rows": self.rows(),
            "provenance": first.provenance(),
        }

    def plot(self, path: str | os.PathLike[str] | None = None) -> Any:
        """One figure: median and 5-95% band of the endpoint for every protocol."""
        from .plotting import plot_comparison

        return plot_comparison(self.solutions, endpoint=self.endpoint, path=path)

    def write(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write every solution as NetCDF and the figure as PNG into ``folder``."""
        root = Path(folder)
        names = file_stems(list(self.solutions))
        written = [
            sol.to_netcdf(root / f"{names[label]}.nc") for label, sol in self.solutions.items()
        ]
        fig = self.plot(path=root / f"compare_{self.endpoint}.png")
        import matplotlib.pyplot as plt

        plt.close(fig)
        written.append(root / f"compare_{self.endpoint}.png")
        return written


def _label(spec: Protocol | str, protocol: Protocol, used: set[str]) -> str:
    base = (
        spec
        if isinstance(spec, str) and spec in bundled_protocols()
        else (protocol.name or str(protocol))
    )
    label, k = base, 2
    while label in used:
        label, k = f"{base} ({k})", k + 1
    used.add(label)
    return label


def compare_protocols(
    protocols: Sequence[Protocol | str] | Protocol | str | None = None,
    patient: Patient | Mapping[str, Any] | str | os.PathLike[str] | None = None,
    *,
    days: float = 730,
    draws: int = 200,
    seed: int = 0,
    parameters: str | ParameterSet = "posterior",
    solver: SolverOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> Comparison:
    """Simulate several protocols for one patient with the same parameter draws.

    Parameters
    ----------
    protocols
        Protocols, compact strings, bundled names or TOML paths; None compares the bundled
        set (no treatment, PN course, two microneedling schedules, one filler session, PN
        with microneedling).
    patient
        The patient; None for the default patient.
    days, draws, seed
        As for :func:`dermasim.simulate`. The same seed gives every protocol the same
        parameter draws, so differences between rows are differences between protocols.
    parameters
        As for :func:`dermasim.simulate`: the bundled posterior by default.
    progress
        Called with each protocol's label before it is simulated.
    """
    from .simulation import _as_patient, _check_days

    days = _check_days(days)
    patient = _as_patient(patient)
    ps = load_parameters(parameters)
    if isinstance(protocols, str | Protocol):
        protocols = [protocols]
    specs: Sequence[Protocol | str] = (
        list(bundled_protocols()) if not protocols else list(protocols)
    )
    resolved: dict[str, Protocol] = {}
    used: set[str] = set()
    for spec in specs:
        proto = spec if isinstance(spec, Protocol) else Protocol.load(spec)
        resolved[_label(spec, proto, used)] = proto
    for proto in resolved.values():  # fail fast, before any long run
        Simulation(protocol=proto, patient=patient, parameters=ps)
    solutions: dict[str, Solution] = {}
    for label, proto in resolved.items():
        if progress is not None:
            progress(label)
        sim = Simulation(
            protocol=proto, patient=patient, parameters=ps, solver=solver or SolverOptions()
        )
        solutions[label] = sim.run(
            days=days, draws=draws, seed=seed, at=list(report_days(days).values())
        )
    return Comparison(patient=patient, protocols=resolved, solutions=solutions)
