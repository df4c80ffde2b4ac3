"""Print the README's prediction table: the bundled protocols for the default patient.

Run ``python docs/generate_readme_table.py [--draws N]`` after refitting the posterior and
paste the table into README.md. Each protocol is simulated with the same ``N`` posterior
draws (seed 0, default 8000), keeping only the report days. The largest Monte-Carlo error
of a median in the table (bootstrap standard error over the draws, 200 resamples) is printed
below it, so the table's precision is stated, not assumed.
"""

from __future__ import annotations

import argparse

import numpy as np

from dermasim import Patient, Protocol, Simulation
from dermasim.plan.compare import COMPARE_DAYS
from dermasim.protocol import bundled_protocols

DAYS = tuple(COMPARE_DAYS.values())
LABELS = tuple(COMPARE_DAYS)


def _cell(values: np.ndarray) -> str:
    p05, p50, p95 = np.quantile(values, [0.05, 0.5, 0.95])
    return f"{p50:.1f} [{p05:.1f}, {p95:.1f}]"


def _median_error(values: np.ndarray, rng: np.random.Generator) -> float:
    picks = rng.integers(0, values.size, size=(200, values.size))
    return float(np.std(np.median(values[picks], axis=1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=8000)
    args = parser.parse_args()
    rng = np.random.default_rng(1)
    lines = [
        "| protocol | " + " | ".join(LABELS) + " | downtime per session [days] |",
        "| --- | " + " | ".join("---" for _ in LABELS) + " | --- |",
    ]
    worst = 0.0
    for name in bundled_protocols():
        sim = Simulation(protocol=Protocol.load(name), patient=Patient())
        sol = sim.run(days=730, draws=args.draws, seed=0, at=list(DAYS), daily=False)
        values = sol.values("collagen_density")
        columns = np.searchsorted(sol.times, DAYS)
        cells = [_cell(values[:, c]) for c in columns]
        worst = max(worst, *(_median_error(values[:, c], rng) for c in columns))
        downtime = sol.downtime_summary()
        down = f"{downtime['median']:.1f} [{downtime['p05']:.1f}, {downtime['p95']:.1f}]"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {down} |")
    print("\n".join(lines))
    print(f"\nlargest Monte-Carlo error of a median: {worst:.2f} points ({args.draws} draws)")


if __name__ == "__main__":
    main()
