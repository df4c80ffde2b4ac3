"""Writing files so that nothing is ever half-written."""

from __future__ import annotations

import os
import re
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "remove_stale_temporaries"]


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
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files; give the usual mode
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return target
