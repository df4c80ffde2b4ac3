"""Bad input: exit code 2 and one stderr line naming the field, the value and an example."""

import re

import pytest

from dermasim.cli import main

MN = "4 x microneedling 1.5 mm every 30 days"
BASE_PATIENT = (
    'age = 45\nsex = "female"\nsite = "cheek"\nfitzpatrick = 3\n'
    'uv_exposure = "moderate"\nsmoker = false\n'
)


def _write(folder, name, text):
    path = folder / name
    path.write_text(text)
    return str(path)


def _protocol_file(text):
    return lambda d: ["simulate", _write(d, "plan.toml", text)]


def _patient(text, protocol=MN):
    return lambda d: ["simulate", protocol, "--patient", _write(d, "patient.toml", text)]


# (id, argv or callable(tmp_path) -> argv, field named, bad value shown)
PERMEABILITY = ["permeability", "--mw", "287", "--logkow", "2.7"]

CASES = [
    ("depth 0 mm", ["simulate", "4 x microneedling 0 mm every 30 days"], "depth_mm", "= 0"),
    ("depth 7 mm", ["simulate", "4 x microneedling 7 mm every 30 days"], "depth_mm", "= 7"),
    (
        "negative volume, compact",
        ["simulate", "3 x polynucleotide -2 mL every 21 days"],
        "volume_ml",
        "= -2.0",
    ),
    (
        "negative volume, TOML",
        _protocol_file('[[course]]\ntreatment = "polynucleotide"\nvolume_ml = -2\n'),
        "course[0].volume_ml",
        "-2",
    ),
    (
        "interval 0",
        ["simulate", "4 x microneedling 1.5 mm every 0 days"],
        "interval_days",
        "= 0",
    ),
    (
        "sessions 99",
        ["simulate", "99 x microneedling 1.5 mm every 30 days"],
        "sessions",
        "99",
    ),
    (
        "unknown treatment",
        ["simulate", "4 x microneedlin 1.5 mm every 30 days"],
        "treatment",
        "'microneedlin'",
    ),
    (
        "unknown treatment laser",
        ["simulate", "4 x laser 1.5 mm every 30 days"],
        "protocol",
        "laser",
    ),
    (
        "string typo",
        ["simulate", "4 x microneedling 1.5 mm evry 30 days"],
        "protocol string",
        "'evry'",
    ),
    (
        "unknown unit",
        ["simulate", "4 x microneedling 1.5 mm every 30 dayz"],
        "protocol string",
        "dayz",
    ),
    ("empty string", ["simulate", ""], "protocol string", "end of text"),
    ("unknown bundled-like name", ["simulate", "pn-standrad"], "protocol", "'pn-standrad'"),
    (
        "missing protocol file",
        lambda d: ["simulate", str(d / "plan-missing.toml")],
        "protocol file",
        "plan-missing.toml",
    ),
    (
        "malformed TOML",
        _protocol_file("[[course]\ntreatment = "),
        "protocol file",
        "line 1, column 9",
    ),
    (
        "TOML unknown course key",
        _protocol_file('[[course]]\ntreatment = "microneedling"\ncolour = "red"\n'),
        "course[0].colour",
        "'red'",
    ),
    (
        "TOML unknown top-level key",
        _protocol_file('nmae = "x"\n[[course]]\ntreatment = "microneedling"\n'),
        "nmae",
        "'x'",
    ),
    ("patient age 12", _patient(BASE_PATIENT.replace("45", "12")), "patient.age", "12"),
    (
        "patient unknown site",
        _patient(BASE_PATIENT.replace("cheek", "elbow")),
        "patient.site",
        "'elbow'",
    ),
    (
        "patient fitzpatrick 7",
        _patient(BASE_PATIENT.replace("fitzpatrick = 3", "fitzpatrick = 7")),
        "patient.fitzpatrick",
        "7",
    ),
    (
        "patient unknown key",
        _patient(BASE_PATIENT + 'eyes = "blue"\n'),
        "patient key",
        "'eyes'",
    ),
    ("patient TOML malformed", _patient("age = = 4\n"), "patient file", "line 1, column 7"),
    (
        "patient file missing",
        lambda d: ["simulate", MN, "--patient", str(d / "nobody.toml")],
        "patient TOML file",
        "nobody.toml",
    ),
    (
        "fish allergy with polynucleotide",
        _patient(BASE_PATIENT + "fish_allergy = true\n", protocol="pn-standard"),
        "patient.fish_allergy",
        "polynucleotide",
    ),
    (
        "isotretinoin with microneedling",
        _patient(BASE_PATIENT + "isotretinoin_last_6_months = true\n"),
        "patient.isotretinoin_last_6_months",
        "microneedling",
    ),
    (
        "pregnant with filler",
        _patient(BASE_PATIENT + "pregnant = true\n", protocol="ha-filler-single"),
        "patient.pregnant",
        "hyaluronic_filler",
    ),
    ("draws 0", ["simulate", MN, "--draws", "0"], "draws", "= 0"),
    ("days 0", ["simulate", MN, "--days", "0"], "days", "= '0'"),
    ("days 99999", ["simulate", MN, "--days", "99999"], "days", "99999"),
    ("days nan", ["simulate", MN, "--days", "nan"], "--days", "nan"),
    ("at beyond horizon", ["simulate", MN, "--days", "100", "--at", "400"], "at", "400"),
    ("at negative", ["simulate", MN, "--at", "-5"], "at", "-5"),
    ("at garbage", ["simulate", MN, "--at", "soon"], "--at", "'soon'"),
    ("seed -1", ["simulate", MN, "--seed", "-1"], "seed", "-1"),
    ("cite format xml", ["cite", "--format", "xml"], "--format", "'xml'"),
    ("cite unknown parameter set", ["cite", "--parameters", "nope"], "parameters", "'nope'"),
    (
        "compare bad protocol",
        ["compare", "no-treatment", "4 x microneedling 9 mm every 30 days"],
        "depth_mm",
        "9",
    ),
    ("compare draws 0", ["compare", MN, "--draws", "0"], "draws", "= 0"),
    ("permeability mw negative", ["permeability", "--mw", "-5", "--logkow", "1"], "mw", "-5"),
    ("permeability logkow 11", ["permeability", "--mw", "287", "--logkow", "11"], "logkow", "11"),
    ("permeability mw nan", ["permeability", "--mw", "nan", "--logkow", "1"], "mw", "nan"),
    (
        "permeability needle 5 mm",
        ["permeability", "--mw", "287", "--logkow", "2.7", "--after-needling", "5mm"],
        "--after-needling",
        "5.0",
    ),
    (
        "permeability needle garbage",
        ["permeability", "--mw", "287", "--logkow", "2.7", "--after-needling", "deep"],
        "--after-needling",
        "'deep'",
    ),
    (
        "permeability concentration 0",
        [*PERMEABILITY, "--after-needling", "1mm", "--concentration", "0"],
        "--concentration",
        "0",
    ),
    (
        "permeability concentration without needling",
        [*PERMEABILITY, "--concentration", "5"],
        "--concentration",
        "'5'",
    ),
    (
        "permeability dose without needling",
        [*PERMEABILITY, "--dose", "2"],
        "--dose",
        "2",
    ),
    (
        "permeability dose negative",
        [*PERMEABILITY, "--after-needling", "1mm", "--dose", "-1"],
        "--dose",
        "-1",
    ),
    (
        "permeability seed -1",
        [*PERMEABILITY, "--seed", "-1"],
        "--seed",
        "-1",
    ),
    (
        "permeability occluded without needling",
        ["permeability", "--mw", "287", "--logkow", "2.7", "--occluded"],
        "--occluded",
        "True",
    ),
]

