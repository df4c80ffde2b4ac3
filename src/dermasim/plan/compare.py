"""Compare protocols for one patient: an endpoint at set times, downtime, and paired
differences from the first protocol.

Every protocol is simulated with the same parameter draws (one seed), so draw ``d`` is the
same skin under each. Each row after the reference (the first protocol that the patient may
have) gives, at each reporting day, the paired difference from the reference and
``P(better)``, the share of draws in which it does better (ties count half; lower is better
for the scar grade, redness and inflammation, higher for the rest). A protocol the patient
may not have (a contraindication, a needle deeper than the skin) is a row marked
``not a candidate`` with the reason, not an abort.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ContraindicationError, SimulationError, invalid_value
from ..model import ENDPOINTS
from ..parameters import ParameterSet, load_parameters
from ..patient import Patient
from ..protocol import Protocol, bundled_protocols
from ..simulation import Simulation
from ..solution import Solution, quantile_summary, share_better
from ..solve import SolverOptions

logger = logging.getLogger("dermasim")

__all__ = [
    "COMPARE_DAYS",
    "LOWER_IS_BETTER",
    "Comparison",
    "better_direction",
    "compare_protocols",
    "file_stems",
    "report_days",
]

#: Endpoints that improve when they fall; every other endpoint improves when it rises.
LOWER_IS_BETTER = ("scar_grade", "redness", "inflammation")


def better_direction(endpoint: str) -> str:
    """``"lower"`` or ``"higher"``: which way ``endpoint`` improves."""
    return "lower" if endpoint in LOWER_IS_BETTER else "higher"


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
    blocked: dict[str, str] = field(default_factory=dict)
    parameters: ParameterSet | None = None

    @property
    def reference(self) -> str | None:
        """Label of the protocol the others are compared with: the first one simulated."""
        return next(iter(self.solutions), None)

    @property
    def report_days(self) -> dict[str, float]:
        """Labels and days of the table columns that fall inside the horizon."""
        horizon = min(float(s.times[-1]) for s in self.solutions.values())
        return report_days(horizon)

    def rows(self) -> list[dict[str, Any]]:
        """One row per protocol, in the order given: endpoint quantiles at each reporting
        day, downtime, and (after the reference) the paired difference from the reference;
        a blocked protocol's row has ``status`` and ``reason`` only."""
        import numpy as np

        out = []
        days = self.report_days
        ref = self.reference
        better = better_direction(self.endpoint)
        for label, protocol in self.protocols.items():
            if label in self.blocked:
                out.append(
                    {
                        "protocol": label,
                        "compact": str(protocol),
                        "status": "not a candidate",
                        "reason": self.blocked[label],
                    }
                )
                continue
            sol = self.solutions[label]
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
            row: dict[str, Any] = {
                "protocol": label,
                "compact": str(protocol),
                "status": "simulated",
                self.endpoint: cells,
                "downtime_days": sol.downtime_summary(),
                "sessions": int(sol.downtime.shape[1]),
            }
            if ref is not None and label != ref:
                columns = np.searchsorted(sol.times, list(days.values()))
                base = self.solutions[ref]
                ref_columns = np.searchsorted(base.times, list(days.values()))
                diff = (
                    sol.values(self.endpoint)[:, columns]
                    - base.values(self.endpoint)[:, ref_columns]
                )
                row["vs_reference"] = {
                    name: {
                        "day": day,
                        **quantile_summary(diff[:, i]),
                        "p_better": share_better(diff[:, i], better),
                    }
                    for i, (name, day) in enumerate(days.items())
                }
            out.append(row)
        return out

    def to_json_dict(self) -> dict[str, Any]:
        """The ``dermasim.comparison/1`` JSON object."""
        first = next(iter(self.solutions.values()), None)
        return {
            "schema": "dermasim.comparison/1",
            "endpoint": self.endpoint,
            "unit": ENDPOINTS[self.endpoint][0],
            "better": better_direction(self.endpoint),
            "reference": self.reference,
            "patient": self.patient.to_dict(),
            "rows": self.rows(),
            "provenance": first.provenance() if first is not None else None,
        }

    def plot(self, path: str | os.PathLike[str] | None = None) -> Any:
        """One figure: median and 5-95% band of the endpoint for every protocol."""
        from ..plotting import plot_panels

        return plot_panels(
            self.solutions,
            endpoint=self.endpoint,
            days=self.report_days,
            path=path,
            title=self.patient.describe(),
        )

    def write(self, folder: str | os.PathLike[str]) -> list[Path]:
        """Write every solution as NetCDF and the figure as PNG into ``folder``."""
        root = Path(folder)
        names = file_stems(list(self.solutions))
        written = [
            sol.to_netcdf(root / f"{names[label]}.nc", history=f"dermasim compare: {label}")
            for label, sol in self.solutions.items()
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
    endpoint: str = "collagen_density",
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
    endpoint
        The endpoint of the table, the paired differences and the figure (any endpoint;
        ``scar_grade`` needs a patient with acne scars).

    Returns
    -------
    Comparison
        Protocols the patient may not have are rows marked ``not a candidate`` with the
        reason; the others are simulated. If none may be simulated, a one-line error says
        why.
    """
    from ..simulation import _as_patient, _check_days, _check_draws, warn_if_few_draws

    days = _check_days(days)
    warn_if_few_draws(_check_draws(draws))
    patient = _as_patient(patient)
    if endpoint not in ENDPOINTS or (endpoint == "scar_grade" and not patient.acne_scars):
        allowed = ", ".join(e for e in ENDPOINTS if e != "scar_grade" or patient.acne_scars)
        raise SimulationError(
            invalid_value("endpoint", endpoint, f"one of {allowed}", "--endpoint collagen_density")
        )
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
    blocked: dict[str, str] = {}
    for label, proto in resolved.items():  # screen every protocol before any long run
        try:
            Simulation(protocol=proto, patient=patient, parameters=ps)
        except ContraindicationError as exc:
            blocked[label] = str(exc)
    logger.info(
        "compare: %d protocols for %s (%s)",
        len(resolved),
        patient.describe(),
        "; ".join(f"{label}: not a candidate" for label in blocked) or "every one a candidate",
    )
    if len(blocked) == len(resolved):
        first = next(iter(blocked.values()))
        raise ContraindicationError(f"no protocol of the comparison may be simulated: {first}")
    solutions: dict[str, Solution] = {}
    for label, proto in resolved.items():
        if label in blocked:
            continue
        if progress is not None:
            progress(label)
        sim = Simulation(
            protocol=proto, patient=patient, parameters=ps, solver=solver or SolverOptions()
        )
        solutions[label] = sim.run(
            days=days, draws=draws, seed=seed, at=list(report_days(days).values())
        )
    return Comparison(
        patient=patient,
        protocols=resolved,
        solutions=solutions,
        endpoint=endpoint,
        blocked=blocked,
        parameters=ps,
    )
