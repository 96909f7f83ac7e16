"""The indexer against the real Kafka and OpenSearch that scripts/test starts: records on
articles.enriched become searchable documents, redelivery changes nothing, a newer fetch
replaces the document, a bad record is dead-lettered with its reason, and while OpenSearch is
away records wait (retried, nothing dead-lettered) until it is back."""

from __future__ import annotations

import asyncio
import json
import urllib.request
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client import CollectorRegistry

from medwire_common.metrics import StageMetrics
from medwire_common.schemas import EnrichedArticle, Event, Location, Organization, Source
from medwire_common.stage import TransientError
from medwire_indexer.core import MAPPING_VERSION
from medwire_indexer.settings import IndexerSettings
from medwire_indexer.worker import build_stage, freshness_histogram
from tests.support import (
    ServiceProcess,
    TcpProxy,
    consume,
    free_port,
    headers_of,
    produce,
    service_env,
    wait_for,
)

pytestmark = pytest.mark.integration

FETCHED = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def article(i: int, text: str, fetched: datetime = FETCHED, title: str = "") -> EnrichedArticle:
    return EnrichedArticle(
        article_id=f"a{i:04d}",
        page_id=f"p{i}",
        url=f"http://news.test/{i}.html",
        canonical_url=f"http://news.test/{i}.html",
        source=Source(name="山西科技报", domain="news.test"),
        title=title or f"标题{i}",
        published_at=date(2026, 2, 28) - timedelta(days=i),
        fetched_at=fetched,
        text=text,
        organizations=[Organization(name="山西省药品监督管理局", aliases=["省药监局"])],
        locations=[Location(name="太原市", adcode="140100")],
        events=[Event(type="signing")] if "签约" in text else [],
        topics=["医疗器械"],
        relevance=0.5,
    )


ARTICLES = [
    article(1, "恒瑞医药与太原市政府签约共建创新药产业园。"),
    article(2, "省药监局召开医疗器械监管工作会议。"),
    article(3, "某生物医药企业完成新一轮融资，签约金额10亿元。"),
    article(4, "中药材种植基地建设进展顺利。"),
]


def encode(a: EnrichedArticle) -> tuple[bytes, bytes]:
    return a.article_id.encode(), a.model_dump_json().encode()


class Indexer:
    """One indexer stage run in-process on the test's topics, metrics and index."""

    def __init__(self, settings: IndexerSettings, opensearch: str) -> None:
        self.settings = settings
        self.registry = CollectorRegistry()
        self.opensearch = httpx.AsyncClient(base_url=opensearch, timeout=10)
        self.alias = settings.topic(settings.alias)
        self.topic = settings.topic("articles.enriched")

    def metric(self, name: str, **labels: str) -> float:
        return self.registry.get_sample_value(name, labels) or 0.0

    def indexed(self) -> float:
        """Records the indexer finished (indexed, or already current)."""
        return self.metric("medwire_indexer_freshness_seconds_count")

    async def search(self, query: dict[str, Any]) -> list[str]:
        await self.opensearch.post(f"/{self.alias}/_refresh")
        found = await self.opensearch.post(
            f"/{self.alias}/_search", json={"query": query, "size": 100}
        )
        assert found.status_code == 200, found.text
        return sorted(h["_id"] for h in found.json()["hits"]["hits"])

    async def doc(self, article_id: str) -> dict[str, Any]:
        got = await self.opensearch.get(f"/{self.alias}/_doc/{article_id}")
        assert got.status_code == 200, got.text
        return dict(got.json())


@asynccontextmanager
async def running_indexer(
    kafka: str, prefix: str, opensearch: str, url: str | None = None
) -> AsyncIterator[Indexer]:
    settings = IndexerSettings(
        kafka_bootstrap=kafka,
        topic_prefix=prefix,
        opensearch_url=url or opensearch,
        retry_backoff_s=0.2,
        request_timeout_s=5,
    )
    indexer = Indexer(settings, opensearch)
    metrics = StageMetrics("indexer", registry=indexer.registry)
    stop = asyncio.Event()
    async with httpx.AsyncClient(base_url=settings.opensearch_url, timeout=5) as client:
        stage = build_stage(settings, client, metrics, freshness_histogram(indexer.registry))
        task = asyncio.create_task(stage.run(stop))
        try:
            yield indexer
        finally:
            stop.set()
            try:
                await asyncio.wait_for(task, 60)
            except TransientError:
                pass  # stopped while retrying a batch (OpenSearch away): left uncommitted
            await indexer.opensearch.delete(f"/{indexer.alias}-v{MAPPING_VERSION}")
            await indexer.opensearch.aclose()


async def until(check: Callable[[], Any], timeout: float = 60) -> Any:
    return await wait_for(check, timeout=timeout, interval=0.2)


