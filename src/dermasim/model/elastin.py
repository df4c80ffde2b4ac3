r"""Elastin: tropoelastin, functional elastic fibres and elastotic material.

.. math::

    \dot T &= \mathrm{cap}\,k_E\,(F_q + \beta_T F_a) - k_T T \\
    \dot E &= k_T T - k_E\,\mathrm{MMP}\,E \\
    \dot X &= \epsilon\, x - c_X M X

Fibroblasts make tropoelastin ``T`` (activated ones ``beta_T`` times more), which matures
into functional fibres ``E`` at ``k_T``; fibres turn over slowly (``k_E``, from an assumed
half-life of decades) in proportion to MMP activity. Elastotic material ``X`` (solar
elastosis) accumulates at ``epsilon`` times the extrinsic exposure ``x`` and is cleared by
inflammation. After needling, elastotic material is cleared while tropoelastin rises, so
total elastic material can fall while new elastin is made (ElDomyati 2015, rows MN-E15-2 and
MN-E15-3). All elastin parameters are assumed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["elastin_rates"]


def elastin_rates(
    tropoelastin: Any,
    elastin: Any,
    elastotic: Any,
    quiescent: Any,
    activated: Any,
    inflammation: Any,
    cap: Any,
    mmp: Any,
    a: dict[str, Any],
) -> tuple[Any, Any, Any]:
    """``(dT/dt, dE/dt, dX/dt)``."""
    matured = a["tropoelastin_maturation_rate"] * tropoelastin
    d_t = (
        cap * a["elastin_turnover"] * (quiescent + a["activated_tropoelastin_boost"] * activated)
        - matured
    )
    d_e = matured - a["elastin_turnover"] * mmp * elastin
    d_x = (
        a["elastosis_rate"] * a["exposure"]
        - a["elastotic_clearance_gain"] * inflammation * elastotic
    )
    return d_t, d_e, d_x
