"""The API as several worker processes (`MEDWIRE_API_WORKERS`): they share the port, the
articles.enriched consumer group (every record stored once), and /metrics (whichever worker
answers a scrape reports every worker's counts)."""

from __future__ import annotations

import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_api_storage import make_article
from tests.support import ServiceProcess, free_port, produce, service_env, wait_for

pytestmark = pytest.mark.integration

WORKERS = 2


def counted(api: ServiceProcess, name: str, **labels: str) -> float:
    """The sum of the samples `name` whose labels include `labels`, in one scrape."""
    return sum(
        s.value
        for family in text_string_to_metric_families(api.metrics_text())
        for s in family.samples
        if s.name == name and labels.items() <= s.labels.items()
    )


async def test_workers_share_the_port_the_consumer_group_and_the_metrics(
    kafka: str, topic_prefix: str, fresh_database: str, log_dir: Path, tmp_path: Path
) -> None:
    port = free_port()
    shared = tmp_path / "metrics"
    shared.mkdir()
    (shared / "counter_1.db").write_bytes(b"an earlier run's")  # emptied at start
    env = service_env(
        kafka,
        topic_prefix,
        MEDWIRE_API_PORT=str(port),
        MEDWIRE_DATABASE_URL=fresh_database,
        MEDWIRE_API_WORKERS=str(WORKERS),
        MEDWIRE_RATE_LIMIT="0",
        PROMETHEUS_MULTIPROC_DIR=str(shared),
    )
    api = ServiceProcess("api", port, env).start(log_dir)
    try:
        articles = [make_article(i) for i in range(30)]
        await produce(
            kafka,
            topic_prefix + "articles.enriched",
            [(a.article_id.encode(), a.model_dump_json().encode()) for a in articles],
        )
        conn = await asyncpg.connect(fresh_database)
        try:

            async def stored() -> bool:
                return await conn.fetchval("SELECT count(*) FROM articles") >= len(articles)

            assert await wait_for(stored, timeout=60), api.log_tail()
            # Each record consumed once, by one worker or the other, and none left over.
            assert await wait_for(
                lambda: counted(api, "medwire_api_records_consumed_total") >= len(articles)
            )
            assert await conn.fetchval("SELECT count(*) FROM articles") == len(articles)
        finally:
            await conn.close()

        # Every request on a connection of its own, so that both workers take some.
        def get(article_id: str) -> dict:
            with urllib.request.urlopen(f"{api.url}/v1/articles/{article_id}", timeout=10) as r:
                return json.loads(r.read())

        with ThreadPoolExecutor(8) as pool:
            got = list(pool.map(get, [a.article_id for a in articles] * 3))
        assert [a["article_id"] for a in got] == [a.article_id for a in articles] * 3
        # Both workers served and counted (a file of counters each).
        assert len(list(shared.glob("counter_*.db"))) == WORKERS
        route = "/v1/articles/{article_id}"
        for _ in range(4):  # each scrape may be answered by either worker
            assert counted(api, "medwire_api_http_requests_total", route=route) == 90
            assert counted(api, "medwire_api_records_consumed_total") == len(articles)
    finally:
        api.stop()
