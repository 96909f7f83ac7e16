"""A list source without patterns, end to end: the generic rules find the articles on two list
pages (following 下一页), leave navigation, images, documents and other sites alone, and a page
slower than the download timeout is dead-lettered, not lost. Real Kafka, real PostgreSQL, the
fixture site over HTTP."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support import consume, headers_of

from .test_incremental_crawl import crawl_once, published, site  # noqa: F401 - site: a fixture

pytestmark = pytest.mark.integration


async def test_a_list_source_without_patterns_finds_its_articles(
    kafka: str,
    topic_prefix: str,
    fresh_database: str,
    site: tuple[Any, str],  # noqa: F811
) -> None:
    httpd, base = site
    crawl_once(
        kafka,
        topic_prefix,
        fresh_database,
        base,
        "demo-list",
        MEDWIRE_CRAWLER_DOWNLOAD_TIMEOUT_S="1",
    )
    assert await published(kafka, f"{topic_prefix}pages.raw") == [
        "news/2025/0616/20250616A01.html",
        "news/legacy/zhuce.shtml",  # published under the URL linked (it redirects)
        "zazhi/2022/0408/page_03.html",  # on the second list page
    ]
    assert "/news/index_2.html" in httpd.served  # 下一页 was followed
    for skipped in ("/about.html", "/zwgk/", "/", "/files/2025/notice.pdf", "/img/banner.jpg"):
        assert skipped not in httpd.served, skipped
    [slow] = await consume(kafka, f"{topic_prefix}crawl.requests.dlq", lambda rs: len(rs) >= 1)
    assert json.loads(slow.value)["url"] == f"{base}/news/2025/0801/slow.html"
    assert headers_of(slow)["medwire-error-reason"] == "fetch_failed"
    assert "timeout" in headers_of(slow)["medwire-error-detail"].lower()
