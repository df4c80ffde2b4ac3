"""Concerns: what a patient wants treated, mapped to the endpoints that measure it.

A concern is the patient's words (``fine_lines``, ``laxity``, ``acne_scars``, ``texture``,
``volume_loss``, ``dullness``); an endpoint is what the model predicts. Each concern is
mapped to the endpoint through which the calibration reads the measurements of that concern
(``data/calibration/observables.toml``), so that the planner ranks courses by the quantity
the evidence rows were fitted to:

========== ======================== ==========================================================
concern    endpoint (better)        evidence rows and how the model reads them
========== ======================== ==========================================================
fine_lines collagen_density (up)    MN-K21-1: dermal density by ultrasound in a trial of fine
                                    lines and wrinkles (Kenkel2021), read as a gain times the
                                    collagen change; MN-AB18-1: wrinkle grade (Ablon2018),
                                    read through the collagen change
laxity     collagen_density (up)    MN-K21-3: elasticity, read as a gain times the collagen
                                    change; MN-AB18-2: laxity grade, read through the collagen
                                    change; elastin (MN-K21-6, MN-E15-3) shown beside it
acne_scars scar_grade (down)        MN-M19-1/2 (Minh2019), MN-M09-1 (Majid2009), PN-A21-1
                                    (Araco2021): Goodman-Baron grade or scar severity
texture    papillary_collagen (up)  MN-F14-1: micro-relief of replicas (Fabbrocini2014) and
                                    MN-K21-4/5: OCT attenuation, both read from the papillary
                                    collagen change; MN-AB18-3: texture grade
volume_loss dermal_thickness (up)   HA-M21-1..4 (HAmeta2021) and HA-N08-1 (Narins2008): WSRS,
                                    read through the collagen change and the gel's thickness;
                                    dermal thickness in mm includes the gel
dullness   epidermal_thickness (up) no row measures radiance (PN-L24-1's radiance score has no
                                    observable); the epidermis is the nearest endpoint:
                                    MN-K21-2 (ultrasound) and MN-A08-1 (histology, Aust2008)
========== ======================== ==========================================================

Each concern also names its standard course, the baseline a plan is compared with: the
needling norm of Harris2015 (row MN-H15-1: median 3 sessions, 4 weeks apart, 1.5 mm) for the
concerns that needling studies treat, and one filler session of 1 mL over 10 cm2 (the bundled
``ha-filler-single``; volume assumed) for volume loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from ..errors import SimulationError, invalid_value
from ..model import ENDPOINTS

__all__ = ["CONCERNS", "Concern", "get_concern"]

#: Harris2015's needling norm (row MN-H15-1): 3 sessions, 4 weeks apart, 1.5 mm needles.
NEEDLING_NORM = "3 x microneedling 1.5 mm every 28 days"


@dataclass(frozen=True)
class Concern:
    """A patient's concern and how the planner scores a course for it.

    Attributes
    ----------
    name
        The concern, e.g. ``"fine_lines"``.
    endpoint
        The endpoint the plan's gain is read from.
    better
        ``"higher"`` or ``"lower"``: which way the endpoint improves.
    also_shown
        Endpoints reported beside the gain.
    rows
        Evidence rows that measure the concern (``evidence/clinical_endpoints.csv``).
    standard
        The standard course for the concern, as a compact string.
    standard_source
        Where the standard course comes from.
    note
        How the rows reach the endpoint, in a sentence.
    """

    name: str
    endpoint: str
    better: str
    also_shown: tuple[str, ...]
    rows: tuple[str, ...]
    standard: str
    standard_source: str
    note: str

    def __post_init__(self) -> None:
        for name in (self.endpoint, *self.also_shown):
            if name not in ENDPOINTS:  # a programming error in the table below
                raise ValueError(f"unknown endpoint {name!r} for concern {self.name!r}")
        if self.better not in ("higher", "lower"):
            raise ValueError(f"better must be 'higher' or 'lower', not {self.better!r}")

    @property
    def unit(self) -> str:
        """Unit of the endpoint."""
        return ENDPOINTS[self.endpoint][0]

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable description."""
        return {
            "name": self.name,
            "endpoint": self.endpoint,
            "unit": self.unit,
            "better": self.better,
            "also_shown": list(self.also_shown),
            "rows": list(self.rows),
            "standard": self.standard,
            "standard_source": self.standard_source,
            "note": self.note,
        }


_NEEDLING_SOURCE = "Harris2015 (row MN-H15-1): median 3 sessions, 4 weeks apart, 1.5 mm"

CONCERNS: MappingProxyType[str, Concern] = MappingProxyType(
    {
        c.name: c
        for c in (
            Concern(
                "fine_lines",
                "collagen_density",
                "higher",
                ("papillary_collagen", "epidermal_thickness"),
                ("MN-K21-1", "MN-AB18-1"),
                NEEDLING_NORM,
                _NEEDLING_SOURCE,
                "dermal density and wrinkle grade are read through the dermal collagen change",
            ),
            Concern(
                "laxity",
                "collagen_density",
                "higher",
                ("elastin", "dermal_thickness"),
                ("MN-K21-3", "MN-AB18-2", "MN-K21-6", "MN-E15-3"),
                NEEDLING_NORM,
                _NEEDLING_SOURCE,
                "elasticity and laxity grade are read through the dermal collagen change",
            ),
            Concern(
                "acne_scars",
                "scar_grade",
                "lower",
                ("collagen_density",),
                ("MN-M19-1", "MN-M19-2", "MN-M09-1", "PN-A21-1"),
                NEEDLING_NORM,
                _NEEDLING_SOURCE,
                "the Goodman-Baron grade is the model's scar_grade",
            ),
            Concern(
                "texture",
                "papillary_collagen",
                "higher",
                ("epidermal_thickness", "collagen_density"),
                ("MN-F14-1", "MN-K21-4", "MN-K21-5", "MN-AB18-3"),
                NEEDLING_NORM,
                _NEEDLING_SOURCE,
                "micro-relief and OCT attenuation are read through the papillary collagen change",
            ),
            Concern(
                "volume_loss",
                "dermal_thickness",
                "higher",
                ("collagen_density",),
                ("HA-M21-1", "HA-M21-2", "HA-M21-3", "HA-M21-4", "HA-N08-1"),
                "1 x hyaluronic_filler 1 mL over 10 cm2",
                "the bundled ha-filler-single course (1 mL over 10 cm2, assumed)",
                "WSRS is read through the collagen change and the gel; dermal thickness "
                "includes the gel",
            ),
            Concern(
                "dullness",
                "epidermal_thickness",
                "higher",
                ("papillary_collagen",),
                ("MN-K21-2", "MN-A08-1"),
                NEEDLING_NORM,
                _NEEDLING_SOURCE,
                "no row measures radiance: the epidermis is the nearest endpoint",
            ),
        )
    }
)
"""Concern name -> :class:`Concern` (see the module docstring for the mapping)."""


def get_concern(name: Any) -> Concern:
    """The :class:`Concern` called ``name`` (case and dashes forgiven).

    Raises
    ------
    SimulationError
        One line naming the value, the concerns and an example.
    """
    key = name
    if isinstance(name, str):
        key = name.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in CONCERNS:
        raise SimulationError(
            invalid_value("concern", name, "one of " + ", ".join(CONCERNS), "--concern fine_lines")
        )
    return CONCERNS[key]
