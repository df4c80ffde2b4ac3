"""``python -m dermasim.cli``: the ``dermasim`` command."""

from . import console_main

if __name__ == "__main__":  # pragma: no cover
    console_main()
