"""`medwire process` spreads a batch over worker processes and still answers as one process
would: the same records, in file order, with the same duplicate clusters."""

import json
import subprocess
import sys

import pytest

from medwire_cli.parallel import MIN_ITEMS_FOR_POOL, ordered_map
from tests.support import ROOT

SITE = ROOT / "tests" / "fixtures" / "site" / "www"


def _square_or_fail(n: int) -> int:
    if n == 7:
        raise ValueError("seven")
    return n * n


def test_ordered_map_keeps_input_order_across_workers() -> None:
    items = list(range(MIN_ITEMS_FOR_POOL * 3))
    items.remove(7)
    assert list(ordered_map(_square_or_fail, items, jobs=2)) == [n * n for n in items]


def test_ordered_map_raises_an_items_error_after_the_earlier_results() -> None:
    seen = []
    with pytest.raises(ValueError, match="seven"):
        for value in ordered_map(_square_or_fail, range(20), jobs=2):
            seen.append(value)
    assert seen == [n * n for n in range(7)]


def test_process_gives_the_same_records_with_one_or_two_jobs() -> None:
    pages = sorted(str(p) for p in SITE.rglob("*.html"))
    # the same pages twice: enough files for the pool, and exact duplicates to cluster
    files = pages + pages
    assert len(files) >= MIN_ITEMS_FOR_POOL

    def run(jobs: str) -> list[dict]:
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "medwire_cli",
                "process",
                "--jobs",
                jobs,
                "--fetched-at",
                "2026-01-01T00:00:00+00:00",
                *files,
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    single, pooled = run("1"), run("2")
    assert pooled == single and single
    half = len(single) // 2
    assert [r["dup_cluster"] for r in single[half:]] == [r["dup_cluster"] for r in single[:half]]
