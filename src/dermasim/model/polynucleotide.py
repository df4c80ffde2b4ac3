r"""Polynucleotide (PN/PDRN) pharmacology: intradermal depot and A2A-receptor activation.

.. math::

    \dot P = -k_P\, P, \qquad A = \frac{P}{P + K_A}

``P`` is the depot in a layer (mg/cm2), filled at each session by the injected dose over the
treated area (:mod:`dermasim.model.treatments`). ``A`` in [0, 1] is the activation of
adenosine A2A receptors through which PN raises fibroblast proliferation and collagen
synthesis and damps inflammation (Squadrito 2017, row PN-MECH-1; Thellung 1999, PN-MECH-2).

Parameters: ``pn_clearance`` (``k_P``) and ``pn_half_activation`` (``K_A``), both assumed
with wide priors: no human measurement of either was found.
"""

from __future__ import annotations

from typing import Any

__all__ = ["pn_activation", "pn_depot_rate"]


def pn_activation(depot: Any, a: dict[str, Any]) -> Any:
    """A2A-receptor activation ``A = P / (P + K_A)``."""
    return depot / (depot + a["pn_half_activation"])


def pn_depot_rate(depot: Any, a: dict[str, Any]) -> Any:
    """``dP/dt``: first-order clearance of the depot."""
    return -a["pn_clearance"] * depot
