"""Re-crawls are cheap and publish only what changed: the crawler remembers each page (its
validators, status and body hash) in PostgreSQL, asks again with If-None-Match and
If-Modified-Since, and publishes a page again only when it changed. Real Kafka, real
PostgreSQL, a real Scrapy crawl of the fixture site over HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import ROOT, consume, crawler_env

pytestmark = pytest.mark.integration
SITE = ROOT / "tests/fixtures/site"
ARTICLE = "/news/2025/0616/20250616A01.html"
BROKEN = "/news/2025/0602/broken.html"  # answers 500 until a test mends it


@pytest.fixture
def site() -> Iterator[tuple[Any, str]]:
    sys.path.insert(0, str(SITE))
    from server import serve

    httpd, base = serve()
    try:
        yield httpd, base
    finally:
        httpd.shutdown()


def crawl_once(
    kafka: str, prefix: str, database: str, base: str, source: str = "demo-portal", **extra: str
) -> str:
    env = {
        **os.environ,
        **crawler_env(
            kafka,
            prefix,
            MEDWIRE_DATABASE_URL=database,
            MEDWIRE_DEMO_SITE=base,
            MEDWIRE_SOURCES=str(SITE / "sources.yaml"),
            MEDWIRE_CRAWLER_RETRY_TIMES="0",
            **extra,
        ),
    }
    done = subprocess.run(
        [sys.executable, "-m", "medwire_crawler", "crawl", "--source", source],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stderr


async def published(kafka: str, topic: str) -> list[str]:
    """The paths of every page on `topic` (all there: the crawl has exited)."""
    records = await consume(kafka, topic, lambda rs: False, timeout=4)
    return sorted(json.loads(r.value)["url"].split("/", 3)[3] for r in records)


async def test_a_recrawl_publishes_only_the_pages_that_changed(
    kafka: str, topic_prefix: str, fresh_database: str, site: tuple[Any, str]
) -> None:
    httpd, base = site
    topic = f"{topic_prefix}pages.raw"
    log = crawl_once(kafka, topic_prefix, fresh_database, base)
    first = await published(kafka, topic)
    assert first, log[-5000:]
    # 003, the redirected GBK page and the 404 (robots.txt keeps /private/ out; the page that
    # answers 500 is a dead letter, not a page)
    assert first == [
        "news/2025/0601/missing.html",
        "news/2025/0616/20250616A01.html",
        "news/legacy/zhuce.shtml",
    ]

    # The crawl had a failure, so the sitemap was not remembered: the next crawl reads it again
    # and fetches the mended page; the others are asked for conditionally, not published again.
    httpd.overrides[BROKEN] = (SITE / "www" / ARTICLE.lstrip("/")).read_bytes()
    httpd.served.clear()
    crawl_once(kafka, topic_prefix, fresh_database, base)
    first = sorted([*first, BROKEN.lstrip("/")])
    assert await published(kafka, topic) == first
    assert {"/sitemap.xml", ARTICLE} <= set(httpd.served)

    httpd.served.clear()
    crawl_once(kafka, topic_prefix, fresh_database, base)
    assert await published(kafka, topic) == first  # nothing new
    assert "/sitemap.xml" in httpd.served and ARTICLE not in httpd.served  # the sitemap: 304

    # The article is corrected and the sitemap says so: only the article is published again.
    original = (SITE / "www" / ARTICLE.lstrip("/")).read_bytes()
    httpd.overrides[ARTICLE] = original.replace("博科集团".encode(), "博科集团总部".encode(), 1)
    sitemap = (SITE / "www/sitemap.xml").read_text(encoding="utf-8")
    httpd.overrides["/sitemap.xml"] = sitemap.replace("2025-07-10", "2025-07-11", 1).encode()
    httpd.served.clear()
    crawl_once(kafka, topic_prefix, fresh_database, base)
    assert await published(kafka, topic) == sorted([*first, ARTICLE.lstrip("/")])
    # every page was asked for again, conditionally; the unchanged ones were not republished
    assert {ARTICLE, "/news/legacy/zhuce.shtml", "/news/2025/0601/missing.html"} <= set(
        httpd.served
    )
