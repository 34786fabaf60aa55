"""Work spread over forked processes: the one way every parallel phase of a build runs."""

from __future__ import annotations

import gc
import os
import pickle
import select
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Generic, TypeVar

Batch = TypeVar("Batch")
Result = TypeVar("Result")

_SHARED: Any = None


def _call(task: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    function, batch = task
    return function(_SHARED, batch)


def map_forked(function: Callable[[Any, Batch], Result], shared: Any, batches: Sequence[Batch],
               workers: int) -> Iterator[Result]:
    """FUNCTION(SHARED, batch) for each batch, in order, in WORKERS forked processes (here when one).

    SHARED reaches the workers by fork, not by pickling, so it may be large; only the batches and
    the results travel between processes. FUNCTION must be a module-level function.
    """
    global _SHARED
    if workers <= 1 or len(batches) <= 1:
        for batch in batches:
            yield function(shared, batch)
        return
    import multiprocessing  # here: a build that renders a few pages needs no pool (12 ms of imports)
    from concurrent.futures import ProcessPoolExecutor

    _SHARED = shared
    gc.freeze()  # forked workers then share the parent's objects instead of copying them in GC passes
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            yield from pool.map(_call, [(function, batch) for batch in batches])
    finally:
        gc.unfreeze()
        _SHARED = None


def batches_of(items: Sequence[Batch], size: int) -> list[Sequence[Batch]]:
    """ITEMS cut into consecutive slices of SIZE."""
    return [items[start:start + size] for start in range(0, len(items), size)]


class Forked(Generic[Result]):
    """A call started in a forked child, so that this process goes on meanwhile; result() gives its value.

    Where no child can be forked safely (no os.fork, or threads running, whose locks the child would inherit
    held), or the child fails, the call is made here, in result(). close() stops a child whose result is not
    wanted. Only the result travels, pickled; the child sees this process's memory as it was at the fork.
    """

    def __init__(self, function: Callable[[], Result]) -> None:
        self._function = function
        self._pid = 0
        self._reading = -1
        if not hasattr(os, "fork") or threading.active_count() > 1:
            return
        reading, writing = os.pipe()
        pid = os.fork()
        if pid == 0:
            _child(function, reading, writing)
        os.close(writing)
        self._pid, self._reading = pid, reading

    @property
    def running(self) -> bool:
        """Whether a child makes the call (else result() makes it here)."""
        return bool(self._pid)

    def ready(self) -> bool:
        """Whether result() would return without waiting for the child (true when there is none)."""
        return not self._pid or bool(select.select([self._reading], [], [], 0)[0])

    def result(self) -> Result:
        if self._pid:
            with os.fdopen(self._reading, "rb") as pipe:
                data = pipe.read()
            self._reading = -1
            _pid, status = os.waitpid(self._pid, 0)
            self._pid = 0
            if status == 0:
                return pickle.loads(data)
        return self._function()

    def close(self) -> None:
        if self._pid:
            os.close(self._reading)  # a child still writing then stops on a broken pipe
            os.waitpid(self._pid, 0)
            self._pid = 0


def _child(function: Callable[[], Any], reading: int, writing: int) -> None:
    """The forked side of Forked: never returns, never runs the parent's exit handlers or flushes its buffers."""
    status = 1
    try:
        os.close(reading)
        gc.disable()  # a collection would touch every object, copying the parent's pages
        data = pickle.dumps(function(), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(writing, "wb") as pipe:
            pipe.write(data)
        status = 0
    finally:
        os._exit(status)
