r"""Epidermal thickness.

.. math::

    \dot E_p = g_e\,(I_e + G_\mathrm{pap}) - k_e\,(E_p - 1)

The viable epidermis (relative to the patient's resting thickness) thickens with epidermal
injury and the papillary growth-factor signal and relaxes slowly back. Direction from Aust
2008 (row MN-A08-1: stratum spinosum about 40% thicker one year after needling); both rates
are assumed.
"""

from __future__ import annotations

from typing import Any

__all__ = ["epidermis_rate"]


def epidermis_rate(
    thickness: Any, epidermal_injury: Any, g_papillary: Any, a: dict[str, Any]
) -> Any:
    """``dE_p/dt``."""
    growth = a["epidermal_growth_gain"] * (epidermal_injury + g_papillary)
    return growth - a["epidermal_relaxation_rate"] * (thickness - 1.0)
