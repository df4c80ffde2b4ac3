"""Writing files so that nothing is ever half-written."""

from __future__ import annotations

import logging
import os
import re
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import DermasimError, SimulationError, invalid_value

logger = logging.getLogger("dermasim")

__all__ = [
    "CF_CONVENTIONS",
    "COMPRESSION",
    "ChunkStore",
    "OutputSet",
    "OutputSetError",
    "StoreMismatchError",
    "atomic_write",
    "history_line",
    "read_manifest",
    "recover_outputs",
    "remove_stale_temporaries",
    "write_netcdf",
]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname()) or "host"


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Remove temporaries of ``target`` left by writers that no longer run.

    :func:`atomic_write` names its temporary ``.<name>.<host>-<pid>.<random>.tmp``; one from
    this host whose process is gone (killed mid-write) is removed. Temporaries of live
    writers, and of other hosts sharing the folder, are kept.
    """
    removed = []
    mine = f"{_host()}-"
    for tmp in target.parent.glob(f".{target.name}.*.tmp"):
        writer = tmp.name[len(target.name) + 2 :].split(".", 1)[0]
        if not writer.startswith(mine):
            continue
        pid_text = writer[len(mine) :]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            try:
                tmp.unlink()
                removed.append(tmp)
            except FileNotFoundError:
                pass
    return removed


def atomic_write(path: str | os.PathLike[str], write: Callable[[str], Any]) -> Path:
    """Write a file through a temporary sibling and an atomic rename.

    ``write`` is called with the temporary path; nothing appears at ``path`` unless it
    returns without error, and the temporary file is removed either way. Temporaries that a
    killed writer left beside ``path`` are removed first (:func:`remove_stale_temporaries`).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.{_host()}-{os.getpid()}.", suffix=".tmp", dir=target.parent
    )
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:  # on disk before the rename makes it visible
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; give the usual mode
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target


#: The CF conventions that written NetCDF files follow (global attribute ``Conventions``).
CF_CONVENTIONS = "CF-1.11"

#: How every numeric variable of a written file is compressed (HDF5 deflate, with shuffle).
COMPRESSION: dict[str, Any] = {"zlib": True, "complevel": 4, "shuffle": True}


def history_line(what: str) -> str:
    """One CF ``history`` line: ``<UTC time> dermasim <version>: <what>``."""
    from datetime import UTC, datetime

    from ._version import version

    return f"{datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')} dermasim {version}: {what}"


def write_netcdf(
    path: str | os.PathLike[str], dataset: Any, *, history: str = "written by dermasim"
) -> Path:
    """Write an :class:`xarray.Dataset` to a compressed NetCDF-4 file, atomically.

    Written through h5netcdf: every numeric variable is deflated (:data:`COMPRESSION`). The
    global attributes follow CF: ``Conventions`` (:data:`CF_CONVENTIONS`), and ``history``
    gains one line (:func:`history_line`) after any it had. Read it back with
    ``xarray.open_dataset(path)``.
    """
    previous = str(dataset.attrs.get("history", ""))
    line = history_line(history)
    dataset = dataset.assign_attrs(
        Conventions=CF_CONVENTIONS, history=f"{previous}\n{line}" if previous else line
    )
    encoding = {
        str(name): dict(COMPRESSION)
        for name, variable in dataset.variables.items()
        if variable.dtype.kind in "fiub" and variable.size > 0 and variable.ndim > 0
    }
    return atomic_write(
        path, lambda tmp: dataset.to_netcdf(tmp, engine="h5netcdf", encoding=encoding)
    )


def _write_chunk(path: Path, dataset: Any) -> Path:
    """A chunk of a :class:`ChunkStore`: NetCDF-3, uncompressed (read back at once)."""
    empty = [name for name, size in dataset.sizes.items() if size == 0]
    if empty:  # NetCDF-3 cannot hold a dimension of length 0
        dataset = dataset.drop_dims(empty)
    return atomic_write(
        path, lambda tmp: dataset.to_netcdf(tmp, engine="scipy", format="NETCDF3_64BIT")
    )


STORE_MANIFEST = "dermasim-chunks.json"
STORE_SCHEMA = "dermasim.chunks/1"


