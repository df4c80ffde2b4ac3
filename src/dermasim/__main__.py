"""``python -m dermasim``: the ``dermasim`` command."""

from .cli import console_main

if __name__ == "__main__":  # pragma: no cover
    console_main()
