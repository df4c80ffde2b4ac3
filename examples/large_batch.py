"""Many parameter draws at a few report days with the compiled backend, checked against SciPy.

``daily=False`` keeps only day 0, the ``at`` days and the horizon, so memory grows with
draws x report days instead of draws x every day; each trajectory takes its own steps.
"""

import time

import numpy as np
from _common import output_folder

import dermasim
from dermasim import Protocol, Simulation, SolverOptions

protocol = Protocol.parse("4 x microneedling 1.5 mm every 30 days")
report = [90, 180, 365]

compiled = Simulation(protocol=protocol, solver=SolverOptions(backend="compiled"))
compiled.run(days=365, draws=10, at=report, daily=False)  # loads (or first compiles) the kernel
start = time.perf_counter()
big = compiled.run(days=365, draws=20_000, seed=0, at=report, daily=False)
seconds = time.perf_counter() - start
print(f"20000 draws x {big.dataset.sizes['time']} days kept: {seconds:.2f} s")
row = big.summary(at=report)["collagen_density"]
for t, m, lo, hi in zip(row["t_days"], row["median"], row["p05"], row["p95"], strict=True):
    print(f"collagen_density day {t:g}: {m:.1f} % [{lo:.1f}, {hi:.1f}]")

# the same 200 draws with both backends
scipy = Simulation(protocol=protocol, solver=SolverOptions(backend="scipy"))
a = compiled.run(days=365, draws=200, seed=1, at=report, daily=False)
b = scipy.run(days=365, draws=200, seed=1, at=report, daily=False)
gap = np.abs(a.dataset["collagen_density"] - b.dataset["collagen_density"]).max().item()
print(f"largest compiled-vs-SciPy difference over 200 draws: {gap:.2e} percentage points")

out = output_folder() / "large_batch.nc"
big.to_netcdf(out)
print(f"wrote {out.name}; dermasim {dermasim.__version__}")
print("dermasim is a research and planning aid, not medical advice.")
