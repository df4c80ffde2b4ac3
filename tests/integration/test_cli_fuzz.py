"""Fuzz of bad input through the command line: every case exits 2 with one stderr line that
names the field, shows the value and gives the allowed range and an example.

The cases are generated, not listed: every numeric and text option of every command (read
from the command tree, so a new option is fuzzed without a new line here), mutated compact
protocol strings, every key of a patient and a protocol file, malformed ``--parameters``
archives, output paths that cannot be written, and the framework's own usage errors. A case
that starts a simulation instead of refusing its input fails on a time limit.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer

from dermasim.cli import app, main
from dermasim.cli.usage import number_kind

ROOT = Path(__file__).resolve().parents[2]
PATIENT = str(ROOT / "examples" / "patient.toml")
MN = "4 x microneedling 1.5 mm every 30 days"
HUGE = "9" * 4400  # past Python's 4,300-digit limit on int("...")

#: A valid call of each command, to which one bad value is added; small so that a case that
#: wrongly runs finishes (and fails) quickly.
BASE: dict[str, list[str]] = {
    "simulate": ["simulate", MN, "--days", "60", "--draws", "50"],
    "compare": ["compare", MN, "--days", "60", "--draws", "50"],
    "cite": ["cite"],
    "calibrate": ["calibrate", "--budget", "2", "--out", "{tmp}/calibration"],
    "validate": ["validate", "--draws", "20"],
    "permeability": ["permeability", "--mw", "287", "--logkow", "2.7"],
    "permeability-validate": ["permeability-validate"],
    "cohort": ["cohort", MN, "--n", "4", "--draws", "50", "--days", "60"],
    "trial": ["trial"],
    "sensitivity": ["sensitivity", MN, "--method", "morris", "--trajectories", "2"],
    "plan": ["plan", PATIENT, "--concern", "fine_lines", "--draws", "50"],
    "screen": ["screen", PATIENT],
    "report": ["report", MN, "--out", "{tmp}/report.html", "--draws", "50", "--days", "60"],
    "export petab": ["export", "petab", "{tmp}/petab"],
    "serve": ["serve", "--port", "8765"],
}

NOT_NUMBERS = ["abc", "1.5.2", "", "³", "0x1f", "1,5", "--", HUGE, "1e999e", "\x00", "ten"]
NOT_INTEGERS = ["1.5", "1e3", "nan"]
NOT_FINITE = ["nan", "inf", "-inf", "1e999"]
NOT_TEXT = ["", "garbage", "x" * 100_000, "\x00", "a\nb", HUGE, "³", "nan", "-1"]

#: Text options whose every value is checked by dermasim (paths are fuzzed on their own).
TEXT_OPTIONS = {
    "--days",
    "--at",
    "--horizon",
    "--endpoint",
    "--parameters",
    "--method",
    "--concern",
    "--treatments",
    "--format",
    "--vary",
    "--cluster",
    "--after-needling",
    "--concentration",
    "--dose",
    "--protocol",
}

#: Where a value is fine even though it looks odd (the case is not a bad input).
ACCEPTED = {
    ("cite", "--parameters", "-1"),
}


def _commands() -> Iterator[tuple[str, Any]]:
    def walk(command: Any, path: list[str]) -> Iterator[tuple[str, Any]]:
        subcommands = getattr(command, "commands", None)
        if subcommands is None:
            yield " ".join(path), command
            return
        for name, sub in subcommands.items():
            yield from walk(sub, [*path, name])

    yield from walk(typer.main.get_command(app), [])


def _with(base: list[str], flag: str, value: str) -> list[str]:
    """``base`` with ``flag value`` set (replacing a value already there)."""
    argv = list(base)
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    return argv


Case = tuple[str, Callable[[Path], list[str]], str, str]  # id, argv(tmp), field, value


def _fixed(argv: list[str]) -> Callable[[Path], list[str]]:
    return lambda tmp: [a.replace("{tmp}", str(tmp)) for a in argv]


#: A valid call for options that need another one (``report --concern`` takes no protocol).
BASE_FOR_OPTION = {
    ("report", "--concern"): ["report", "--patient", PATIENT, "--out", "{tmp}/r.html"],
}


def _option_cases() -> Iterator[Case]:
    for name, command in _commands():
        if name not in BASE:
            continue
        for param in command.params:
            flag = param.opts[0] if param.opts else ""
            if not flag.startswith("--") or flag == "--help":
                continue
            base = BASE_FOR_OPTION.get((name, flag), BASE[name])
            kind = number_kind(param)
            if kind is not None:
                values = NOT_NUMBERS + (NOT_INTEGERS if kind is int else NOT_FINITE)
            elif flag in TEXT_OPTIONS:
                values = NOT_TEXT
            else:
                continue
            for value in values:
                if (name, flag, value) in ACCEPTED:
                    continue
                yield (
                    f"{name} {flag} {value[:12]!r}",
                    _fixed(_with(base, flag, value)),
                    flag,
                    value,
                )


def _protocol_strings() -> Iterator[tuple[str, str]]:
    good = [
        "4 x microneedling 1.5 mm every 30 days",
        "3 x polynucleotide 2 mL 20 mg/mL at 1 mm over 60 cm2 every 28 days",
        "1 x hyaluronic_filler 1 mL over 10 cm2",
        "4 x microneedling 1.5 mm every 30 days; "
        "4 x topical growth_factor_serum 0.01 mg/mL 2 mg/cm2 0 min after needling every 30 days",
    ]
    bad_numbers = ["0", "-1", "nan", "inf", "1e999", HUGE, "³", "999", "0.0000001"]
    for text in good:
        numbers = list(re.finditer(r"\d+(\.\d+)?", text))
        for k, number in enumerate(numbers):
            for bad in bad_numbers:
                if k == 0 and bad.startswith("-"):
                    continue  # a leading "-1" reads as an option: the error says so
                mutated = text[: number.start()] + bad + text[number.end() :]
                if bad in ("999",) and text[number.end() :].startswith(" mg/cm2"):
                    continue
                yield f"number {k} of {text[:20]!r} -> {bad[:8]!r}", mutated
        words = text.split()
        for k in range(len(words)):
            dropped = " ".join(words[:k] + words[k + 1 :])
            yield f"word {k} dropped from {text[:20]!r}", dropped


#: Commands that take a protocol argument; each mutated string goes to two of them in turn.
_PROTOCOL_COMMANDS = ("simulate", "compare", "cohort", "sensitivity", "report")


def _protocol_cases() -> Iterator[Case]:
    from dermasim.protocol import Protocol

    for label, text in _protocol_strings():
        try:
            Protocol.load(text)
        except Exception:
            pass
        else:
            continue  # a valid protocol (e.g. a dropped optional word): not bad input
        for command in _PROTOCOL_COMMANDS[len(label) % len(_PROTOCOL_COMMANDS) :][:2]:
            base = list(BASE[command])
            base[1] = text
            yield f"{command} protocol {label}", _fixed(base), "protocol", ""
        base = _with(BASE["screen"], "--protocol", text)
        yield f"screen --protocol {label}", _fixed(base), "protocol", ""


PATIENT_KEYS = {
    "age": ["12", "200", "nan", "inf", '"old"', HUGE, "-45", "[45]", "{a = 1}", "true"],
    "sex": ['"x"', "1", '""', "true", '"female\\u0000"'],
    "site": ['"elbow"', "3", '""', '"che ek"'],
    "fitzpatrick": ["0", "7", '"³"', '"VII"', "3.5", "nan", HUGE, "true"],
    "uv_exposure": ['"extreme"', "2", '""'],
    "smoker": ['"yes"', "2", '"true"'],
    "acne_scars": ["5", "-1", "1.5", '"grade 2"', HUGE],
    "pregnant": ['"no"', "0.5"],
    "fish_allergy": ["3"],
}


def _patient_text(key: str, value: str) -> str:
    lines = [ln for ln in Path(PATIENT).read_text().splitlines() if not ln.startswith("#")]
    lines = [ln for ln in lines if not ln.startswith(f"{key} ")]
    return "\n".join([*lines, f"{key} = {value}"]) + "\n"


def _file_case(name: str, text: str | bytes, argv: list[str]) -> Callable[[Path], list[str]]:
    def build(tmp: Path) -> list[str]:
        path = tmp / name
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return [a.replace("{file}", str(path)).replace("{tmp}", str(tmp)) for a in argv]

    return build


def _patient_cases() -> Iterator[Case]:
    users = {
        "simulate": ["simulate", MN, "--days", "60", "--draws", "50", "--patient", "{file}"],
        "plan": ["plan", "{file}", "--concern", "fine_lines", "--draws", "50"],
        "screen": ["screen", "{file}"],
    }
    for key, values in PATIENT_KEYS.items():
        for value in values:
            text = _patient_text(key, value)
            for command, argv in users.items():
                yield (
                    f"{command} patient {key} = {value[:10]}",
                    _file_case("patient.toml", text, argv),
                    "patient file" if value == HUGE else f"patient.{key}",
                    "",
                )
    broken = {
        "unknown key": _patient_text("eyes", '"blue"'),
        "nested 5000 deep": "age = " + "[" * 5000 + "]" * 5000 + "\n",
        "malformed": "age = = 4\n",
        "not UTF-8": b'age = 45\nsex = "f\xe9male"\n',
        "binary": bytes(range(256)),
        "empty value": "age =\n",
        "BOM then malformed": "\ufeffage = = 4\n",
        "a table that is not the patient": "[person]\nage = 45\n",
    }
    for label, text in broken.items():
        for command, argv in users.items():
            yield (
                f"{command} patient file {label}",
                _file_case("patient.toml", text, argv),
                "patient",
                "",
            )


COURSE_KEYS = {
    "treatment": ['"laser"', "3", '""'],
    "sessions": ["0", "99", "1.5", '"four"', HUGE, "-1"],
    "interval_days": ["0", "-7", '"soon"', "nan", "1e999", HUGE],
    "start_day": ["-1", '"yesterday"', "nan", "99999"],
    "depth_mm": ["0", "7", "-1", "nan", '"deep"', "inf"],
    "volume_ml": ["-2", "0", "100", "nan", '"lots"'],
    "concentration_mg_per_ml": ["-1", "nan", "1e9", '"strong"'],
    "area_cm2": ["0", "-60", "1e9", "nan"],
    "colour": ['"red"'],
}


def _course_text(key: str, value: str) -> str:
    course = {
        "treatment": '"polynucleotide"',
        "sessions": "3",
        "interval_days": "28",
        "start_day": "0",
        "volume_ml": "2.0",
        "concentration_mg_per_ml": "20",
        "depth_mm": "1.0",
        "area_cm2": "60",
    }
    course[key] = value
    return "[[course]]\n" + "".join(f"{k} = {v}\n" for k, v in course.items())


def _protocol_file_cases() -> Iterator[Case]:
    for key, values in COURSE_KEYS.items():
        for value in values:
            argv = ["simulate", "{file}", "--days", "60", "--draws", "50"]
            yield (
                f"protocol file {key} = {value[:10]}",
                _file_case("plan.toml", _course_text(key, value), argv),
                "protocol file" if value == HUGE else "course[0]",
                "",
            )
    broken = {
        "nested 5000 deep": "a = " + "[" * 5000 + "]" * 5000 + "\n",
        "no course": 'name = "x"\n',
        "binary": bytes(range(256)),
        "BOM then malformed": "\ufeff[[course]\n",
        "unknown top-level key": 'nmae = "x"\n' + _course_text("sessions", "3"),
    }
    for label, text in broken.items():
        argv = ["simulate", "{file}", "--days", "60", "--draws", "50"]
        field = "course" if label == "no course" else "protocol"
        yield f"protocol file {label}", _file_case("plan.toml", text, argv), field, ""
    argv = ["simulate", "{file}", "--days", "60", "--draws", "50"]
    yield (
        "protocol file course not a table",
        _file_case("plan.toml", "course = 3\n", argv),
        "course",
        "3",
    )


def _npz(**arrays: Any) -> Callable[[Path], bytes]:
    def build(tmp: Path) -> bytes:
        path = tmp / "built.npz"
        np.savez(path, **arrays)
        return path.read_bytes()

    return build


def _parameters_cases() -> Iterator[Case]:
    names = np.array(["fibroblast_activation_rate", "pn_clearance"])
    meta = np.array("{}")
    archives: dict[str, Any] = {
        "not a zip": b"junk",
        "empty archive": _npz(),
        "no names": _npz(draws=np.ones((4, 2))),
        "no draws": _npz(names=names),
        "draws of the wrong shape": _npz(names=names, draws=np.ones(3), metadata=meta),
        "names of the wrong length": _npz(names=names, draws=np.ones((4, 3)), metadata=meta),
        "unknown parameter names": _npz(
            names=np.array(["a", "b"]), draws=np.ones((4, 2)), metadata=meta
        ),
        "nan draws": _npz(names=names, draws=np.full((4, 2), np.nan), metadata=meta),
        "draws outside the bounds": _npz(names=names, draws=np.full((4, 2), -5.0), metadata=meta),
        "object arrays": _npz(names=np.array([{"a": 1}], dtype=object), draws=np.ones((1, 1))),
        "zero draws": _npz(names=names, draws=np.ones((0, 2)), metadata=meta),
        "metadata not JSON": _npz(names=names, draws=np.ones((4, 2)), metadata=np.array("{")),
    }
    for label, content in archives.items():

        def build(tmp: Path, content: Any = content) -> list[str]:
            data = content(tmp) if callable(content) else content
            path = tmp / "posterior.npz"
            path.write_bytes(data)
            return ["simulate", MN, "--days", "60", "--draws", "50", "--parameters", str(path)]

        yield f"--parameters {label}", build, "parameters", "posterior.npz"


def _path_cases() -> Iterator[Case]:
    long_name = "x" * 300

    def under_a_file(tmp: Path) -> Path:
        (tmp / "afile").write_text("")
        return tmp / "afile" / "out"

    def a_file(tmp: Path) -> Path:
        (tmp / "afile").write_text("")
        return tmp / "afile"

    def name_taken(*names: str) -> Callable[[Path], Path]:
        def build(tmp: Path) -> Path:
            for name in names:
                (tmp / "out" / name).mkdir(parents=True)
            return tmp / "out"

        return build

    targets: dict[str, Callable[[Path], Path]] = {
        "a 300-character name": lambda tmp: tmp / long_name,
        "under a file": under_a_file,
        "a file": a_file,
        "in /sys": lambda tmp: Path("/sys/dermasim-out"),
    }
    outputs = {
        "simulate": (BASE["simulate"], "simulation.nc"),
        "compare": (BASE["compare"], "compare.json"),
        "cohort": (BASE["cohort"], "cohort.nc"),
        "trial": (BASE["trial"], "power.png"),
        "sensitivity": (BASE["sensitivity"], "sensitivity.csv"),
        "permeability-validate": (BASE["permeability-validate"], "permeability.json"),
        "validate": (BASE["validate"], "validation.json"),
    }
    for command, (base, taken) in outputs.items():
        cases = {**targets, f"{taken} already a folder": name_taken(taken)}
        for label, target in cases.items():

            def build(tmp: Path, base: list[str] = base, target: Any = target) -> list[str]:
                argv = _fixed(base)(tmp)
                return _with(argv, "--out", str(target(tmp)))

            yield f"{command} --out {label}", build, "--out", ""
    petab_targets = {**targets, "model.xml already a folder": name_taken("model.xml")}
    for label, target in petab_targets.items():
        yield (
            f"export petab {label}",
            lambda tmp, target=target: ["export", "petab", str(target(tmp))],
            "DIRECTORY",
            "",
        )
    reports = {
        "not .html": lambda tmp: tmp / "plan.pdf",
        "a folder": lambda tmp: (tmp / "r.html").mkdir() or tmp / "r.html",
        "under a file": lambda tmp: under_a_file(tmp) / "r.html",
        "a 300-character name": lambda tmp: tmp / (long_name + ".html"),
    }
    for label, target in reports.items():
        for command in ("simulate", "plan"):

            def build(tmp: Path, command: str = command, target: Any = target) -> list[str]:
                return _with(_fixed(BASE[command])(tmp), "--report", str(target(tmp)))

            yield f"{command} --report {label}", build, "--report", ""
    inputs = {
        "--patient": ["simulate", MN, "--patient"],
        "--cohort": ["cohort", MN, "--cohort"],
        "--patients": ["cohort", MN, "--patients"],
    }
    for flag, argv in inputs.items():
        for label, path in {"missing": "nobody.toml", "a folder": "."}.items():
            yield f"{flag} {label}", _fixed([*argv, path]), flag.strip("-"), ""


#: Commands whose BASE leaves an optional argument out (an extra word fills it).
OPTIONAL_ARGUMENT_LEFT_OUT = {"trial"}


def _usage_cases() -> Iterator[Case]:
    for name, command in _commands():
        if name not in BASE:
            continue
        base = BASE[name]
        yield f"{name} unknown option", _fixed([*base, "--colour", "red"]), "--colour", ""
        variadic = any(p.nargs == -1 for p in command.params)
        if not variadic and name not in OPTIONAL_ARGUMENT_LEFT_OUT:
            yield f"{name} extra argument", _fixed([*base, "surplus"]), "argument", "surplus"
        for param in command.params:
            flag = param.opts[0] if param.opts else ""
            if flag.startswith("--") and not param.is_flag and flag != "--help":
                yield f"{name} {flag} without a value", _fixed([*base, flag]), flag, ""
            elif flag.startswith("--") and param.is_flag and flag != "--help":
                yield f"{name} {flag}=3", _fixed([*base, f"{flag}=3"]), flag, "3"
    yield "unknown command", _fixed(["simulat", MN]), "command", "simulat"
    yield "group without a command", _fixed(["export"]), "command", ""
    yield "unknown subcommand", _fixed(["export", "petub"]), "command", "petub"
    yield "missing argument", _fixed(["simulate"]), "protocol", ""


CASES: list[Case] = [
    *_option_cases(),
    *_protocol_cases(),
    *_patient_cases(),
    *_protocol_file_cases(),
    *_parameters_cases(),
    *_path_cases(),
    *_usage_cases(),
]


class _RanInsteadOfRefusing(BaseException):
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _RanInsteadOfRefusing


def _overflows(value: str) -> bool:
    try:
        return float(value) == float("inf")
    except ValueError:
        return False


def _names(message: str, field: str) -> bool:
    """The field is named as the option (``--max-sessions``) or as the API's argument
    (``max_sessions``)."""
    bare = field.lstrip("-")
    return any(name in message for name in (field, bare, bare.replace("-", "_")))


def _shows(message: str, value: str) -> bool:
    if not value:
        return True
    if _overflows(value) and "= inf " in message:  # the number as read: too large, so inf
        return True
    if "protocol string: unexpected " in message:  # the grammar shows the token it stopped at
        return True
    shown = value if len(value) <= 40 else value[:25]  # a long value is cut in the middle
    return shown in message or repr(shown)[1:-1] in message


@pytest.mark.parametrize(
    ("argv", "field", "value"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, monkeypatch, argv, field, value):
    monkeypatch.chdir(tmp_path)
    args = argv(tmp_path)
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, 20.0)
    try:
        rc = main(args)
    except _RanInsteadOfRefusing:
        pytest.fail(f"ran for 20 s instead of refusing the input: {args!r:.300}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert rc == 2, (rc, err[-600:])
    assert out == "", out[:300]
    assert len(lines) == 1, err[-900:]
    message = lines[0]
    assert message.startswith("dermasim: error: "), message
    assert "Traceback" not in err and "internal error" not in message, message
    assert _names(message, field), (field, message[:600])
    assert _shows(message, value), (value[:60], message[:600])
    # the allowed values: "allowed ..." (a field) or "expected ..." (the protocol grammar)
    assert " allowed " in message or "; expected " in message, message[:600]
    assert "; for example " in message, message[:600]
    assert len(message) < 2000, message[:300]


def test_the_fuzz_covers_every_command_and_hundreds_of_inputs():
    for name, _command in _commands():
        if name in ("protocols",):  # no options to fuzz
            continue
        assert any(c[0].startswith(name) for c in CASES), name
    assert len(CASES) >= 600, len(CASES)


@pytest.mark.parametrize(
    "argv", [["{fifo}"], [MN, "--patient", "{fifo}"]], ids=["protocol", "patient"]
)
def test_a_fifo_named_toml_is_refused_without_hanging(tmp_path, argv):
    fifo = tmp_path / "plan.toml"
    os.mkfifo(fifo)
    args = [a.replace("{fifo}", str(fifo)) for a in argv]
    proc = subprocess.run(
        [sys.executable, "-m", "dermasim", "simulate", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "not a regular file" in proc.stderr, proc.stderr
    assert "for example" in proc.stderr


#: A valid call where an option only counts together with another one.
RANGE_BASE = {
    ("permeability", "--minutes-after"): [*BASE["permeability"], "--after-needling", "1mm"],
    ("permeability", "--dose"): [*BASE["permeability"], "--after-needling", "1mm"],
}


def _numeric_options() -> Iterator[tuple[str, str]]:
    for name, command in _commands():
        if name not in BASE:
            continue
        for param in command.params:
            flag = param.opts[0] if param.opts else ""
            if flag.startswith("--") and number_kind(param) is not None:
                yield name, flag


@pytest.mark.parametrize(("command", "flag"), list(_numeric_options()))
def test_the_range_in_a_usage_error_is_the_one_the_api_checks(capsys, tmp_path, command, flag):
    """A number the framework cannot read (``--draws 1.5``) is answered with the range that
    dermasim itself checks: the numbers of :data:`NUMBER_RANGES` appear in the API's own
    message for a value far outside the range."""
    from dermasim.cli.usage import NUMBER_RANGES

    allowed = NUMBER_RANGES.get(f"{command} {flag}") or NUMBER_RANGES.get(flag)
    assert allowed is not None, f"NUMBER_RANGES lacks {command} {flag}"
    base = RANGE_BASE.get((command, flag), BASE[command])
    api_messages = []
    for far in ("-99999999999", "99999999999"):
        rc = main(_fixed(_with(base, flag, far))(tmp_path))
        err = capsys.readouterr().err
        if rc == 2:
            api_messages.append(err)
    assert api_messages or "non-negative" in allowed, (command, flag)
    number = r"-?\d+(?:\.\d+)?"
    numbers = set(re.findall(number, allowed))
    found = set(re.findall(number, " ".join(api_messages)))
    assert numbers <= found, (allowed, api_messages)
