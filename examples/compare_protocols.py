"""Compare three courses for a 58-year-old with high UV exposure, with shared draws."""

from _common import output_folder

import dermasim

patient = dermasim.Patient(age=58, sex="female", site="cheek", uv_exposure="high")
result = dermasim.compare_protocols(
    ["no-treatment", "microneedling-4-monthly", "pn-standard"],
    patient,
    days=400,
    draws=40,
    seed=1,
)
print(f"collagen_density, % from baseline, median [5th, 95th percentile] | {patient.describe()}")
for row in result.rows():
    cells = "  ".join(
        f"{label}: {c['median']:.1f} [{c['p05']:.1f}, {c['p95']:.1f}]"
        for label, c in row["collagen_density"].items()
    )
    dt = row["downtime_days"]
    print(f"{row['protocol']:<24} {cells}  downtime/session: {dt['median']:.1f} d")
    if "vs_reference" in row:  # the same draws as the first protocol: a paired difference
        paired = row["vs_reference"]["6 mo"]
        print(
            f"{'':<24} vs {result.reference} at 6 months: {paired['median']:+.1f} "
            f"[{paired['p05']:+.1f}, {paired['p95']:+.1f}], P(better) {paired['p_better']:.2f}"
        )
result.plot(path=output_folder() / "compare.png")
print("wrote", output_folder() / "compare.png")
