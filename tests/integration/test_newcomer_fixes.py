"""What a newcomer tripped over: files from Windows, parse errors, odd paths, durations,
silent defaults, too few draws and inputs past Python's own limits. Each fails without its fix."""

import json
import os
import subprocess
import sys

import pytest

import dermasim
from dermasim.cli import main

BOM = b"\xef\xbb\xbf"


def _run(capsys, argv):
    rc = main(argv)
    out, err = capsys.readouterr()
    return rc, out, err


def _one_line_error(rc, err, *needles):
    assert rc == 2, err
    assert err.count("\n") == 1 and err.startswith("dermasim: error: "), err
    for needle in needles:
        assert needle in err, (needle, err)


def test_toml_files_saved_with_a_byte_order_mark_are_read(tmp_path):
    patient = tmp_path / "patient.toml"
    patient.write_bytes(BOM + b'age = 52\nsex = "female"\nsite = "neck"\n')
    assert dermasim.Patient.from_toml(patient).age == 52
    protocol = tmp_path / "plan.toml"
    protocol.write_bytes(BOM + b'[[course]]\ntreatment = "microneedling"\nsessions = 2\n'
                         b"interval_days = 30\n")  # fmt: skip
    assert str(dermasim.Protocol.load(str(protocol))) == "2 x microneedling 1.5 mm every 30 days"


def test_a_parse_error_names_the_file_and_line_not_the_files_text(capsys, tmp_path):
    patient = tmp_path / "patient.toml"
    patient.write_text('age = 45\nsex = "female\nsite = "cheek"\n')
    rc, _, err = _run(capsys, ["simulate", "none", "-p", str(patient)])
    _one_line_error(rc, err, str(patient), "line 2, column 14")
    assert "site" not in err  # the file's text is not echoed
    protocol = tmp_path / "plan.toml"
    protocol.write_text("[[course]]\ntreatment = microneedling\n")
    rc, _, err = _run(capsys, ["simulate", str(protocol)])
    _one_line_error(rc, err, str(protocol), "line 2")


def test_a_fifo_named_like_a_toml_file_is_refused_not_read(tmp_path):
    fifo = tmp_path / "patient.toml"
    os.mkfifo(fifo)
    proc = subprocess.run(
        [sys.executable, "-m", "dermasim.cli", "simulate", "none", "-p", str(fifo)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    _one_line_error(proc.returncode, proc.stderr, "not a regular file")


@pytest.mark.parametrize("where", ["a file", "under a file", "/proc"])
def test_export_petab_to_a_bad_path_exits_2_with_one_line(capsys, tmp_path, where):
    afile = tmp_path / "afile"
    afile.write_text("x")
    target = {"a file": afile, "under a file": afile / "sub", "/proc": "/proc/dermasim"}[where]
    rc, _, err = _run(capsys, ["export", "petab", str(target)])
    _one_line_error(rc, err, "DIRECTORY", "for example dermasim export petab")


def test_a_command_group_alone_says_it_needs_a_command(capsys):
    rc, _, err = _run(capsys, ["export"])
    _one_line_error(rc, err, "dermasim export needs a command")


def test_days_accepts_durations_as_at_does(capsys):
    argv = ["simulate", "none", "--days", "18 months", "--draws", "3", "--json"]
    rc, out, err = _run(capsys, argv)
    assert rc == 0, err
    assert json.loads(out)["outputs"]["collagen_density"]["t_days"] == [0, 90, 180, 365]
    rc, _, err = _run(capsys, ["simulate", "none", "--days", "2 fortnights"])
    _one_line_error(rc, err, "--days", "2 years")


def test_a_patient_file_without_a_site_says_which_default_it_uses(tmp_path, caplog):
    patient = tmp_path / "patient.toml"
    patient.write_text('age = 50\nsex = "female"\n')
    with caplog.at_level("WARNING", logger="dermasim"):
        assert dermasim.Patient.from_toml(patient).site == "cheek"
    assert "does not give site" in caplog.text and "site = 'cheek'" in caplog.text
    caplog.clear()
    full = tmp_path / "full.toml"
    full.write_text(dermasim.Patient().to_toml())
    with caplog.at_level("WARNING", logger="dermasim"):
        dermasim.Patient.from_toml(full)
    assert caplog.text == ""


def test_fewer_than_50_draws_warn_that_percentiles_are_unreliable(caplog):
    with caplog.at_level("WARNING", logger="dermasim"):
        dermasim.simulate("none", days=10, draws=10)
    assert "10 draws" in caplog.text and "unreliable below 50" in caplog.text
    caplog.clear()
    with caplog.at_level("WARNING", logger="dermasim"):
        dermasim.simulate("none", days=10, draws=50)
    assert "unreliable" not in caplog.text


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('fitzpatrick = "³"\n', "patient.fitzpatrick = '³'"),
        ("age = " + "9" * 5000 + "\n", "more than 4300 digits"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
    ],
    ids=["superscript digit", "5000 digits", "5000 levels"],
)
def test_inputs_past_pythons_own_limits_exit_2(capsys, tmp_path, text, needle):
    patient = tmp_path / "patient.toml"
    patient.write_text('sex = "female"\nsite = "cheek"\n' + text, encoding="utf-8")
    rc, _, err = _run(capsys, ["simulate", "none", "-p", str(patient), "--draws", "3"])
    _one_line_error(rc, err, needle)


def test_an_out_name_the_file_system_refuses_is_an_error_before_the_run(capsys, tmp_path):
    rc, _, err = _run(capsys, ["simulate", "none", "--out", str(tmp_path / ("x" * 300))])
    _one_line_error(rc, err, "--out", "a path the file system accepts")


def test_a_protocols_repr_is_its_compact_string():
    protocol = dermasim.Protocol.parse("2 x microneedling 1 mm every 30 days")
    assert repr(protocol) == "Protocol.parse('2 x microneedling 1 mm every 30 days')"
    assert eval(repr(protocol), {"Protocol": dermasim.Protocol}) == protocol


def test_an_out_folder_whose_output_name_is_a_folder_gets_no_partial_set(capsys, tmp_path):
    out = tmp_path / "out"
    (out / "simulation.json").mkdir(parents=True)
    rc, _, err = _run(
        capsys, ["simulate", "none", "--draws", "3", "--days", "5", "--out", str(out)]
    )
    _one_line_error(rc, err, "simulation.json", "not a folder")
    assert sorted(p.name for p in out.iterdir()) == ["simulation.json"]  # no .nc, .png, manifest
