r"""Matrix-metalloproteinase activity.

.. math::

    \mathrm{MMP} = \mathrm{MMP}_0(a)\,(1 + g_M\, M)

The resting level ``MMP_0`` rises with age and extrinsic exposure
(:func:`dermasim.model.ageing.mmp_basal`; about 2x in aged dermis, Fisher 2009, row AG-6);
inflammation ``M`` raises it further with gain ``g_M`` (``mmp_inflammation_gain``, assumed).
MMPs scale the degradation of collagen and elastin.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .ageing import mmp_basal

__all__ = ["mmp_activity"]


def mmp_activity(age: Any, inflammation: Any, a: dict[str, Any], xp: Any = np) -> Any:
    """MMP activity relative to the young-adult resting level."""
    return mmp_basal(age, a, xp) * (1.0 + a["mmp_inflammation_gain"] * inflammation)
