"""Skin permeability of topical actives: intact skin and the micro-channel route.

- :mod:`.dataset`: the bundled HuskinDB rows and the documented filter.
- :mod:`.models`: Potts-Guy (published and refitted) and the two-pathway model, with grouped
  cross-validation.
- :mod:`.intact`: :func:`intact_permeability`, log10 kp with an interval and domain warnings.
- :mod:`.channels`: :func:`needled_skin_delivery`, delivery through closing micro-channels
  after microneedling (enhancement, amount over 24 h).
- :mod:`.validation`: cross-validated error and the microneedle enhancement evidence.
"""

from .channels import ChannelDelivery, Interval, needled_skin_delivery
from .intact import DescriptorError, IntactPermeability, intact_permeability

__all__ = [
    "ChannelDelivery",
    "DescriptorError",
    "IntactPermeability",
    "Interval",
    "intact_permeability",
    "needled_skin_delivery",
]
