"""Skin permeability of topical actives (intact skin; micro-channel route to come).

- :mod:`.dataset`: the bundled HuskinDB rows and the documented filter.
- :mod:`.models`: Potts-Guy (published and refitted) and the two-pathway model, with grouped
  cross-validation.
- :mod:`.intact`: :func:`intact_permeability`, log10 kp with an interval and domain warnings.
"""

from .intact import DescriptorError, IntactPermeability, intact_permeability

__all__ = ["DescriptorError", "IntactPermeability", "intact_permeability"]
