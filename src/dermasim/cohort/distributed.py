"""Where chunks run: in this process, or on Dask distributed (a LocalCluster or a scheduler).

The same call runs anywhere: :func:`execute` maps a function over work items and hands each
result, as it arrives, to ``on_result`` in the calling process (which writes it to the
store), so only the caller ever writes files. Dask is the optional ``cluster`` extra,
imported only when asked for.

``cluster`` is one of

- ``None``: serial, in this process (the default);
- ``"local"``: a :class:`distributed.LocalCluster` of ``workers`` processes with one thread
  each (Numba threads set to 1 in each worker), closed at the end;
- a scheduler address such as ``"tcp://10.0.0.5:8786"``;
- a :class:`distributed.Client` you made yourself (left open).

Worker processes of a LocalCluster die with this process, even when it is killed with
SIGKILL (:func:`dermasim.workers.die_with_parent` runs in each, and Dask's nannies are
children of this process). They never see Ctrl-C, which a terminal sends to the whole
process group: they start with it ignored. This process takes it between two results,
closes the cluster and exits with code 130, and no worker prints a traceback of its own; a
Ctrl-C in the seconds while the cluster starts is not seen.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from ..errors import DermasimError, invalid_value

__all__ = ["MAX_WORKERS", "ClusterError", "check_workers", "cluster_client", "execute"]


class ClusterError(DermasimError, ValueError):
    """A cluster option is not valid, or Dask is missing."""


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            "cluster needs Dask distributed: allowed without it only cluster = None (serial); "
            'for example pip install "dermasim[cluster]"'
        ) from None
    return distributed


def _worker_setup() -> None:  # runs in each LocalCluster worker process
    from ..workers import die_with_parent

    die_with_parent()


#: The most processes of a ``"local"`` cluster.
MAX_WORKERS = 256

#: Set by Ctrl-C while a cluster made here is in use (see :func:`_interrupts_deferred`).
_INTERRUPTED = threading.Event()


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[None]:
    """While Dask runs in this process, Ctrl-C sets a flag instead of raising at once.

    A KeyboardInterrupt raised wherever the main thread happens to be can land inside Dask:
    in a garbage-collection callback, where Python ignores it and the run goes on to its end,
    or in the wait for a reply from the scheduler, whose clean-up then waits for ever. With
    the flag, :func:`execute` raises it between two results, and the cluster closes in order.
    Only where Ctrl-C has Python's default handler, in the main thread; a second Ctrl-C
    while the cluster closes is held too.
    """
    _INTERRUPTED.clear()
    if (
        threading.current_thread() is not threading.main_thread()
        or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
    ):
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda *_: _INTERRUPTED.set())
    try:
        yield
        _raise_if_interrupted()
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def _interrupts_ignored() -> Iterator[None]:
    """Ctrl-C ignored while the cluster starts (about 2 s), so the workers ignore it from birth.

    Processes started meanwhile inherit the ignored SIGINT (an ignored signal stays ignored
    across ``exec``, and Python leaves it so): a Ctrl-C never reaches a worker, not even while
    it imports, where it would print a traceback and fail the cluster's start. A Ctrl-C
    pressed in those seconds is not seen: press it again.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _raise_if_interrupted() -> None:
    if _INTERRUPTED.is_set():
        _INTERRUPTED.clear()
        raise KeyboardInterrupt


def check_workers(workers: Any) -> int:
    """``workers`` if it is an integer from 1 to :data:`MAX_WORKERS`, else a one-line
    :class:`ClusterError` (checked whether or not a cluster is used, so that a bad value is
    never silently ignored)."""
    if isinstance(workers, bool) or not isinstance(workers, int) or not 1 <= workers <= MAX_WORKERS:
        raise ClusterError(
            invalid_value("workers", workers, f"an integer from 1 to {MAX_WORKERS}", "workers = 2")
        )
    return workers


@contextlib.contextmanager
def cluster_client(cluster: Any, workers: int = 2) -> Iterator[Any]:
    """A Dask client for ``cluster`` (see the module docstring), or None for serial runs."""
    check_workers(workers)
    if cluster is None:
        yield None
        return
    distributed = _import_distributed()
    if isinstance(cluster, distributed.Client):
        yield cluster
        return
    if not isinstance(cluster, str) or not cluster:
        raise ClusterError(
            invalid_value(
                "cluster", cluster, '"local" or a scheduler address', '"tcp://127.0.0.1:8786"'
            )
        )
    if cluster == "local":
        import logging

        # Dask logs worker start-up and the dashboard at INFO and WARNING; keep them out of
        # the command's stderr unless something fails
        for name in ("distributed", "bokeh", "tornado"):
            logging.getLogger(name).setLevel(logging.ERROR)
        with contextlib.ExitStack() as stack:
            stack.enter_context(_interrupts_deferred())
            with _interrupts_ignored():
                local = stack.enter_context(
                    distributed.LocalCluster(
                        n_workers=workers,
                        threads_per_worker=1,
                        processes=True,
                        dashboard_address=None,
                        silence_logs=40,
                        env={"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"},
                    )
                )
                client = stack.enter_context(distributed.Client(local))
                client.run(_worker_setup)
            _raise_if_interrupted()  # pressed while the cluster started
            yield client
        return
    if "://" not in cluster and ":" not in cluster:
        raise ClusterError(
            invalid_value(
                "cluster", cluster, '"local" or a scheduler address', '"tcp://127.0.0.1:8786"'
            )
        )
    try:
        client = distributed.Client(cluster, timeout=10)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            invalid_value(
                "cluster", cluster, f"a scheduler that answers ({exc})", '"tcp://127.0.0.1:8786"'
            )
        ) from None
    with _interrupts_deferred(), client:
        yield client


def execute(
    items: Sequence[Any],
    function: Callable[[Any, Any], Any],
    shared: Any,
    *,
    client: Any = None,
    on_result: Callable[[Any, Any], None],
) -> None:
    """Call ``function(shared, item)`` for every item and ``on_result(item, result)`` here.

    With a Dask ``client`` the shared object is sent to the workers once and the items run
    as separate tasks; results are handed over in the order they finish. Without one they
    run in order in this process.
    """
    if client is None:
        for item in items:
            on_result(item, function(shared, item))
        return
    import dask

    distributed = _import_distributed()
    [remote] = client.scatter([shared], broadcast=True)
    futures = client.map(function, [remote] * len(items), list(items), pure=False)
    by_key = {f.key: item for f, item in zip(futures, items, strict=True)}
    try:
        # Results are written here, by this process alone. With a Client active, xarray
        # guards each file it writes with a lock held on the scheduler (a round trip per
        # write; and a Ctrl-C during that wait left the write's clean-up waiting for the lock
        # for ever): the synchronous scheduler gives it a local lock instead.
        with dask.config.set(scheduler="synchronous"):
            for future, result in distributed.as_completed(futures, with_results=True):
                _raise_if_interrupted()
                on_result(by_key[future.key], result)
    finally:
        client.cancel(futures)
