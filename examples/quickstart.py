"""Simulate one microneedling course for the default patient and print the summary."""

from _common import output_folder

import dermasim

sol = dermasim.simulate("4 x microneedling 1.5 mm every 30 days", days=365, draws=50, seed=0)
summary = sol.summary(at=[0, 90, 180, 365])
for endpoint in ("collagen_density", "collagen_III", "epidermal_thickness", "dermal_thickness"):
    row = summary[endpoint]
    cells = ", ".join(
        f"day {t:g}: {m:.1f} [{lo:.1f}, {hi:.1f}]"
        for t, m, lo, hi in zip(row["t_days"], row["median"], row["p05"], row["p95"], strict=True)
    )
    print(f"{endpoint} ({row['unit']}): {cells}")
print("downtime per session (days):", sol.downtime_summary())
sol.plot(path=output_folder() / "quickstart.png")
print("research and planning aid, not medical advice")
