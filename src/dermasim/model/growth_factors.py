r"""Growth-factor signal (TGF-beta and PDGF lumped), at quasi-steady state.

.. math::

    G = M + w_T\, A_T

TGF-beta decays at 9-15 /day (Waugh 2006, row WH-1; Jin 2011, row WH-2), an order of
magnitude faster than any other rate of the model, so ``G`` follows its sources: inflammation
``M`` after an injury and, with weight ``w_T`` (``topical_growth_weight``, assumed), the
activation ``A_T`` by a topical growth-signal active (:mod:`dermasim.model.topical`). Taking
the quasi-steady state removes the model's only stiff mode. Polynucleotides are not a source:
they act on fibroblasts through adenosine A2A receptors, not through the wound cascade
(:mod:`dermasim.model.fibroblasts`).
"""

from __future__ import annotations

from typing import Any

__all__ = ["growth_factor"]


def growth_factor(inflammation: Any, topical_activation: Any, a: dict[str, Any]) -> Any:
    """Quasi-steady growth-factor signal ``G``."""
    return inflammation + a["topical_growth_weight"] * topical_activation
