"""Atomic writes: nothing half-written, and leftovers of killed writers cleaned."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from dermasim.storage import _host, atomic_write, remove_stale_temporaries


def _dead_pid():
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], text=True,
                          capture_output=True, check=True)  # fmt: skip
    return int(proc.stdout)


def test_a_failed_write_leaves_nothing(tmp_path):
    target = tmp_path / "out.json"

    def fail(tmp):
        with open(tmp, "w") as fh:
            fh.write("half")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail)
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_dead_writers_are_removed_and_live_ones_kept(tmp_path):
    target = tmp_path / "simulation.nc"
    host = _host()
    dead = tmp_path / f".simulation.nc.{host}-{_dead_pid()}.abc123.tmp"
    live = tmp_path / f".simulation.nc.{host}-{os.getppid()}.def456.tmp"
    elsewhere = tmp_path / f".simulation.nc.another-host-{_dead_pid()}.g7.tmp"
    other = tmp_path / f".other.nc.{host}-{_dead_pid()}.x.tmp"
    for path in (dead, live, elsewhere, other):
        path.write_text("partial")
    atomic_write(target, lambda tmp: Path(tmp).write_text("done"))
    assert target.read_text() == "done"
    assert not dead.exists()
    assert live.exists() and other.exists()
    assert elsewhere.exists()  # a writer on another host sharing the folder is left alone
    assert remove_stale_temporaries(tmp_path / "other.nc") == [other]


# ------------------------------------------------------------------ output sets
def test_an_output_set_replaces_the_previous_set_and_leaves_other_files(tmp_path):
    from dermasim.storage import OutputSet, read_manifest

    (tmp_path / "notes.txt").write_text("mine")
    with OutputSet(tmp_path, "run") as staged:
        (staged / "run.nc").write_text("old data")
        (staged / "run.png").write_text("old figure")
    with OutputSet(tmp_path, "run") as staged:
        (staged / "run.nc").write_text("new data")  # this time no figure
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["notes.txt", "run.manifest.json", "run.nc"]
    assert (tmp_path / "run.nc").read_text() == "new data"
    assert list(read_manifest(tmp_path, "run")["files"]) == ["run.nc"]


def test_a_failed_run_publishes_nothing(tmp_path):
    import pytest

    from dermasim.storage import OutputSet

    with OutputSet(tmp_path, "run") as staged:
        (staged / "run.nc").write_text("good")
    with pytest.raises(RuntimeError), OutputSet(tmp_path, "run") as staged:
        (staged / "run.nc").write_text("half")
        raise RuntimeError("killed while writing")
    assert (tmp_path / "run.nc").read_text() == "good"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.manifest.json", "run.nc"]


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_publication_killed_after_its_commit_point_is_rolled_forward(tmp_path):
    import json

    from dermasim.storage import OutputSet, _host, read_manifest

    with OutputSet(tmp_path, "run") as staged:
        (staged / "run.nc").write_text("old")
        (staged / "run.json").write_text("old")
    # what a writer killed between the pending manifest and the renames leaves behind
    pid = _dead_pid()
    staging = tmp_path / f".run.{_host()}-{pid}.staging"
    staging.mkdir()
    (staging / "run.json").write_text("new")
    (tmp_path / "run.nc").write_text("new")  # this one was already moved in
    files = {"run.nc": "new", "run.json": "new"}
    import hashlib

    record = {
        "schema": "dermasim.outputs/1",
        "name": "run",
        "staging": staging.name,
        "files": {
            k: {"bytes": len(v), "sha256": hashlib.sha256(v.encode()).hexdigest()}
            for k, v in files.items()
        },
    }
    pending = tmp_path / f".run.{_host()}-{pid}.publishing.json"
    pending.write_text(json.dumps(record))
    with OutputSet(tmp_path, "other"):
        pass  # another set in the same folder does not touch it
    assert pending.exists()
    with OutputSet(tmp_path, "run") as staged:
        # the next run of the set first completes the killed one
        assert (tmp_path / "run.json").read_text() == "new"
        assert not staging.exists() and not pending.exists()
        read_manifest(tmp_path, "run")
        (staged / "run.nc").write_text("newest")
    assert (tmp_path / "run.nc").read_text() == "newest"


def test_a_staging_folder_of_a_killed_writer_is_removed_and_a_tampered_set_detected(tmp_path):
    import pytest

    from dermasim.storage import OutputSet, OutputSetError, _host, read_manifest

    staging = tmp_path / f".run.{_host()}-{_dead_pid()}.staging"
    staging.mkdir()
    (staging / "run.nc").write_text("half")
    with OutputSet(tmp_path, "run") as staged:
        (staged / "run.nc").write_text("whole")
    assert not staging.exists()
    (tmp_path / "run.nc").write_text("edited")
    with pytest.raises(OutputSetError, match=r"run\.nc"):
        read_manifest(tmp_path, "run")


def test_a_publication_that_fails_before_its_commit_leaves_the_old_set_whole(tmp_path):
    import pytest

    from dermasim import storage
    from dermasim.storage import OutputSet, read_manifest

    with OutputSet(tmp_path, "run") as staged:
        (staged / "a.txt").write_text("a")
        (staged / "b.txt").write_text("b")
    real = storage.atomic_write

    def disk_full(path, write):
        raise OSError(28, "No space left on device")

    storage.atomic_write = disk_full
    try:
        with pytest.raises(OSError), OutputSet(tmp_path, "run") as staged:
            (staged / "a.txt").write_text("new a")
    finally:
        storage.atomic_write = real
    assert (tmp_path / "b.txt").read_text() == "b"
    read_manifest(tmp_path, "run")


def test_names_in_an_old_manifest_never_reach_outside_the_folder(tmp_path):
    import json

    from dermasim.storage import OutputSet

    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    folder = tmp_path / "out"
    folder.mkdir()
    bad = {"files": {"../precious.txt": {}, str(outside): {}}}
    (folder / "run.manifest.json").write_text(json.dumps(bad))
    with OutputSet(folder, "run") as staged:
        (staged / "run.nc").write_text("x")
    assert outside.read_text() == "keep"
