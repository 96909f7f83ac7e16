"""An order-keeping map over worker processes, for batches of pages: cleaning and extraction
are pure CPU work, so a batch spreads over the machine's cores (as `trafilatura --input-dir`
does) while the caller still sees the results in input order."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from typing import TypeVar, cast

T = TypeVar("T")
R = TypeVar("R")

# Below this many items the pool costs more than it saves.
MIN_ITEMS_FOR_POOL = 8
# Pages differ tenfold in size: handed out one at a time, the workers finish together (4 at a
# time left one worker alone with the last big pages: 2.14 s against 2.03 for the real-page set).
CHUNK = 1


def available_cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def ordered_map(fn: Callable[[T], R], items: Iterable[T], jobs: int) -> Iterator[R]:
    """`fn` over `items`, in `jobs` processes when that pays, results in input order. An
    exception raised for an item is raised here when its turn comes, after the earlier results.
    `fn` must be a module-level function; workers are forked where the platform allows, so
    they start with the caller's modules already imported."""
    work = list(items)
    if jobs <= 1 or len(work) < MIN_ITEMS_FOR_POOL:
        yield from map(fn, work)
        return
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=min(jobs, len(work)), mp_context=context) as pool:
        for failure, value in pool.map(partial(_guarded, fn), work, chunksize=CHUNK):
            if failure is not None:
                raise failure
            yield cast(R, value)


def _guarded(fn: Callable[[T], R], item: T) -> tuple[BaseException | None, R | None]:
    """An item's exception travels back as a value, so the items before it in its chunk are
    still yielded first."""
    try:
        return None, fn(item)
    except Exception as exc:  # noqa: BLE001 - not swallowed: ordered_map re-raises it in turn
        return exc, None
