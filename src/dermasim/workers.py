"""Worker processes that never outlive the process that started them."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys

__all__ = ["die_with_parent", "ignore_interrupts"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> None:
    """Ask the kernel to kill this process when its parent dies (Linux), and exit at once if
    the parent is already gone.

    Call it first thing in a pool worker's initializer: a parent killed with SIGKILL runs no
    clean-up of its own, so without this its workers would keep running as orphans. On other
    systems only the already-orphaned check applies.
    """
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # orphaned before the request took effect
        os._exit(1)


def ignore_interrupts() -> None:
    """Ignore Ctrl-C (SIGINT) in a pool worker.

    A terminal sends Ctrl-C to the whole process group: the parent stops, saves what is done
    and shuts its pool down, while a worker that took the signal itself would print a
    traceback of its own and break the pool mid-save.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
