"""Which model parameters the calibration must fit: a global sensitivity screen.

The fitted set is chosen from Sobol total-order indices (Saltelli design, SALib) of the
headline endpoints (:data:`HEADLINE_TARGETS`: collagen density after each bundled treatment
course at 6 and 12 months, and the dermal thickness a filler adds) over every model
parameter within its prior. A parameter whose total index reaches ``threshold`` (default
0.05, a share of the endpoint's predictive variance) for any target must either be fitted
(:data:`~dermasim.calibration.likelihood.DEFAULT_FIT`) or have a prior set from evidence
(evidence grade other than ``assumed``). :func:`screen_fitted_set` runs the screen and
names the parameters that break the rule; the validation suite runs it on the bundled set.

Total indices are the share of variance a parameter carries together with all its
interactions (Saltelli 2010), so a parameter below the threshold for every target can be
held within its prior without hiding a large share of any headline prediction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..cohort.sensitivity import model_sensitivity
from ..parameters import ParameterSet
from .likelihood import DEFAULT_FIT

__all__ = ["HEADLINE_TARGETS", "FitScreen", "screen_fitted_set"]

#: (protocol, endpoint, day) of the headline predictions, for the default patient.
HEADLINE_TARGETS: tuple[tuple[str, str, float], ...] = (
    ("microneedling-4-monthly", "collagen_density", 180.0),
    ("microneedling-4-monthly", "collagen_density", 365.0),
    ("microneedling-6-biweekly", "collagen_density", 180.0),
    ("pn-standard", "collagen_density", 180.0),
    ("pn-standard", "collagen_density", 365.0),
    ("pn-plus-microneedling", "collagen_density", 180.0),
    ("microneedling-growth-factor-serum", "collagen_density", 180.0),
    ("ha-filler-single", "collagen_density", 180.0),
    ("ha-filler-single", "dermal_thickness", 180.0),
)


@dataclass(frozen=True)
class FitScreen:
    """Total-order Sobol indices of each headline target, and what the rule asks.

    Attributes
    ----------
    targets
        The ``(protocol, endpoint, day)`` analysed, in row order of ``total``.
    names
        Model parameter names, in column order of ``total``.
    total, total_conf
        Total-order indices and the half-widths of their 95% bootstrap intervals,
        shape ``(len(targets), len(names))``.
    threshold
        Share of predictive variance above which a parameter must be informed.
    fitted
        The fitted set the screen was checked against.
    from_evidence
        Parameters whose prior is set from evidence (grade other than ``assumed``).
    """

    targets: tuple[tuple[str, str, float], ...]
    names: tuple[str, ...]
    total: np.ndarray
    total_conf: np.ndarray
    threshold: float
    fitted: tuple[str, ...]
    from_evidence: tuple[str, ...]

    def largest(self) -> dict[str, float]:
        """Each parameter's largest total index over the targets."""
        return {n: float(self.total[:, i].max()) for i, n in enumerate(self.names)}

    def influential(self) -> tuple[str, ...]:
        """Parameters at or above the threshold for at least one target, largest first."""
        big = self.largest()
        return tuple(
            sorted((n for n, v in big.items() if v >= self.threshold), key=lambda n: -big[n])
        )

    def uninformed(self) -> tuple[str, ...]:
        """Influential parameters that are neither fitted nor set from evidence."""
        return tuple(
            n for n in self.influential() if n not in self.fitted and n not in self.from_evidence
        )

    def fitted_but_minor(self) -> tuple[str, ...]:
        """Fitted parameters below the threshold for every target."""
        big = self.largest()
        return tuple(n for n in self.fitted if big.get(n, 0.0) < self.threshold)

    def rows(self) -> list[dict[str, object]]:
        """One row per influential parameter: largest index, its target, how it is informed."""
        out = []
        for name in self.influential():
            i = self.names.index(name)
            j = int(np.argmax(self.total[:, i]))
            protocol, endpoint, day = self.targets[j]
            informed = (
                "fitted"
                if name in self.fitted
                else "prior from evidence"
                if name in self.from_evidence
                else "NOT INFORMED"
            )
            out.append(
                {
                    "parameter": name,
                    "ST": float(self.total[j, i]),
                    "ST_conf": float(self.total_conf[j, i]),
                    "target": f"{endpoint} at day {day:g} after {protocol}",
                    "informed": informed,
                }
            )
        return out


def screen_fitted_set(
    targets: Sequence[tuple[str, str, float]] = HEADLINE_TARGETS,
    *,
    fitted: Sequence[str] = DEFAULT_FIT,
    threshold: float = 0.05,
    n: int = 1024,
    seed: int = 0,
) -> FitScreen:
    """Run the screen (about 20 s per target at ``n = 1024`` on two cores).

    Parameters
    ----------
    targets
        ``(protocol, endpoint, day)`` triples (default :data:`HEADLINE_TARGETS`).
    fitted
        The fitted set to check (default :data:`DEFAULT_FIT`).
    threshold
        Share of predictive variance (total index) that requires a parameter to be
        informed (default 0.05).
    n
        Sobol base sample, a power of 2; ``n (D + 2)`` evaluations per target.
    seed
        Seed of the design.
    """
    params = ParameterSet.load()
    results = [
        model_sensitivity(protocol, endpoint=endpoint, day=day, n=n, seed=seed)
        for protocol, endpoint, day in targets
    ]
    names = results[0].names
    total = np.vstack([r.indices["ST"] for r in results])
    conf = np.vstack([r.indices["ST_conf"] for r in results])
    from_evidence = tuple(n for n in names if params[n].evidence != "assumed")
    return FitScreen(
        targets=tuple((p, e, float(d)) for p, e, d in targets),
        names=tuple(names),
        total=np.nan_to_num(total, nan=0.0),
        total_conf=np.nan_to_num(conf, nan=0.0),
        threshold=float(threshold),
        fitted=tuple(fitted),
        from_evidence=from_evidence,
    )