class ChunkStore:
    """A folder of results written one chunk at a time, so that a killed run resumes.

    Layout: ``dermasim-chunks.json`` (the run's fingerprint and chunk count) and
    ``chunks/chunk-<index>.nc`` (one NetCDF file per chunk), each written atomically, so a
    chunk file is either complete or absent. Opening a store for another fingerprint raises
    unless ``restart`` clears it.

    Parameters
    ----------
    folder
        The store folder (created if needed).
    fingerprint
        A hash of everything the run computes from.
    n_chunks
        Number of chunks the run has.
    restart
        Discard chunks of an earlier run with another fingerprint instead of refusing.
    """

    def __init__(
        self, folder: str | os.PathLike[str], fingerprint: str, n_chunks: int, restart: bool = False
    ) -> None:
        import json

        self.folder = Path(folder)
        self.chunk_folder = self.folder / "chunks"
        manifest = self.folder / STORE_MANIFEST
        expected = {"schema": STORE_SCHEMA, "fingerprint": fingerprint, "chunks": n_chunks}
        chunks_present = any(self.chunk_folder.glob("chunk-*.nc"))
        found: dict[str, Any] = {}
        if manifest.exists():
            try:
                found = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                found = {}
            if not isinstance(found, dict) or found.get("schema") != STORE_SCHEMA:
                raise StoreMismatchError(
                    f"store = '{self.folder}' has a {STORE_MANIFEST} that dermasim did not "
                    "write: allowed a new folder or a chunk store of dermasim; for example "
                    "--store out/chunks"
                )
        mismatch = (found and {k: found.get(k) for k in expected} != expected) or (
            not found and chunks_present
        )
        if mismatch:
            if not restart:
                raise StoreMismatchError(
                    f"store = '{self.folder}' holds chunks of another run: allowed a store "
                    "of this same run (to resume) or a new folder; for example add "
                    "--restart to discard it"
                )
            for old in self.chunk_folder.glob("chunk-*.nc"):
                old.unlink()
        self.chunk_folder.mkdir(parents=True, exist_ok=True)
        for stale in self.chunk_folder.glob(".chunk-*.nc.*.tmp"):
            remove_stale_temporaries(self.chunk_folder / (stale.name[1:].split(".nc.")[0] + ".nc"))
        if not found or mismatch:
            text = json.dumps(expected, indent=1)
            atomic_write(manifest, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        self.n_chunks = n_chunks

    def _path(self, index: int) -> Path:
        return self.chunk_folder / f"chunk-{index:06d}.nc"

    def done(self) -> set[int]:
        """Indices of the chunks already written."""
        found = set()
        for path in self.chunk_folder.glob("chunk-*.nc"):
            stem = path.stem.removeprefix("chunk-")
            if stem.isdigit() and int(stem) < self.n_chunks:
                found.add(int(stem))
        return found

    def write(self, index: int, dataset: Any) -> Path:
        """Store one chunk (an :class:`xarray.Dataset`), atomically."""
        return _write_chunk(self._path(index), dataset)

    def read(self, index: int) -> Any:
        """One chunk's dataset, loaded into memory; None (and the file removed, so that the
        chunk is computed again) if it cannot be read, as after a power loss."""
        import xarray as xr

        path = self._path(index)
        try:
            with xr.open_dataset(path, engine="scipy") as ds:
                return ds.load()
        except (OSError, ValueError, IndexError, TypeError, KeyError):
            path.unlink(missing_ok=True)
            return None

    def discard(self, index: int) -> None:
        """Remove one chunk (for example one whose shape does not fit the run)."""
        self._path(index).unlink(missing_ok=True)


class StoreMismatchError(DermasimError, ValueError):
    """A chunk store holds another run's chunks."""


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _pending_writer(path: Path, name: str) -> tuple[str, int | None]:
    """Host and PID of the writer that named a staging folder or pending manifest."""
    writer = path.name[len(name) + 2 :].split(".", 1)[0]
    host, _, pid = writer.rpartition("-")
    return host, int(pid) if pid.isdigit() else None


def _plain_name(name: Any) -> bool:
    """A file name with no folder part (never ``..``, an absolute path or a hidden file)."""
    return isinstance(name, str) and bool(name) and Path(name).name == name and name[0] != "."


def _finish_publication(folder: Path, pending: Path) -> None:
    """Roll a committed publication forward: move its staged files in, then the manifest."""
    import json

    record = json.loads(pending.read_text(encoding="utf-8"))
    staging = folder / record["staging"]
    for file_name in record["files"]:
        staged = staging / file_name
        if _plain_name(file_name) and staged.exists():
            os.replace(staged, folder / file_name)
    for stale in record.get("remove", []):
        if _plain_name(stale):
            (folder / stale).unlink(missing_ok=True)
    os.replace(pending, folder / f"{record['name']}.manifest.json")
    if staging.exists():
        import shutil

        shutil.rmtree(staging, ignore_errors=True)


def recover_outputs(folder: str | os.PathLike[str], name: str) -> None:
    """Finish or discard what a killed writer of the output set ``name`` left in ``folder``.

    A publication whose pending manifest was written is complete in its staging folder and is
    rolled forward; a staging folder without one (killed while writing) is removed. Only
    writers of this host that no longer run are touched.
    """
    import shutil

    root = Path(folder)
    mine = _host()
    for pending in sorted(root.glob(f".{name}.*.publishing.json")):
        host, pid = _pending_writer(pending, name)
        if host == mine and pid is not None and not _alive(pid):
            _finish_publication(root, pending)
    for staging in root.glob(f".{name}.*.staging"):
        host, pid = _pending_writer(staging, name)
        if host == mine and pid is not None and not _alive(pid):
            shutil.rmtree(staging, ignore_errors=True)


class OutputSet:
    """Publish a command's output files together, never a new file beside an old one.

    Use as a context manager: write every file into the staging folder it yields; on a clean
    exit the set is published. Publishing removes the files of the previous set of the same
    ``name`` that the new one lacks, writes a pending manifest (the commit point), moves the
    staged files in and renames the manifest to ``<name>.manifest.json``, which lists each
    file with its size and SHA-256. A run killed before the commit point leaves the old set
    untouched; one killed after it is rolled forward by the next run
    (:func:`recover_outputs`). Other files in the folder are left alone.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> with OutputSet(out, "demo") as staged:
    ...     _ = (staged / "demo.txt").write_text("hello")
    >>> sorted(p.name for p in out.iterdir())
    ['demo.manifest.json', 'demo.txt']
    """

    def __init__(self, folder: str | os.PathLike[str], name: str) -> None:
        self.folder = Path(folder)
        self.name = name
        self.staging = self.folder / f".{name}.{_host()}-{os.getpid()}.staging"

    def __enter__(self) -> Path:
        import shutil

        self.folder.mkdir(parents=True, exist_ok=True)
        recover_outputs(self.folder, self.name)
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir()
        return self.staging

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> None:
        import shutil

        try:
            if kind is None:
                self._publish()
        finally:
            shutil.rmtree(self.staging, ignore_errors=True)

    def _publish(self) -> None:
        import json
        from datetime import UTC, datetime

        files = sorted(p.name for p in self.staging.iterdir() if p.is_file())
        for target in [*files, f"{self.name}.manifest.json"]:  # before anything is moved
            if (self.folder / target).is_dir():
                raise SimulationError(
                    invalid_value(
                        "output file",
                        str(self.folder / target),
                        "a name that is not a folder (nothing of this set was written)",
                        "--out out/run2",
                    )
                )
        record = {
            "schema": "dermasim.outputs/1",
            "name": self.name,
            "staging": self.staging.name,
            "written": datetime.now(UTC).isoformat(timespec="seconds"),
            "files": {
                f: {"bytes": (self.staging / f).stat().st_size, "sha256": _sha256(self.staging / f)}
                for f in files
            },
        }
        manifest = self.folder / f"{self.name}.manifest.json"
        old: Any = {}
        if manifest.exists():
            try:
                old = json.loads(manifest.read_text(encoding="utf-8")).get("files", {})
            except (OSError, ValueError, AttributeError):
                old = {}
        # files of the previous set that this one lacks go after the commit point, and only
        # plain names inside the folder are ever removed
        record["remove"] = sorted(n for n in old if _plain_name(n) and n not in files)
        pending = self.folder / f".{self.name}.{_host()}-{os.getpid()}.publishing.json"
        text = json.dumps(record, indent=1) + "\n"
        atomic_write(pending, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
        _finish_publication(self.folder, pending)
        logger.info("wrote %s: %s", self.folder, ", ".join([*files, manifest.name]))


def read_manifest(folder: str | os.PathLike[str], name: str) -> dict[str, Any]:
    """The manifest of output set ``name``, after checking that every file it lists is present
    with the recorded size and SHA-256 (raises :class:`OutputSetError` otherwise)."""
    import json

    root = Path(folder)
    manifest = root / f"{name}.manifest.json"
    try:
        record = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputSetError(f"{manifest}: no readable manifest ({exc})") from None
    for file_name, info in record["files"].items():
        path = root / file_name
        if (
            not path.exists()
            or path.stat().st_size != info["bytes"]
            or _sha256(path) != info["sha256"]
        ):
            raise OutputSetError(f"{path}: missing or not the file the manifest lists")
    return dict(record)


class OutputSetError(OSError):
    """An output folder's files do not match their manifest."""
