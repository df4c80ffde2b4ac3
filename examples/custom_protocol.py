"""Load a TOML protocol with three courses, print its compact form, simulate and plot it."""

from pathlib import Path

from _common import output_folder

import dermasim

protocol = dermasim.Protocol.from_toml(Path(__file__).with_name("custom_protocol.toml"))
print(protocol.name)
print(protocol)  # the canonical compact string, which parses back to the same protocol
assert dermasim.Protocol.parse(str(protocol)) == protocol
sol = dermasim.simulate(protocol, days=365, draws=40, seed=3)
print(sol.summary(at=[365])["collagen_density"])
sol.plot(
    ["collagen_density", "collagen_III", "elastin", "dermal_thickness"],
    path=output_folder() / "custom_protocol.png",
)
