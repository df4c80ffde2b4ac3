"""The same filler placed in the dermis and below it: what each does to the dermis.

Gel in the dermis (the default, as for folds) thickens the dermis by its hydrated volume and
stretches fibroblasts, a modest collagen stimulus; gel below the dermis
(``subdermal``, as for the volume loss of lipoatrophy) lifts the skin without either.
"""

import dermasim

ENDPOINTS = ["dermal_thickness", "collagen_density"]
for plane in ("dermal", "subdermal"):
    protocol = dermasim.Protocol.parse(f"hyaluronic_filler 1 mL {plane} over 10 cm2")
    sol = dermasim.simulate(protocol, days=180, draws=100, seed=0)
    rows = sol.summary(at=[30, 180])
    print(protocol)
    for name in ENDPOINTS:
        row = rows[name]
        unit = sol.dataset[name].attrs.get("units", "")
        for i, day in enumerate((30, 180)):
            print(
                f"  {name} day {day}: {row['median'][i]:.2f} {unit} "
                f"[{row['p05'][i]:.2f}, {row['p95'][i]:.2f}]"
            )
