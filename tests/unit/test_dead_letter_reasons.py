"""Dead-letter and failure counters exist at 0 from a stage's start, for every reason it can
give (medwire_common.reasons): Prometheus then sees a stage's first dead letter as an increase.
And every reason written in the code is in its stage's set."""

from __future__ import annotations

import ast
import logging
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import SimpleNamespace

import pytest
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from medwire_common.metrics import StageMetrics
from medwire_common.reasons import (
    ANY_STAGE,
    DEAD_LETTER_REASONS,
    FETCH_FAILURES,
    RETRIED_OPERATIONS,
)
from medwire_common.settings import CommonSettings
from medwire_common.stage import Processed, Stage
from tests.support import ROOT


async def no_handler(records: Sequence[object]) -> list[Processed]:
    raise AssertionError("not called: nothing is consumed here")


def samples(registry: CollectorRegistry) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = generate_latest(registry).decode()
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.mark.parametrize("service", sorted(DEAD_LETTER_REASONS))
def test_a_fresh_stage_exports_every_reason_and_retry_at_zero(service: str) -> None:
    registry = CollectorRegistry()
    Stage(
        CommonSettings(topic_prefix="t."),
        service,
        "in",
        [],
        no_handler,
        StageMetrics(service, registry),
    )
    exported = samples(registry)
    failed = f"medwire_{service}_records_failed_total"
    for reason in DEAD_LETTER_REASONS[service]:
        labels = frozenset({("topic", "t.in"), ("reason", reason)})
        assert exported.get((failed, labels)) == 0.0, (service, reason)
    for operation in RETRIED_OPERATIONS:
        labels = frozenset({("operation", operation)})
        assert exported.get((f"medwire_{service}_transient_retries_total", labels)) == 0.0
    assert (
        exported.get((f"medwire_{service}_records_consumed_total", frozenset({("topic", "t.in")})))
        == 0.0
    )


def test_the_crawler_counts_invalid_requests_and_its_fetch_failures() -> None:
    assert {"invalid_request", "unknown_source", *FETCH_FAILURES} <= DEAD_LETTER_REASONS["crawler"]
    assert FETCH_FAILURES == {"fetch_failed", "oversized_page", "refused_target"}
    assert all(ANY_STAGE <= reasons for reasons in DEAD_LETTER_REASONS.values())


def test_a_reason_missing_from_the_list_is_counted_and_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    registry = CollectorRegistry()
    metrics = StageMetrics("cleaner", registry)
    with caplog.at_level(logging.ERROR):
        metrics.dead_letter("pages.raw", "brand_new_reason")
    labels = {"topic": "pages.raw", "reason": "brand_new_reason"}
    assert registry.get_sample_value("medwire_cleaner_records_failed_total", labels) == 1.0
    assert "brand_new_reason" in caplog.text and "DEAD_LETTER_REASONS" in caplog.text


def test_a_crawl_exports_its_source_failure_counters_at_zero() -> None:
    from medwire_crawler.extension import PrometheusStats

    spider = SimpleNamespace(source=SimpleNamespace(name="fresh-source"))
    PrometheusStats(crawler=None).spider_opened(spider)  # type: ignore[arg-type]
    for reason in FETCH_FAILURES:
        labels = {"source": "fresh-source", "reason": reason}
        assert REGISTRY.get_sample_value("medwire_crawler_fetch_failures_total", labels) == 0.0
    published = REGISTRY.get_sample_value(
        "medwire_crawler_publish_failures_total", {"source": "fresh-source"}
    )
    assert published == 0.0


# --- every reason written in a service's code is in that service's set -------------------------


def reasons_in(path: Path) -> Iterator[tuple[int, str]]:
    """String reasons given in `path`: RecordError("reason", …), FetchFailure(request, "reason",
    …) and `reason = "…"` (how the spider names a fetch failure)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            position = {"RecordError": 0, "FetchFailure": 1}.get(node.func.id)
            if position is not None and len(node.args) > position:
                arg = node.args[position]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    yield node.lineno, arg.value
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            if any(isinstance(t, ast.Name) and t.id == "reason" for t in node.targets):
                yield node.lineno, str(node.value.value)


@pytest.mark.parametrize("service", ["common", *sorted(DEAD_LETTER_REASONS)])
def test_every_reason_in_the_code_is_listed_for_its_stage(service: str) -> None:
    allowed = ANY_STAGE if service == "common" else DEAD_LETTER_REASONS[service]
    package = ROOT / "services" / service / f"medwire_{service}"
    found = [
        (f"{path.relative_to(ROOT)}:{line}", reason)
        for path in sorted(package.rglob("*.py"))
        for line, reason in reasons_in(path)
    ]
    assert found or service == "extractor", f"no reasons found in {package}: is the scan broken?"
    unlisted = [(where, reason) for where, reason in found if reason not in allowed]
    assert not unlisted, f"add these to medwire_common.reasons.DEAD_LETTER_REASONS: {unlisted}"
