"""Read a protocol with two courses from TOML, print its compact form, simulate, plot."""

from pathlib import Path

from _common import output_folder

import dermasim

protocol = dermasim.Protocol.from_toml(Path(__file__).with_name("custom_protocol.toml"))
print(protocol.name)
print(protocol)  # the canonical compact string
assert dermasim.Protocol.parse(str(protocol)) == protocol  # it parses back to the same courses
for session in protocol.sessions():
    print(f"  day {session.day:g}: {session.course.treatment}")

sol = dermasim.simulate(protocol, days=365, draws=40, seed=3)
row = sol.summary(at=[365])["collagen_density"]
print(
    f"collagen_density at day 365: {row['median'][0]:.1f} % "
    f"[{row['p05'][0]:.1f}, {row['p95'][0]:.1f}] (median [5th, 95th percentile])"
)
sol.plot(
    ["collagen_density", "collagen_III", "elastin", "dermal_thickness"],
    path=output_folder() / "custom_protocol.png",
)
print("wrote", output_folder() / "custom_protocol.png")
