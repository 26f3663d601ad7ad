"""Work spread over forked worker processes, one per core.

A worker that dies before its work is done — killed by the kernel's out-of-memory killer, say — must
fail the build with a message, not hang it. ``multiprocessing.Pool`` starts a new worker in its
place but never hands the lost task to anyone, so the build would wait for ever (in CI, until the
job's time limit). ``concurrent.futures`` notices the dead worker and raises; :class:`Workers` turns
that into :class:`WorkerStopped`, which the build reports like any other failure, keeping the site.

Workers are forked, so they inherit what the parent prepared (templates, settings, the work list)
without pickling it; only the arguments and the results cross between processes.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool


class WorkerStopped(RuntimeError):
    """A worker process ended before its work was done."""


def cores_for(count: int, minimum: int) -> int:
    """How many workers ``count`` pieces of work deserve: 0 (do them in this process) below
    ``minimum`` pieces, on one core, or where processes cannot be forked."""
    cores = os.cpu_count() or 1
    if not count or count < minimum or cores < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    return cores


# What the parent handed its workers (``Workers(inherited=...)``), set by :func:`_inherit` in each
# forked worker process, never in the parent: a build's state stays in its own objects. The one
# piece of module state the site package allows (tests/test_build_context.py).
_inherited: object = None


def _inherit(value: object) -> None:
    global _inherited
    _inherited = value


def inherited() -> object:
    """In a worker: what the parent handed its pool (inherited through ``fork``, not pickled)."""
    return _inherited


class Workers:
    """``cores`` forked workers doing ``what`` (e.g. "rendering pages", named in the error), each
    inheriting ``inherited`` (see :func:`inherited`)."""

    def __init__(self, what: str, cores: int, inherited: object = None):
        self.what = what
        self.executor = ProcessPoolExecutor(
            cores, mp_context=multiprocessing.get_context("fork"), initializer=_inherit, initargs=(inherited,)
        )  # fmt: skip

    def map(self, fn: Callable, items: Iterable, chunksize: int = 1) -> Iterator:
        """``fn`` of each item, in order, computed by the workers; every item is handed out at once,
        so the workers go on while the caller does something else. ``fn`` must be a module-level
        function (it is sent to the workers by name)."""
        return self._checked(self.executor.map(fn, items, chunksize=chunksize))

    def _checked(self, results: Iterator) -> Iterator:
        try:
            yield from results
        except BrokenProcessPool:
            raise WorkerStopped(
                f"a worker process {self.what} stopped before it finished (killed from outside — out of memory?); "
                "nothing was published: build again, with more memory if it happens again"
            ) from None

    def close(self, wait: bool = True) -> None:
        """Hand out no more work; workers busy with a piece finish it and exit. ``wait`` for them
        (a later fork then copies no thread of this pool in the middle of its work)."""
        self.executor.shutdown(wait=wait, cancel_futures=True)

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