# Usage errors raised by the CLI framework: they point to --help instead of an example.
FRAMEWORK_CASES = [
    ("unknown option", ["simulate", MN, "--colour"], "--colour", "--colour"),
    ("draws not an integer", ["simulate", MN, "--draws", "many"], "--draws", "integer"),
    ("unknown command", ["simulat", MN], "simulat", "simulat"),
    ("missing protocol argument", ["simulate"], "protocol", "missing"),
]


def _run(capsys, tmp_path, argv):
    if callable(argv):
        argv = argv(tmp_path)
    rc = main(list(argv))
    out, err = capsys.readouterr()
    assert rc == 2, (rc, err)
    assert out == ""
    assert err.endswith("\n")
    lines = err.splitlines()
    assert len(lines) == 1, err
    message = lines[0]
    assert message.strip()
    assert "Traceback" not in err
    assert message.startswith("dermasim: error: "), message
    return message


@pytest.mark.parametrize(
    ("argv", "field", "value"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, argv, field, value):
    message = _run(capsys, tmp_path, argv)
    assert field in message, (field, message)
    assert value in message, (value, message)
    assert "for example" in message, message


@pytest.mark.parametrize(
    ("argv", "field", "value"),
    [c[1:] for c in FRAMEWORK_CASES],
    ids=[c[0] for c in FRAMEWORK_CASES],
)
def test_usage_errors_exit_2_with_one_line(capsys, tmp_path, argv, field, value):
    message = _run(capsys, tmp_path, argv)
    assert field in message, (field, message)
    assert value in message, (value, message)
    assert "for example" in message or re.search(r"see dermasim( \w+)? --help", message), message


def test_the_table_is_large_enough():
    assert len(CASES) + len(FRAMEWORK_CASES) >= 20
    assert len({c[0] for c in CASES + FRAMEWORK_CASES}) == len(CASES) + len(FRAMEWORK_CASES)


def test_typo_of_a_bundled_name_suggests_it(capsys, tmp_path):
    message = _run(capsys, tmp_path, ["simulate", "microneedling-3-monthly"])
    assert "did you mean 'microneedling-4-monthly'" in message


def test_typo_of_a_treatment_suggests_it(capsys, tmp_path):
    message = _run(capsys, tmp_path, ["simulate", "4 x microneedlin 1.5 mm every 30 days"])
    assert "did you mean 'microneedling'" in message


def test_nothing_is_written_when_input_is_bad(capsys, tmp_path):
    out = tmp_path / "out"
    _run(capsys, tmp_path, ["simulate", MN, "--draws", "0", "--out", str(out)])
    assert not out.exists()


def test_out_that_is_a_file_is_bad_input(capsys, tmp_path):
    target = tmp_path / "afile"
    target.write_text("")
    argv = ["simulate", MN, "--draws", "2", "--days", "20", "--out", str(target)]
    message = _run(capsys, tmp_path, argv)
    assert "--out" in message


@pytest.mark.parametrize(
    ("argv", "taken", "api"),
    [
        (["simulate", MN, "--draws", "50", "--days", "20"], "simulation.nc", "simulate"),
        (["compare", MN, "--draws", "50", "--days", "20"], "compare.json", "compare_protocols"),
    ],
    ids=["simulate", "compare"],
)
def test_an_output_name_taken_by_a_folder_is_refused_before_the_run(
    capsys, tmp_path, monkeypatch, argv, taken, api
):
    """``--out`` whose target file is a folder is refused before anything is simulated (it
    was refused after the whole run)."""
    import dermasim.plan.compare
    import dermasim.simulation

    def never(*args, **kwargs):
        raise AssertionError("the run started before the output folder was checked")

    module = dermasim.simulation if api == "simulate" else dermasim.plan.compare
    monkeypatch.setattr(module, api, never)
    (tmp_path / "out" / taken).mkdir(parents=True)
    message = _run(capsys, tmp_path, [*argv, "--out", str(tmp_path / "out")])
    assert "--out" in message and taken in message, message
