"""Read a patient file, show the skin geometry the model uses, and run a PN course."""

from pathlib import Path

import dermasim

here = Path(__file__).parent
patient = dermasim.Patient.from_toml(here / "patient.toml")
print(patient.describe())
geometry = patient.geometry()
for layer, (top, bottom) in geometry.layer_bounds().items():
    print(f"  {layer:<17} {top:.3f} to {bottom:.3f} mm")
sol = dermasim.simulate("pn-standard", patient, days=400, draws=40)
print(sol.summary(at=[90, 365])["collagen_density"])
