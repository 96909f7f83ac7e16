"""A transform stage's workers run the core's warm-up at start, so the first record a worker is
given does not wait for a model or a dictionary to load."""

from __future__ import annotations

import os
from functools import partial
from pathlib import Path

from medwire_common.stage import Output, WorkerPool
from medwire_extractor.core import ner


def no_op(key: bytes | None, value: bytes) -> list[Output]:
    return []


def leave_mark(folder: Path) -> None:
    (folder / str(os.getpid())).touch()


def test_every_worker_runs_the_warm_up_before_the_pool_is_ready(tmp_path: Path) -> None:
    pool = WorkerPool(2)
    try:
        pool.start(no_op, warm=partial(leave_mark, tmp_path))
        marks = {int(p.name) for p in tmp_path.iterdir()}
        assert len(marks) == 2, f"warm-up ran in {len(marks)} of 2 workers"
        assert os.getpid() not in marks
    finally:
        pool.shutdown()


def test_without_workers_the_warm_up_runs_in_the_service(tmp_path: Path) -> None:
    WorkerPool(0).start(no_op, warm=partial(leave_mark, tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == [str(os.getpid())]


def test_the_extractors_warm_up_loads_the_model() -> None:
    ner._tagger.cache_clear()
    ner.warm()
    assert ner._tagger.cache_info().currsize == 1
