"""Work spread over forked processes: the one way every parallel phase of a build runs."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

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
