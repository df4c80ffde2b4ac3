"""Simulate one microneedling course for the default patient and print a summary."""

from _common import output_folder

import dermasim

sol = dermasim.simulate("4 x microneedling 1.5 mm every 30 days", days=365, draws=50, seed=0)
print(sol.dataset.attrs["protocol"], "|", dermasim.Patient().describe())
print("median [5th, 95th percentile] over", sol.dataset.sizes["draw"], "parameter draws")

summary = sol.summary(at=[0, 90, 180, 365])
for endpoint in ("collagen_density", "collagen_III", "epidermal_thickness", "dermal_thickness"):
    row = summary[endpoint]
    digits = 2 if row["unit"] == "mm" else 1
    cells = ", ".join(
        f"day {t:g}: {m:.{digits}f} [{lo:.{digits}f}, {hi:.{digits}f}]"
        for t, m, lo, hi in zip(row["t_days"], row["median"], row["p05"], row["p95"], strict=True)
    )
    print(f"{endpoint} ({row['unit']}): {cells}")

dt = sol.downtime_summary()
print(f"downtime per session: {dt['median']:.1f} [{dt['p05']:.1f}, {dt['p95']:.1f}] days")
sol.plot(path=output_folder() / "quickstart.png")
print("dermasim is a research and planning aid, not medical advice.")
