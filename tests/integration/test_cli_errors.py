"""Bad input: exit code 2 and one line naming field, value, allowed range and an example."""

import pytest

from dermasim.cli import main

MN = "4 x microneedling 1.5 mm every 30 days"


def _patient(tmp_path, text):
    path = tmp_path / "patient.toml"
    path.write_text(text)
    return str(path)


BASE_PATIENT = 'age = 45\nsex = "female"\nsite = "cheek"\nfitzpatrick = 3\n'


CASES = [
    # (id, argv or callable(tmp_path) -> argv, words the message must contain)
    ("depth 0", ["simulate", "4 x microneedling 0 mm every 30 days"], ["depth_mm", "0"]),
    ("depth 7", ["simulate", "4 x microneedling 7 mm every 30 days"], ["depth_mm", "7"]),
    ("negative volume", ["simulate", "polynucleotide -2 mL"], ["-2"]),
    ("volume 20", ["simulate", "polynucleotide 20 mL"], ["volume_ml", "20"]),
    ("interval 0", ["simulate", "4 x microneedling 1.5 mm every 0 days"], ["interval_days", "0"]),
    ("unknown treatment", ["simulate", "4 x laser 1.5 mm every 30 days"], ["laser"]),
    ("typo", ["simulate", "4 x microneedlin 1.5 mm every 30 days"], ["microneedlin"]),
    ("bad unit", ["simulate", "4 x microneedling 1.5 parsecs every 30 days"], ["parsecs"]),
    ("empty string", ["simulate", ""], ["protocol"]),
    ("sessions 99", ["simulate", "99 x microneedling 1.5 mm every 30 days"], ["sessions", "99"]),
    ("setting not for treatment", ["simulate", "microneedling 1 mm 2 mL"], ["volume"]),
    (
        "malformed TOML",
        lambda d: ["simulate", _write(d, "p.toml", "[[course]\ntreatment = ")],
        ["TOML"],
    ),
    (
        "TOML unknown key",
        lambda d: [
            "simulate",
            _write(d, "p.toml", '[[course]]\ntreatment = "microneedling"\ncolour = "red"\n'),
        ],
        ["colour"],
    ),
    ("age 12", lambda d: ["simulate", MN, "--patient", _patient(d, "age = 12\n")], ["age", "12"]),
    (
        "unknown site",
        lambda d: ["simulate", MN, "--patient", _patient(d, 'site = "elbow"\n')],
        ["site", "elbow"],
    ),
    (
        "fitzpatrick 7",
        lambda d: ["simulate", MN, "--patient", _patient(d, "fitzpatrick = 7\n")],
        ["fitzpatrick", "7"],
    ),
    (
        "patient malformed",
        lambda d: ["simulate", MN, "--patient", _patient(d, "age = = 4\n")],
        ["TOML"],
    ),
    (
        "patient file missing",
        lambda d: ["simulate", MN, "--patient", str(d / "nobody.toml")],
        ["nobody.toml"],
    ),
    (
        "fish allergy with PN",
        lambda d: [
            "simulate",
            "pn-standard",
            "--patient",
            _patient(d, BASE_PATIENT + "fish_allergy = true\n"),
        ],
        ["fish_allergy", "polynucleotide"],
    ),
    (
        "isotretinoin with needling",
        lambda d: [
            "simulate",
            MN,
            "--patient",
            _patient(d, BASE_PATIENT + "isotretinoin_last_6_months = true\n"),
        ],
        ["isotretinoin_last_6_months", "microneedling"],
    ),
    (
        "pregnant with filler",
        lambda d: [
            "simulate",
            "ha-filler-single",
            "--patient",
            _patient(d, BASE_PATIENT + "pregnant = true\n"),
        ],
        ["pregnant", "hyaluronic_filler"],
    ),
    ("draws 0", ["simulate", MN, "--draws", "0"], ["draws", "0"]),
    ("days 0", ["simulate", MN, "--days", "0"], ["days", "0"]),
    ("days 99999", ["simulate", MN, "--days", "99999"], ["days", "99999"]),
    ("at beyond horizon", ["simulate", MN, "--days", "100", "--at", "400"], ["at", "400"]),
    ("at garbage", ["simulate", MN, "--at", "soon"], ["--at", "soon"]),
    ("seed -1", ["simulate", MN, "--seed", "-1"], ["seed", "-1"]),
    ("cite format", ["cite", "--format", "xml"], ["--format", "xml"]),
    ("compare bad protocol", ["compare", "4 x microneedling 9 mm every 30 days"], ["depth_mm"]),
]

FRAMEWORK_CASES = [
    ("draws not a number", ["simulate", MN, "--draws", "many"], ["--draws"]),
    ("unknown option", ["simulate", MN, "--colour"], ["--colour"]),
    ("unknown command", ["simulat", MN], ["simulat"]),
]


def _write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return str(path)


def _check(capsys, tmp_path, argv, words, *, hint):
    if callable(argv):
        argv = argv(tmp_path)
    rc = main(list(argv))
    out, err = capsys.readouterr()
    assert rc == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    message = lines[0]
    assert "Traceback" not in message
    for word in words:
        assert word in message, (word, message)
    assert hint in message, message
    return message


@pytest.mark.parametrize(("argv", "words"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, argv, words):
    message = _check(capsys, tmp_path, argv, words, hint="for example").lower()
    assert any(w in message for w in ("allowed", "expected", "did you mean"))


@pytest.mark.parametrize(
    ("argv", "words"), [c[1:] for c in FRAMEWORK_CASES], ids=[c[0] for c in FRAMEWORK_CASES]
)
def test_usage_errors_exit_2_with_one_line(capsys, tmp_path, argv, words):
    _check(capsys, tmp_path, argv, words, hint="dermasim --help")


def test_there_are_enough_cases():
    assert len(CASES) + len(FRAMEWORK_CASES) >= 15
