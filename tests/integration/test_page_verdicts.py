"""A page with no article is not lost: the real cleaner on real Kafka dead-letters it to
pages.raw.dlq with its verdict as the reason and the page id in the detail (the record as it
came, so it can be replayed), counts it, and cleans the pages after it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from medwire_common.schemas import RawPage
from tests.integration.test_dead_letters import fixture_raw_page
from tests.support import ServiceProcess, consume, free_port, headers_of, produce, service_env

pytestmark = pytest.mark.integration


def failed_counts(metrics: str, topic: str) -> dict[str, float]:
    return {
        s.labels["reason"]: s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
        if s.name == "medwire_cleaner_records_failed_total" and s.labels["topic"] == topic
    }


def section_index() -> RawPage:
    links = "".join(
        f"<li><a href='/news/{i}.html'>关于开展第{i}期医疗器械注册人培训的通知</a></li>"
        for i in range(20)
    )
    html = f"<html><head><title>通知公告</title></head><body><ul>{links}</ul></body></html>"
    return RawPage.of("http://fixture.test/tzgg/", html.encode(), "text/html", datetime.now(UTC))


async def test_cleaner_dead_letters_pages_without_article_with_their_verdict(
    kafka: str, topic_prefix: str, log_dir: Path
) -> None:
    port = free_port()
    env = service_env(kafka, topic_prefix, MEDWIRE_CLEANER_PORT=str(port))
    service = ServiceProcess("cleaner", port, env).start(log_dir)
    try:
        in_topic = topic_prefix + "pages.raw"
        before = failed_counts(service.metrics_text(), in_topic)
        assert before["not_article"] == 0 and before["error_status"] == 0  # exported at 0

        index = section_index()
        missing = RawPage.of(
            "http://fixture.test/gone.html",
            b"<h1>404</h1>",
            "text/html",
            datetime.now(UTC),
            status=404,
        )
        article = fixture_raw_page()
        pages = [index, missing, article]
        # One key, one partition: the article is cleaned after the two pages without one.
        await produce(kafka, in_topic, [(b"p", p.model_dump_json().encode()) for p in pages])

        dlq = await consume(kafka, in_topic + ".dlq", lambda rs: len(rs) >= 2)
        assert len(dlq) == 2, service.log_tail()
        letters = {RawPage.model_validate_json(r.value).page_id: headers_of(r) for r in dlq}
        assert letters[index.page_id]["medwire-error-reason"] == "not_article"
        assert letters[missing.page_id]["medwire-error-reason"] == "error_status"
        for page_id, headers in letters.items():
            assert f"page {page_id}" in headers["medwire-error-detail"], headers
            assert "has no article" in headers["medwire-error-detail"], headers

        cleaned = await consume(kafka, topic_prefix + "articles.clean", lambda rs: len(rs) >= 1)
        assert [r.key for r in cleaned] and all(r.value for r in cleaned), service.log_tail()
        after = failed_counts(service.metrics_text(), in_topic)
        assert (after["not_article"], after["error_status"]) == (1, 1), after
        # Logged with the page id, at info: a page verdict is the web as it is, not a fault.
        logged = [
            json.loads(line)
            for line in service.log_tail(400).splitlines()
            if index.page_id in line and "sent to" in line
        ]
        assert [entry["level"] for entry in logged] == ["info"], service.log_tail()
    finally:
        service.stop()
