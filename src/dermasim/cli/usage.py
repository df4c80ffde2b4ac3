"""Usage errors of the command-line framework, rewritten in dermasim's one-line form.

The framework (typer) refuses some input before a command runs: a number it cannot read, an
unknown option or command, a missing argument or option value. Its own messages name the
option but not the value, the allowed range or an example ("Input should be a valid
number"). :func:`usage_message` gives the same line as every other bad input::

    --draws = '1.5' is not valid: allowed an integer from 1 to 10000; for example --draws 200

The ranges of the numeric options are listed here, as the Python API checks them; a test
pins each one to the API's own message for an out-of-range value.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from ..errors import invalid_value

__all__ = ["COMMAND_EXAMPLES", "NUMBER_RANGES", "number_kind", "usage_message"]

#: A valid call of each command, shown where a usage error has no better example.
COMMAND_EXAMPLES: dict[str, str] = {
    "dermasim": "dermasim simulate microneedling-4-monthly",
    "dermasim simulate": "dermasim simulate microneedling-4-monthly --days 730",
    "dermasim compare": "dermasim compare no-treatment microneedling-4-monthly",
    "dermasim protocols": "dermasim protocols",
    "dermasim cite": "dermasim cite --format bibtex",
    "dermasim calibrate": "dermasim calibrate --budget 1500 --out calibration",
    "dermasim validate": "dermasim validate --draws 400",
    "dermasim export": "dermasim export petab out/petab",
    "dermasim export petab": "dermasim export petab out/petab",
    "dermasim permeability": "dermasim permeability --mw 287 --logkow 2.7",
    "dermasim permeability-validate": "dermasim permeability-validate",
    "dermasim cohort": "dermasim cohort microneedling-4-monthly --n 500",
    "dermasim trial": "dermasim trial microneedling-vs-none",
    "dermasim sensitivity": "dermasim sensitivity microneedling-4-monthly --day 180",
    "dermasim plan": "dermasim plan examples/patient.toml --concern fine_lines",
    "dermasim screen": "dermasim screen examples/patient.toml",
    "dermasim report": "dermasim report microneedling-4-monthly --out out/report.html",
    "dermasim serve": "dermasim serve --port 8765",
}

_SEED = "an integer from 0 to 4294967295"
_DRAWS = "an integer from 1 to 10000"

#: What each numeric option accepts: ``"command --option"`` first, then ``"--option"``.
NUMBER_RANGES: dict[str, str] = {
    "--draws": _DRAWS,
    "validate --draws": "an integer from 20 to 5000",
    "--seed": "a non-negative integer",
    "validate --seed": _SEED,
    "permeability --seed": _SEED,
    "permeability-validate --seed": _SEED,
    "calibrate --seed": "an integer from 0 to 4294967231",
    "sensitivity --seed": "an integer from 0 to 2147483646",
    "calibrate --budget": "an integer from 2 to 1000000 ensemble steps",
    "calibrate --workers": "an integer from 1 to 64",
    "calibrate --chains": "an integer from 1 to 64",
    "validate --refit-steps": "0 or an integer from 100 to 20000",
    "validate --virtual-patients": "an integer from 1 to 256",
    "--workers": "an integer from 1 to 256",
    "cohort --n": "an integer from 1 to 1000000",
    "cohort --chunk-size": "an integer from 1 to 10000000",
    "sensitivity --n": "a power of two from 16 to 65536",
    "sensitivity --trajectories": "an integer from 2 to 10000",
    "sensitivity --top": "an integer from 1 to 1000",
    "sensitivity --day": "1 to 3650 days",
    "plan --max-sessions": "an integer from 1 to 24",
    "plan --max-downtime-days": "0 to 60 days",
    "plan --top": "an integer from 1 to 20",
    "permeability --mw": "1 to 500000 Da",
    "serve --port": "an integer from 1 to 65535",
    "permeability --logkow": "-5 to 10",
    "permeability --minutes-after": "0 to 1440 minutes, with --after-needling",
    "permeability --dose": "0.01 to 50 mg of product per cm2, with --after-needling",
}

#: Examples for numeric options without a default to show.
_NUMBER_EXAMPLES = {
    "--mw": "287",
    "--logkow": "2.7",
    "--n": "500",
    "--max-sessions": "4",
    "--max-downtime-days": "6",
    "--workers": "2",
    "--dose": "2",
}


def _command(context: Any) -> str:
    return context.command_path if context is not None else "dermasim"


def _example(command: str) -> str:
    parts = command.split()
    while parts:
        example = COMMAND_EXAMPLES.get(" ".join(parts))
        if example is not None:
            return example
        parts.pop()
    return COMMAND_EXAMPLES["dermasim"]


def _given_value(exc: Any, flags: list[str], argv: list[str]) -> str | None:
    """The text the user gave: from the parser's error, else from the command line."""
    errors = getattr(exc.__cause__, "errors", None)
    if callable(errors):
        with contextlib.suppress(Exception):  # a parser error of another shape: use argv
            found = errors()[0].get("input")
            if isinstance(found, str):
                return found
    for i, token in enumerate(argv):
        for flag in flags:
            if token == flag and i + 1 < len(argv):
                return argv[i + 1]
            if token.startswith(flag + "="):
                return token[len(flag) + 1 :]
    return None


