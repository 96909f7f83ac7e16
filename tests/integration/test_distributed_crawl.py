"""Two crawler instances in one consumer group, one schedule: each source is enqueued once
(keyed by its domain), each domain crawled by one instance, every URL fetched and published
exactly once. Real Kafka, real PostgreSQL, the fixture site over HTTP under two host names."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from medwire_common.schemas import CrawlRequest
from tests.support import ServiceProcess, consume, crawler_env, free_port

from .test_incremental_crawl import site  # noqa: F401 - the fixture

pytestmark = pytest.mark.integration

SOURCES = """
sources:
  - {{name: portal-a, kind: sitemap, start_urls: ["http://127.0.0.1:{port}/sitemap.xml"]}}
  - {{name: portal-b, kind: sitemap, start_urls: ["http://localhost:{port}/sitemap.xml"]}}
"""


def per_source(service: ServiceProcess, name: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for family in text_string_to_metric_families(service.metrics_text()):
        for sample in family.samples:
            if sample.name == name:
                out[sample.labels["source"]] = out.get(sample.labels["source"], 0) + sample.value
    return out


async def test_two_instances_share_the_schedule_and_the_domains(
    kafka: str,
    topic_prefix: str,
    fresh_database: str,
    site: tuple[Any, str],  # noqa: F811
    log_dir: Path,
) -> None:
    httpd, base = site
    port = int(base.rsplit(":", 1)[1])
    sources = log_dir / "sources.yaml"
    sources.write_text(SOURCES.format(port=port), encoding="utf-8")
    crawlers = []
    for _ in range(2):
        env = crawler_env(
            kafka,
            topic_prefix,
            MEDWIRE_CRAWLER_PORT=str(free_port()),
            MEDWIRE_DATABASE_URL=fresh_database,
            MEDWIRE_SOURCES=str(sources),
            MEDWIRE_CRAWLER_RETRY_TIMES="0",
            MEDWIRE_CRAWLER_RECRAWL_S="3600",  # due once, at first sight
            MEDWIRE_CRAWLER_SCHEDULE_TICK_S="0.3",
        )
        port_i = int(env["MEDWIRE_CRAWLER_PORT"])
        crawlers.append(ServiceProcess("crawler", port_i, env).start(log_dir))
    try:
        # portal-a and portal-b: the 003 article, the redirected GBK page, the 404 (the 500 is
        # a dead letter)
        pages = await consume(
            kafka, f"{topic_prefix}pages.raw", lambda rs: len(rs) >= 6, timeout=120
        )
        await asyncio.sleep(3)  # anything published twice would arrive by now
        pages = await consume(kafka, f"{topic_prefix}pages.raw", lambda rs: False, timeout=3)
        urls = Counter(json.loads(p.value)["url"] for p in pages)
        assert len(urls) == 6 and set(urls.values()) == {1}, (urls, crawlers[0].log_tail())
        failed = await consume(
            kafka, f"{topic_prefix}crawl.requests.dlq", lambda rs: False, timeout=3
        )
        # each portal's 500 (a request delivered again would dead-letter it again: the set)
        assert {CrawlRequest.model_validate_json(r.value).url for r in failed} == {
            f"http://{host}:{port}/news/2025/0602/broken.html"
            for host in ("127.0.0.1", "localhost")
        }

        fetched = Counter(h for h in httpd.served_by_host if not h[1].endswith("robots.txt"))
        assert fetched and set(fetched.values()) == {1}, fetched  # every URL once
        assert {host for host, _ in fetched} == {"127.0.0.1", "localhost"}

        scheduled = [per_source(c, "medwire_crawler_crawls_scheduled_total") for c in crawlers]
        assert sum(sum(s.values()) for s in scheduled) == 2, scheduled  # once per source
        published = [per_source(c, "medwire_crawler_pages_published_total") for c in crawlers]
        for source in ("portal-a", "portal-b"):  # each domain from one instance
            assert [p.get(source, 0) > 0 for p in published].count(True) == 1, published
    finally:
        for crawler in crawlers:
            crawler.stop()
