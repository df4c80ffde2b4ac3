"""What every ``dermasim`` command shares: consoles, output folders, JSON files, progress."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import DermasimError, SimulationError, invalid_value

__all__ = [
    "check_out",
    "check_report_path",
    "command_line",
    "console",
    "finish",
    "parse_at",
    "parse_days",
    "progress_bar",
    "set_command_line",
    "write_json",
]


_COMMAND_LINE: list[str] = []


def set_command_line(args: list[str]) -> None:
    """Remember the arguments of the command being run (for logs and file history)."""
    _COMMAND_LINE[:] = list(args)


def command_line() -> str:
    """The command being run, as a shell would read it: ``dermasim simulate ...``."""
    import shlex

    return shlex.join(["dermasim", *_COMMAND_LINE])


def console(stderr: bool = False) -> Any:
    from rich.console import Console

    console = Console(stderr=stderr, highlight=False)
    if not console.is_terminal:  # piped or captured: do not squeeze tables into 80 columns
        console = Console(stderr=stderr, highlight=False, width=160)
    return console


def check_out(
    out: Path | None,
    option: str = "--out",
    example: str = "--out out/run1",
    files: tuple[str, ...] = (),
) -> None:
    """Refuse an output folder that cannot be written, before any long run (creates nothing).

    ``files`` are the names (or glob patterns, such as ``"arm-*.nc"``) the command will write
    there: one that is already a folder is refused now rather than after the run."""
    if out is None:
        return
    try:
        _check_writable(out, option, example)
        _check_names_free(out, files, option, example)
    except OSError as exc:  # a name the file system refuses (too long, ...)
        shown = str(out) if len(str(out)) <= 80 else str(out)[:77] + "..."
        reason = exc.strerror or type(exc).__name__
        raise SimulationError(
            invalid_value(option, shown, f"a path the file system accepts ({reason})", example)
        ) from None


def _check_writable(out: Path, option: str, example: str) -> None:
    if out.exists() and not out.is_dir():
        raise SimulationError(
            invalid_value(option, str(out), "a folder (new or existing), not a file", example)
        )
    probe = out.resolve()
    while not probe.exists():
        probe = probe.parent
    try:  # the only reliable test of writability is to write (and remove) something
        os.rmdir(tempfile.mkdtemp(prefix=".dermasim-probe-", dir=probe))
    except OSError:
        raise SimulationError(
            invalid_value(option, str(out), f"a folder you can write ({probe} is not)", example)
        ) from None


def _check_names_free(out: Path, files: tuple[str, ...], option: str, example: str) -> None:
    if not out.is_dir():
        return
    for pattern in files:
        for entry in sorted(out.glob(pattern)):
            if entry.is_dir():
                raise SimulationError(
                    invalid_value(
                        option,
                        str(out),
                        f"a folder where {entry.name} is a file or absent, not a folder",
                        example,
                    )
                )


def _check_name_length(path: Path, option: str, example: str) -> None:
    """Refuse a file name longer than the file system takes (before the run, not at the
    end of it when the file is written)."""
    probe = path.parent.resolve()
    while not probe.exists():
        probe = probe.parent
    try:
        longest = os.pathconf(probe, "PC_NAME_MAX")
    except (OSError, ValueError):  # not known on this system
        return
    if len(os.fsencode(path.name)) > longest:
        raise SimulationError(
            invalid_value(option, str(path), f"a file name of at most {longest} bytes", example)
        )


def check_report_path(path: Path) -> None:
    """Refuse a report path that cannot be written, before any long run (creates nothing)."""
    example = "--report out/plan.html"
    if path.suffix.lower() not in (".html", ".htm"):
        raise SimulationError(invalid_value("--report", str(path), "a .html file", example))
    _check_name_length(path, "--report", example)  # first: a long name makes is_dir() raise
    if path.is_dir():
        raise SimulationError(
            invalid_value("--report", str(path), "a file name, not a folder", example)
        )
    check_out(path.parent, "--report", example)


def finish(
    payload: dict[str, Any],
    json_out: bool,
    show: Callable[[], None],
    report: Path | None = None,
) -> None:
    """End a command: with ``--json`` one JSON line on stdout, else the tables (``show()``) and
    the report's path when one was written."""
    if json_out:
        sys.stdout.write(json.dumps(payload) + "\n")
        return
    show()
    if report is not None:
        console().print(f"wrote {report}")


def write_json(path: Path, data: dict[str, Any]) -> None:
    from ..storage import atomic_write

    def write(tmp: str) -> None:
        Path(tmp).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")

    atomic_write(path, write)


@contextmanager
def progress_bar(label: str, unit: str = "chunks") -> Iterator[Callable[..., None]]:
    """A rich progress bar on stderr when it is a terminal; yields
    ``step(done, total, stage=None)`` (``stage`` replaces the label; a no-op when stderr
    is not a terminal: ``--verbose`` logs the steps there)."""
    err = console(stderr=True)
    if not err.is_terminal:
        yield lambda done, total, stage=None: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total} " + unit),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def step(done: int, total: int, stage: str | None = None) -> None:
            if stage is not None:
                bar.update(task, description=stage)
            bar.update(task, completed=done, total=total)

        yield step


def parse_days(text: str, option: str = "--days") -> float:
    """Read a horizon: days (``730``) or a duration (``2 years``, ``18 months``), 1 to 3650
    days; a one-line error naming the option otherwise."""
    from ..units import to_days

    allowed = "1 to 3650 days, as days or a duration such as 2 years"
    try:
        days = float(to_days(text.strip(), field=option))
    except (DermasimError, AttributeError):
        raise SimulationError(invalid_value(option, text, allowed, f"{option} 730")) from None
    if not 1.0 <= days <= 3650.0:
        raise SimulationError(invalid_value(option, text, allowed, f"{option} 730"))
    return days


def parse_at(text: str | None, days: float) -> list[float] | None:
    """Read ``--at`` as comma-separated days (or durations such as ``6 months``)."""
    if text is None:
        return None
    from ..units import to_days

    values = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        try:
            values.append(to_days(item, field="--at"))
        except DermasimError:
            raise SimulationError(
                invalid_value(
                    "--at", text, f"comma-separated days from 0 to {days:g}", "--at 0,30,120,180"
                )
            ) from None
    if not values:
        raise SimulationError(
            invalid_value(
                "--at", text, f"comma-separated days from 0 to {days:g}", "--at 0,30,120,180"
            )
        )
    return values
