"""Read a patient file, show the skin geometry the model uses, and run a PN course."""

from pathlib import Path

from _common import output_folder

import dermasim

patient = dermasim.Patient.from_toml(Path(__file__).with_name("patient.toml"))
print(patient.describe())
for layer, (top, bottom) in patient.geometry().layer_bounds().items():
    print(f"  {layer:<17} {top:.3f} to {bottom:.3f} mm below the surface")

sol = dermasim.simulate("pn-standard", patient, days=400, draws=40, seed=0)
for endpoint, row in sol.summary(at=[90, 365]).items():
    if endpoint in ("collagen_density", "collagen_content", "dermal_thickness"):
        cells = ", ".join(
            f"day {t:g}: {m:.2f} [{lo:.2f}, {hi:.2f}]"
            for t, m, lo, hi in zip(
                row["t_days"], row["median"], row["p05"], row["p95"], strict=True
            )
        )
        print(f"{endpoint} ({row['unit']}): {cells}")
sol.plot(["collagen_density", "collagen_content"], path=output_folder() / "patient.png")
