"""Package version, read from the installed metadata when available."""

from importlib import metadata

try:
    version = metadata.version("dermasim")
except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    version = "0.1.0"

__all__ = ["version"]