def _allowed_number(command: str, flag: str, kind: Any) -> str:
    name = command.removeprefix("dermasim ").strip()
    found = NUMBER_RANGES.get(f"{name} {flag}") or NUMBER_RANGES.get(flag)
    if found is not None:
        return found
    return "an integer" if kind is int else "a number"


def _option_names(context: Any) -> list[str]:
    if context is None:
        return []
    return [p.opts[0] for p in context.command.params if p.opts and p.opts[0].startswith("--")]


def number_kind(param: Any) -> Any:
    """``int`` or ``float`` for a numeric option (``int | None`` included), else None."""
    import typing

    annotation = getattr(getattr(param, "type_descriptor", None), "annotation", None)
    kinds = [k for k in (annotation, *typing.get_args(annotation)) if k in (int, float)]
    return kinds[0] if kinds else None


def _bad_parameter(exc: Any, command: str, argv: list[str]) -> str:
    param = exc.param
    flag = param.opts[0] if param.opts else param.name
    kind = number_kind(param)
    value = _given_value(exc, list(param.opts), argv) or ""  # invalid_value cuts a long one
    if kind in (int, float):
        allowed = _allowed_number(command, flag, kind)
        return invalid_value(flag, value, allowed, f"{flag} {_param_example(param) or '1'}")
    reason = " ".join(str(exc.message).split())
    return invalid_value(flag, value, reason, _example(command))


def _command_of(root: Any, argv: list[str]) -> Any:
    """The (sub)command that ``argv`` names under the click group ``root``."""
    command = root
    for token in argv:
        sub = getattr(command, "commands", {}).get(token)
        if sub is None:
            break
        command = sub
    return command


def _param_example(param: Any) -> str | None:
    """A valid value of an option: its default, else a listed example."""
    default = param.default
    if isinstance(default, str | int | float) and not isinstance(default, bool):
        return str(default)
    return _NUMBER_EXAMPLES.get(param.opts[0] if param.opts else "")


def _option_example(command: Any, flag: str, fallback: str) -> str:
    for param in getattr(command, "params", []):
        if flag in param.opts:
            sample = _param_example(param)
            if sample is not None:
                return f"{flag} {sample}"
    return fallback


def usage_message(exc: Any, argv: list[str], root: Any = None) -> str:
    """The one-line message for a usage error ``exc`` raised while parsing ``argv``.

    Parameters
    ----------
    exc
        A ``typer``/``click`` usage exception (``BadParameter``, ``NoSuchOption``,
        ``MissingParameter``, ``BadOptionUsage``, ``UsageError``).
    argv
        The command line's arguments (without the program name).
    root
        The ``dermasim`` click group, to find the command of an error raised without one.
    """
    from typer._click import exceptions as click_errors

    context = getattr(exc, "ctx", None)
    command = _command(context)
    example = _example(command)
    if isinstance(exc, click_errors.MissingParameter):
        param = exc.param
        name = param.opts[0] if param is not None and param.opts else str(exc.param_hint or "")
        described = " ".join(str(getattr(param, "help", "") or "").split()).rstrip(".")
        allowed = described[:1].lower() + described[1:] if described else "a value"
        return f"{name} is missing: allowed {allowed} ({command} --help); for example {example}"
    if isinstance(exc, click_errors.NoSuchOption):
        options = ", ".join(_option_names(context)) or "none"
        return invalid_value(
            "option", exc.option_name, f"an option of {command}: {options}", example
        )
    if isinstance(exc, click_errors.BadParameter) and exc.param is not None:
        return _bad_parameter(exc, command, argv)
    if isinstance(exc, click_errors.BadOptionUsage):  # no value, or one for a flag
        flag = exc.option_name
        message = exc.format_message()
        if "does not take a value" in message:
            reason = f"no value ({flag} is a switch: give it alone)"
        elif "requires an argument" in message:
            reason = f"a value after {flag}"
        else:
            reason = " ".join(message.split()).rstrip(".")
        where = _command_of(root, argv) if context is None and root is not None else None
        if where is not None:
            path = ["dermasim", *argv[: argv.index(where.name) + 1]] if where.name in argv else []
            example = _option_example(where, flag, _example(" ".join(path)))
        value = _given_value(exc, [flag], argv)
        if value is None or value.startswith("-"):
            value = ""
        return invalid_value(flag, value, reason, example)
    message = " ".join(exc.format_message().split())
    sub = getattr(context, "command", None)
    commands = getattr(sub, "commands", None)
    if commands is not None:  # a group: an unknown command or none at all
        names = ", ".join(sorted(commands))
        given = next((a for a in argv if a in message or f"'{a}'" in message), "")
        hint = f" ({message})" if given else f" ({command} needs a command)"
        return invalid_value("command", given, f"one of {names}{hint}", example)
    if message.startswith("Got unexpected extra argument"):
        found = re.search(r"\(([^()]*)\)$", message)
        extra = found.group(1) if found else message
        return invalid_value(
            "argument", extra, f"only the arguments of {command} ({command} --help)", example
        )
    return invalid_value("command line", " ".join(argv), message, example)
