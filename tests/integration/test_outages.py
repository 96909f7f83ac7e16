"""An unreachable database or broker is waited for with backoff, and nothing accepted is lost:
the outage is played by cutting a TCP proxy in front of the real PostgreSQL or Kafka."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from medwire_cleaner.core import clean
from medwire_extractor.core import extract
from tests.integration.test_dead_letters import fixture_raw_page
from tests.support import (
    ServiceProcess,
    TcpProxy,
    consume,
    free_port,
    produce,
    service_env,
    wait_for,
)

pytestmark = pytest.mark.integration


def article_status(service: ServiceProcess, article_id: str) -> int:
    return http_status(f"{service.url}/v1/articles/{article_id}")


def health_status(service: ServiceProcess) -> int:
    return http_status(f"{service.url}/healthz")


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


async def test_api_waits_for_the_database_and_loses_nothing_during_an_outage(
    kafka: str, topic_prefix: str, fresh_database: str, log_dir: Path
) -> None:
    db = urlsplit(fresh_database)
    proxy = TcpProxy(db.hostname or "127.0.0.1", db.port or 5432)  # closed: the database is "down"
    url = fresh_database.replace(f"{db.hostname}:{db.port}", f"127.0.0.1:{proxy.port}")
    port = free_port()
    env = service_env(kafka, topic_prefix, MEDWIRE_API_PORT=str(port), MEDWIRE_DATABASE_URL=url)
    api = ServiceProcess("api", port, env).start(log_dir, wait_healthy=False)
    try:
        assert await wait_for(lambda: "migrating the database failed" in api.log_tail(), timeout=60)
        assert api.proc and api.proc.poll() is None, api.log_tail()
        proxy.open()
        api.wait_healthy(timeout=60)

        base = clean(fixture_raw_page())[0]
        first = extract(base)
        await produce(
            kafka,
            topic_prefix + "articles.enriched",
            [(first.article_id.encode(), first.model_dump_json().encode())],
        )
        assert await wait_for(lambda: article_status(api, first.article_id) == 200, timeout=60)

        proxy.cut()  # outage while consuming: the batch must wait, not go to the DLQ or vanish
        second = first.model_copy(update={"article_id": "outage-2", "title": "停机期间到达的文章"})
        await produce(
            kafka,
            topic_prefix + "articles.enriched",
            [(second.article_id.encode(), second.model_dump_json().encode())],
        )
        assert await wait_for(
            lambda: "TransientError: database unreachable" in api.log_tail(), timeout=60
        )
        # Reads meanwhile are refused with a 503 (retry), whichever pool they use.
        assert article_status(api, first.article_id) == 503, api.log_tail()
        assert http_status(f"{api.url}/v1/articles?limit=1") == 503, api.log_tail()
        proxy.open()
        # Once it is back, the first read finds it: the dead connections were renewed.
        assert await wait_for(lambda: article_status(api, first.article_id) == 200, timeout=30)
        assert await wait_for(lambda: article_status(api, "outage-2") == 200, timeout=90), (
            api.log_tail()
        )
        retried = [  # exported at 0 from the start: the retries are its value
            float(line.split()[-1])
            for line in api.metrics_text().splitlines()
            if line.startswith('medwire_api_transient_retries_total{operation="process"}')
        ]
        assert retried and retried[0] > 0, retried
        dlq = await consume(
            kafka, topic_prefix + "articles.enriched.dlq", lambda rs: False, timeout=2
        )
        assert dlq == []
    finally:
        api.stop()
        proxy.cut()


async def test_stage_waits_for_an_unreachable_broker(
    kafka: str, topic_prefix: str, log_dir: Path
) -> None:
    host, _, kport = kafka.partition(":")
    proxy = TcpProxy(host, int(kport))  # closed: the broker is "down" for bootstrap
    port = free_port()
    env = service_env(f"127.0.0.1:{proxy.port}", topic_prefix, MEDWIRE_CLEANER_PORT=str(port))
    cleaner = ServiceProcess("cleaner", port, env).start(log_dir, wait_healthy=False)
    try:
        assert await wait_for(lambda: "retrying in" in cleaner.log_tail(), timeout=60), (
            cleaner.log_tail()
        )
        assert cleaner.proc and cleaner.proc.poll() is None, cleaner.log_tail()
        assert await wait_for(
            lambda: health_status(cleaner) == 503, timeout=30
        )  # up, not healthy yet
        proxy.open()
        cleaner.wait_healthy(timeout=60)
        await produce(
            kafka,
            topic_prefix + "pages.raw",
            [(b"k", fixture_raw_page().model_dump_json().encode())],
        )
        out = await consume(
            kafka, topic_prefix + "articles.clean", lambda rs: len(rs) >= 1, timeout=60
        )
        assert json.loads(out[0].value)["title"] == "省药监局召开医疗器械注册人制度试点推进会"
    finally:
        cleaner.stop()
        proxy.cut()