async def test_indexes_articles_searchably_and_redelivery_changes_nothing(
    kafka: str, opensearch: str, topic_prefix: str
) -> None:
    async with running_indexer(kafka, topic_prefix, opensearch) as idx:
        await produce(kafka, idx.topic, [*map(encode, ARTICLES), (b"bad", b"{not json")])
        assert await until(lambda: idx.indexed() == 4), idx.indexed()

        assert await idx.search({"match_phrase": {"text": "签约"}}) == ["a0001", "a0003"]
        assert await idx.search({"match_phrase": {"title": "标题2"}}) == ["a0002"]
        # Keyword filters: an organisation by alias, a place by adcode, an event type.
        assert len(await idx.search({"term": {"organizations": "省药监局"}})) == 4
        assert len(await idx.search({"term": {"adcodes": "140100"}})) == 4
        assert await idx.search({"term": {"event_types": "signing"}}) == ["a0001", "a0003"]
        assert await idx.search({"range": {"published_at": {"gte": "2026-02-26"}}}) == [
            "a0001",
            "a0002",
        ]

        dead = await consume(kafka, idx.topic + ".dlq", lambda rs: len(rs) >= 1, timeout=30)
        assert [headers_of(r)["medwire-error-reason"] for r in dead] == ["invalid_record"]
        assert (
            idx.metric(
                "medwire_indexer_records_failed_total", topic=idx.topic, reason="invalid_record"
            )
            == 1
        )

        before = {a.article_id: await idx.doc(a.article_id) for a in ARTICLES}
        assert before["a0001"]["_version"] == int(FETCHED.timestamp() * 1000)

        await produce(kafka, idx.topic, list(map(encode, ARTICLES)))  # redelivered
        assert await until(lambda: idx.indexed() == 8), idx.indexed()
        assert await idx.search({"match_all": {}}) == ["a0001", "a0002", "a0003", "a0004"]
        for a in ARTICLES:
            after = await idx.doc(a.article_id)
            assert (after["_version"], after["_seq_no"]) == (
                before[a.article_id]["_version"],
                before[a.article_id]["_seq_no"],
            ), f"redelivery rewrote {a.article_id}"

        # The same page fetched again later is newer: its document is replaced.
        refetched = article(
            2, "省药监局召开医疗器械监管工作会议。", FETCHED + timedelta(hours=1), title="新标题"
        )
        await produce(kafka, idx.topic, [encode(refetched)])
        assert await until(lambda: idx.indexed() == 9)
        newer = await idx.doc("a0002")
        assert newer["_source"]["title"] == "新标题"
        assert newer["_version"] == int(refetched.fetched_at.timestamp() * 1000)
        assert (
            idx.metric(
                "medwire_indexer_records_failed_total", topic=idx.topic, reason="invalid_record"
            )
            == 1
        )


async def test_records_wait_while_opensearch_is_away_and_are_indexed_when_it_is_back(
    kafka: str, opensearch: str, topic_prefix: str
) -> None:
    node = urlsplit(opensearch)
    proxy = TcpProxy(node.hostname or "127.0.0.1", node.port or 9200).open()
    proxy.cut()  # OpenSearch is away before the indexer ever reached it
    try:
        async with running_indexer(
            kafka, topic_prefix, opensearch, url=f"http://127.0.0.1:{proxy.port}"
        ) as idx:
            await produce(kafka, idx.topic, list(map(encode, ARTICLES)))
            retried = lambda: idx.metric(  # noqa: E731
                "medwire_indexer_transient_retries_total", operation="process"
            )
            assert await until(lambda: retried() >= 3), retried()
            assert idx.indexed() == 0

            def lag() -> float:
                return sum(
                    idx.metric("medwire_indexer_consumer_lag_records", topic=idx.topic, partition=p)
                    for p in ("0", "1", "2")
                )

            assert await until(lambda: lag() == 4), lag()  # what waits shows as lag

            def lag_seconds() -> float:
                return max(
                    idx.metric("medwire_indexer_consumer_lag_seconds", topic=idx.topic, partition=p)
                    for p in ("0", "1", "2")
                )

            # ... and in seconds: the age of the oldest record waiting, which grows
            first = lag_seconds()
            assert await until(lambda: lag_seconds() >= first + 1), (first, lag_seconds())
            dead = await consume(kafka, idx.topic + ".dlq", lambda rs: False, timeout=2)
            assert dead == [], "a record was dead-lettered while OpenSearch was away"

            proxy.open()
            assert await until(lambda: idx.indexed() == 4), idx.indexed()
            assert await idx.search({"match_all": {}}) == ["a0001", "a0002", "a0003", "a0004"]
            assert await until(lambda: lag() == 0), lag()
            assert await until(lambda: lag_seconds() == 0), lag_seconds()
    finally:
        proxy.cut()


async def test_indexer_service_exports_its_metrics_and_indexes_as_a_process(
    kafka: str, opensearch: str, topic_prefix: str, log_dir: Path
) -> None:
    port = free_port()
    env = service_env(
        kafka, topic_prefix, MEDWIRE_INDEXER_PORT=str(port), MEDWIRE_OPENSEARCH_URL=opensearch
    )
    service = ServiceProcess("indexer", port, env).start(log_dir)
    alias = f"{topic_prefix}articles"
    try:
        fresh = service.metrics_text()  # every reason at 0 before the first record
        for reason in ("invalid_record", "rejected_by_opensearch"):
            assert (
                f'medwire_indexer_records_failed_total{{reason="{reason}",'
                f'topic="{topic_prefix}articles.enriched"}} 0.0'
            ) in fresh, reason
        await produce(kafka, topic_prefix + "articles.enriched", list(map(encode, ARTICLES)))
        async with httpx.AsyncClient(base_url=opensearch, timeout=10) as client:

            async def count() -> int:
                await client.post(f"/{alias}/_refresh")
                got = await client.get(f"/{alias}/_count")
                return int(got.json().get("count", 0)) if got.status_code == 200 else 0

            assert await until(lambda: _equals(count(), 4)), service.log_tail()
            metrics = service.metrics_text()
            assert "medwire_indexer_freshness_seconds_count 4.0" in metrics
            assert "medwire_opensearch_up 1.0" in metrics
            with urllib.request.urlopen(f"{service.url}/healthz", timeout=5) as r:
                health = json.loads(r.read())
            assert health["ok"] is True and health["opensearch"] == "ok", health
            service.stop()
            assert service.proc is not None and service.proc.returncode == 0, service.log_tail()
            await client.delete(f"/{alias}-v{MAPPING_VERSION}")
    finally:
        service.stop()


async def _equals(value: Any, expected: int) -> bool:
    return bool(await value == expected)
