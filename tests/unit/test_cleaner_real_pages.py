"""The cleaner on the shared real web pages (`../shared/corpus/html/`): a floor on the tuned
set's mean body F1 per kind, and no empty output where the gold has text. Held-out pages
(int(id, 16) % 4 == 0) are not asserted on one by one; bench/cleaner_real.py reports them."""

import importlib.util
import sys

import pytest

from tests.support import ROOT

BENCH = ROOT / "bench" / "cleaner_real.py"
CORPUS = ROOT.parent / "shared" / "corpus" / "html" / "magic-html-benchmark"

# The issue #19 targets as floors (measured when written: news 0.955, forum 0.908), so a change
# that loses real pages fails here, not only in the benchmark.
FLOORS = {"article": 0.92, "forum": 0.85}

pytestmark = pytest.mark.skipif(
    not (CORPUS / "gold.jsonl").exists(),
    reason=f"the shared real-page corpus is absent ({CORPUS}); it sits beside the checkout",
)


@pytest.fixture(scope="module")
def bench():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("cleaner_real", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["cleaner_real"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def tuned_results(bench):  # type: ignore[no-untyped-def]
    pages = [p for p in bench.load_pages(CORPUS) if not p.held_out]
    return [(p, bench.medwire_text(p)) for p in pages]


@pytest.mark.parametrize("kind", sorted(FLOORS))
def test_mean_body_f1_on_real_pages_stays_above_the_floor(bench, tuned_results, kind) -> None:  # type: ignore[no-untyped-def]
    scores = [bench.body_score(p.gold, out).f1 for p, out in tuned_results if p.kind == kind]
    assert scores
    mean = sum(scores) / len(scores)
    assert mean >= FLOORS[kind], f"{kind}: mean bigram F1 {mean:.3f} < {FLOORS[kind]}"


def test_no_real_page_with_gold_text_comes_out_empty(tuned_results) -> None:  # type: ignore[no-untyped-def]
    empty = [p.id for p, out in tuned_results if p.gold.strip() and not out.strip()]
    assert not empty, f"pages with gold text but no output: {empty}"
