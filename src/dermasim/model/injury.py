r"""Injury and inflammation.

.. math::

    \dot I = -k_I\, I, \qquad
    \dot M = \frac{k_{MI}\, I}{1 + d_A A} - k_M\, M

``I`` is the injured fraction of a layer (or of the epidermis, ``I_e``), cleared first-order
as the tissue heals; ``M`` is inflammatory activity (0 at rest, arbitrary scale), produced by
injury, damped by polynucleotide A2A activation ``A`` and cleared at ``k_M``.

Parameters: ``injury_clearance`` (``k_I``; epidermis almost recovered 5 days after needling,
Schmitt 2018, row MN-S18-1), ``inflammation_production`` (``k_MI``, assumed),
``inflammation_clearance`` (``k_M``; 0.2-0.6 /day in wound models, Waugh 2006 and Jin 2011,
row WH-5; the phase ends by day 2-5, WH-6), ``pn_inflammation_damping`` (``d_A``, assumed;
direction from Squadrito 2017).
"""

from __future__ import annotations

from typing import Any

__all__ = ["inflammation_rate", "injury_rate"]


def injury_rate(injury: Any, a: dict[str, Any]) -> Any:
    """``dI/dt`` for a layer's (or the epidermis') injured fraction."""
    return -a["injury_clearance"] * injury


def inflammation_rate(injury: Any, inflammation: Any, activation: Any, a: dict[str, Any]) -> Any:
    """``dM/dt``: production by injury (damped by PN activation) minus clearance."""
    produced = (
        a["inflammation_production"] * injury / (1.0 + a["pn_inflammation_damping"] * activation)
    )
    return produced - a["inflammation_clearance"] * inflammation
