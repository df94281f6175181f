"""How the render stage runs: a pool of warm worker processes, or this process alone.

A worker keeps what is slow to make (WeasyPrint, fonts, the stylesheet, the templates)
from one task to the next. Workers are forked from the build with the composed schools, so
they need not read them again. The state of a worker process lives in that process only: it
is made by the pool's initializer in the child and never touched by the build.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import multiprocessing
import os
import queue
import signal
import sys
from collections.abc import Callable
from typing import Any

from .write import release_claims

Task = Callable[..., Any]
_state: dict[str, Any] = {}  # this worker process's own: set by `_start` in the child


def state() -> dict[str, Any]:
    """The calling worker's state (what `setup` made when the worker started)."""
    return _state


def _start(setup: Callable[..., dict[str, Any]], args: tuple[Any, ...], forked: bool) -> None:
    if forked:
        release_claims()  # the lock belongs to the build, not to its workers
        _die_with_parent()
    _state.update(setup(*args))
    gc.freeze()  # what a worker loads once stays: the collector need not walk it on every pass


class Workers:
    """Worker processes for one build. `submit` queues a call; `next` waits for any result,
    in the order they finish. With one job everything runs in this process, in order."""

    def __init__(self, jobs: int, setup: Callable[..., dict[str, Any]], args: tuple[Any, ...]) -> None:
        self.jobs = max(1, jobs)
        self.method = "fork" if sys.platform == "linux" else "spawn"
        self._init = (setup, args, self.jobs > 1 and self.method == "fork")
        self._results: queue.SimpleQueue[tuple[bool, Any]] = queue.SimpleQueue()
        self.pending = 0
        self._pool: Any = None
        self._saved: dict[str, Any] = {}

    def __enter__(self) -> Workers:
        if self.jobs == 1:
            self._saved = dict(_state)
            _start(*self._init[:2], forked=False)
        else:
            context = multiprocessing.get_context(self.method)
            self._pool = context.Pool(self.jobs, initializer=_start, initargs=self._init)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.terminate() if exc[0] is not None else self._pool.close()
            self._pool.join()
        else:
            _state.clear()
            _state.update(self._saved)
            gc.unfreeze()

    def submit(self, func: Task, *args: Any) -> None:
        self.pending += 1
        if self._pool is None:
            try:
                self._results.put((True, func(*args)))
            except Exception as exc:  # raised again by `next`, like a worker's
                self._results.put((False, exc))
            return
        self._pool.apply_async(func, args, callback=lambda value: self._results.put((True, value)),
                               error_callback=lambda exc: self._results.put((False, exc)))

    def next(self) -> Any:
        """The next finished call's result (its exception raised here)."""
        ok, value = self._results.get()
        self.pending -= 1
        if not ok:
            raise value
        return value


def _die_with_parent() -> None:
    """Linux: a worker ends when the build process ends, even when the build is killed."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # elsewhere orphaned workers end when they next find the task queue closed


def cores() -> int:
    return os.cpu_count() or 1
