"""Shared helper of the examples: the folder they write figures to."""

import os
from pathlib import Path


def output_folder() -> Path:
    """``$DERMASIM_EXAMPLES_OUT`` if set, else ``out/examples``; created if needed."""
    folder = Path(os.environ.get("DERMASIM_EXAMPLES_OUT", "out/examples"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
