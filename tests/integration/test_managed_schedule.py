"""Sources added through the admin API are re-crawled on the schedule like those of
sources.yaml: a crawler whose sources.yaml is empty enqueues the switched-on managed source
once per period (with its definition), crawls it, and leaves a switched-off one alone. Real
Kafka, real PostgreSQL (the API's migrations create `managed_sources`), the fixture site over
HTTP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_common.schemas import CrawlRequest
from tests.support import ServiceProcess, consume, crawler_env, free_port, wait_for

from .test_distributed_crawl import per_source
from .test_incremental_crawl import site  # noqa: F401 - the fixture

pytestmark = pytest.mark.integration


async def add_managed(engine: AsyncEngine, name: str, start_url: str, enabled: bool) -> None:
    definition = {"name": name, "kind": "sitemap", "start_urls": [start_url]}
    async with engine.begin() as conn:
        await conn.execute(
            text(
                "INSERT INTO managed_sources (name, definition, enabled)"
                " VALUES (:n, CAST(:d AS jsonb), :e)"
            ),
            {"n": name, "d": json.dumps(definition), "e": enabled},
        )


async def test_a_managed_source_is_crawled_on_the_schedule_and_a_switched_off_one_is_not(
    api: tuple[httpx.AsyncClient, AsyncEngine],
    kafka: str,
    topic_prefix: str,
    fresh_database: str,
    site: tuple[Any, str],  # noqa: F811
    log_dir: Path,
) -> None:
    _, engine = api  # the API's migrations ran on fresh_database
    _, base = site
    await add_managed(engine, "managed-on", f"{base}/sitemap.xml", enabled=True)
    await add_managed(engine, "managed-off", f"{base}/sitemap.xml", enabled=False)
    sources = log_dir / "sources.yaml"
    sources.write_text("sources: []\n", encoding="utf-8")
    port = free_port()
    env = crawler_env(
        kafka,
        topic_prefix,
        MEDWIRE_CRAWLER_PORT=str(port),
        MEDWIRE_DATABASE_URL=fresh_database,
        MEDWIRE_SOURCES=str(sources),
        MEDWIRE_CRAWLER_RETRY_TIMES="0",
        MEDWIRE_CRAWLER_RECRAWL_S="3600",  # due once, at first sight
        MEDWIRE_CRAWLER_SCHEDULE_TICK_S="0.3",
    )
    crawler = ServiceProcess("crawler", port, env).start(log_dir)
    try:
        requests = await consume(
            kafka, f"{topic_prefix}crawl.requests", lambda rs: len(rs) >= 1, timeout=60
        )
        request = CrawlRequest.model_validate_json(requests[0].value)
        assert request.source == "managed-on" and request.definition is not None
        assert request.definition.start_urls == [f"{base}/sitemap.xml"]
        pages = await consume(kafka, f"{topic_prefix}pages.raw", lambda rs: len(rs) >= 3)
        assert pages, crawler.log_tail()
        assert {json.loads(p.value)["source"]["name"] for p in pages} == {"managed-on"}

        def scheduled() -> dict[str, float]:
            return per_source(crawler, "medwire_crawler_crawls_scheduled_total")

        assert await wait_for(lambda: scheduled().get("managed-on") == 1, timeout=10)
        await consume(kafka, f"{topic_prefix}crawl.requests", lambda rs: False, timeout=2)
        assert "managed-off" not in scheduled()
    finally:
        crawler.stop()
