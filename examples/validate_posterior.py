"""Check the bundled posterior against the evidence, and compare posterior with prior.

A quick version of ``dermasim validate --out DIR`` (which uses 400 draws): 60 draws, a
Markdown report with one figure per study, and the same course under posterior and prior.
"""

from _common import output_folder

import dermasim
from dermasim.calibration import write_report

result = dermasim.validate(draws=60, seed=0)
inside, total = result.coverage
right, n_dir = result.directions
print(f"parameters: {result.posterior}")
print(f"{inside} of {total} observed values inside their 90% predictive interval")
print(f"{right} of {n_dir} direction-only findings with the right sign")
for check in result.checks[:3]:
    e = check.endpoint
    print(
        f"  {e.id} ({check.study}, day {e.day:g}): observed {check.observed}, "
        f"predicted {check.median:.3g} [{check.p05:.3g}, {check.p95:.3g}] {check.unit}"
    )
report = write_report(result, output_folder() / "validation")
print("report:", report.name)

for parameters in ("posterior", "prior"):
    sol = dermasim.simulate(
        "microneedling-4-monthly", days=180, draws=100, seed=0, parameters=parameters
    )
    p05, median, p95 = sol.quantiles("collagen_density", at=[180])[:, 0]
    print(f"{parameters:9s} collagen_density at 6 months: {median:.1f} [{p05:.1f}, {p95:.1f}] %")
print("dermasim is a research and planning aid, not medical advice.")
