"""dermasim: skin collagen and elastin after regenerative aesthetic treatments."""

__version__ = "0.1.0"
