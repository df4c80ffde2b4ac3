"""The ``dermasim`` command (typer + rich): one module per command group, each a thin layer
over the Python API.

Only this package prints. Bad input exits with code 2 and one line on stderr; results go to
stdout (``--json`` prints exactly one JSON object there).

- :mod:`.course`: ``simulate``, ``compare``, ``protocols``, ``cite``
- :mod:`.calibration`: ``calibrate``, ``validate``, ``export petab``
- :mod:`.permeability`: ``permeability``, ``permeability-validate``
- :mod:`.research`: ``cohort``, ``trial``, ``sensitivity``
- :mod:`.planning`: ``plan``, ``screen``, ``report``
- :mod:`.serving`: ``serve`` (the JSON API; the ``web`` extra)
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import logging
import os
import sys
from typing import Annotated, Any

import typer

from ..errors import DermasimError
from . import calibration, course, permeability, planning, research, serving
from .support import command_line, set_command_line

__all__ = ["app", "command", "console_main", "main"]

app = typer.Typer(
    name="dermasim",
    help=(
        "Simulate dermal collagen and elastin after microneedling, polynucleotide injections "
        "and hyaluronic-acid filler. A research and planning aid, not medical advice."
    ),
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

for group in (course, calibration, permeability, research, planning, serving):
    group.register(app)


def _version_callback(value: bool) -> None:
    if value:
        from .._version import version

        sys.stdout.write(f"dermasim {version}\n")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Show the version."
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Log progress to stderr.")
    ] = False,
) -> None:
    level = logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level, stream=sys.stderr, format="dermasim: %(message)s")
    logging.getLogger("dermasim").setLevel(logging.INFO if verbose else logging.NOTSET)
    logging.getLogger("dermasim").info("running %s", command_line())


@functools.cache
def command() -> Any:
    """The ``dermasim`` click command, built from :data:`app` once a process (building it
    reads every command's signature: about 0.09 s)."""
    return typer.main.get_command(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``dermasim`` console script; returns the exit code."""
    args = sys.argv[1:] if argv is None else argv
    if not args:
        args = ["--help"]
    set_command_line(args)
    try:
        result = command().main(args=args, prog_name="dermasim", standalone_mode=False)
    except DermasimError as exc:
        sys.stderr.write(f"dermasim: error: {exc}\n")
        return 2
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        sys.stderr.write("dermasim: aborted\n")
        return 1
    except typer.TyperException as exc:  # usage errors: unknown option, bad number, ...
        from .usage import usage_message

        message = usage_message(exc, args, command())
        sys.stderr.write(f"dermasim: error: {message}\n")
        return 2
    except KeyboardInterrupt:  # before or after typer runs the command
        sys.stderr.write("dermasim: interrupted\n")
        return INTERRUPTED
    except Exception as exc:
        if os.environ.get("DERMASIM_DEBUG"):
            raise
        sys.stderr.write(
            f"dermasim: internal error: {type(exc).__name__}: {exc} "
            "(set DERMASIM_DEBUG=1 for a traceback)\n"
        )
        return 1
    if result == INTERRUPTED:  # typer turns Ctrl-C into this code (no command returns it)
        sys.stderr.write("dermasim: interrupted\n")
    return int(result) if isinstance(result, int) else 0


#: The exit code after Ctrl-C (128 + SIGINT), as shells use.
INTERRUPTED = 130


def console_main() -> None:
    """Entry point of the installed ``dermasim`` script: :func:`main`, then a quick exit.

    Once every exit handler has run (those of Numba, Dask and the standard library, which are
    registered after this one and so run before it), the log handlers are flushed and the
    process ends without freeing its modules one by one: that teardown frees Numba's LLVM
    objects and took about 0.4 s of a 1.5 s command. Outputs are never affected: every file
    is written, flushed and renamed before a command returns.
    """
    code: list[int] = [1]
    atexit.register(_end_process, code)
    code[0] = main()
    sys.exit(code[0])


def _end_process(code: list[int]) -> None:
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to deliver
            stream.flush()
    os._exit(code[0])


if __name__ == "__main__":  # pragma: no cover
    console_main()
