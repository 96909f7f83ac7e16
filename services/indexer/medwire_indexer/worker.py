"""The indexer's Kafka shell: articles.enriched → OpenSearch `_bulk`, a batch per request,
offsets committed after OpenSearch answered for every record. A record OpenSearch refuses (or
that is no EnrichedArticle) goes to articles.enriched.dlq; while OpenSearch is away or
overloaded the batch is retried with backoff and never lost (the versions make the retry
harmless)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import Any

import httpx
from aiokafka import ConsumerRecord
from prometheus_client import REGISTRY, CollectorRegistry, Histogram

from medwire_common.logs import configure_logging
from medwire_common.metrics import StageMetrics
from medwire_common.opensearch import OpenSearchProbe, opensearch_up_gauge
from medwire_common.schemas import EnrichedArticle
from medwire_common.stage import (
    BatchHandler,
    Processed,
    RecordError,
    Stage,
    TransientError,
    parse_batch,
    run_service,
)

from .core import MAPPING_VERSION, bulk_body, document_of, index_body, judge_bulk_items, version_of
from .settings import IndexerSettings

log = logging.getLogger(__name__)

IN_TOPIC = "articles.enriched"
FRESHNESS_BUCKETS = (0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600)


class ArticleIndex:
    """The alias the indexer writes through, and the versioned index behind it, created with
    its explicit mapping when the alias does not exist yet."""

    def __init__(self, settings: IndexerSettings, client: httpx.AsyncClient) -> None:
        self.settings = settings
        self.client = client
        self.alias = settings.topic(settings.alias)
        self.index = f"{self.alias}-v{MAPPING_VERSION}"
        self.ready = False

    async def ensure(self) -> None:
        """Create the index and its alias unless the alias exists (idempotent; a transient
        error while OpenSearch is away)."""
        if self.ready:
            return
        try:
            exists = await self.client.head(f"/_alias/{self.alias}")
            if exists.status_code == 404:
                body = index_body(self.settings.shards, self.settings.replicas, self.alias)
                made = await self.client.put(f"/{self.index}", json=body)
                if made.status_code >= 400 and "resource_already_exists" not in made.text:
                    if made.status_code >= 500 or made.status_code == 429:
                        raise TransientError(
                            f"creating index {self.index}: HTTP {made.status_code}"
                        )
                    raise RuntimeError(
                        f"indexer: OpenSearch refused to create index {self.index} "
                        f"(HTTP {made.status_code}): {made.text[:500]}"
                    )
                log.info("created index %s behind alias %s", self.index, self.alias)
            elif exists.status_code >= 400:
                raise TransientError(f"asking for alias {self.alias}: HTTP {exists.status_code}")
        except httpx.HTTPError as exc:
            raise TransientError(f"OpenSearch unreachable: {type(exc).__name__}: {exc}") from exc
        self.ready = True


def index_handler(index: ArticleIndex, metrics: StageMetrics, freshness: Histogram) -> BatchHandler:
    async def handle(records: Sequence[ConsumerRecord]) -> list[Processed]:
        start = time.perf_counter()
        await index.ensure()
        docs, results = parse_batch(
            EnrichedArticle,
            records,
            "indexer: articles.enriched record is not an EnrichedArticle v1",
        )
        if docs:
            await _bulk_index(index, docs, results)
        now_ms = time.time() * 1000
        per_record = (time.perf_counter() - start) / max(1, len(records))
        for record, result in zip(records, results, strict=True):
            result.seconds = per_record
            if result.failure is None and record.timestamp:
                # From the extractor's produce to searchable (after the next refresh, ≤ 1 s).
                freshness.observe(max(0.0, (now_ms - record.timestamp) / 1000))
        return results

    return handle


async def _bulk_index(
    index: ArticleIndex, docs: list[tuple[int, EnrichedArticle]], results: list[Processed]
) -> None:
    body = bulk_body(index.alias, [(a.article_id, version_of(a), document_of(a)) for _, a in docs])
    try:
        response = await index.client.post(
            "/_bulk", content=body, headers={"content-type": "application/x-ndjson"}
        )
    except httpx.HTTPError as exc:
        raise TransientError(f"OpenSearch unreachable: {type(exc).__name__}: {exc}") from exc
    if response.status_code != 200:
        if response.status_code == 404:
            index.ready = False  # the alias was removed: make it again on the retry
        raise TransientError(f"OpenSearch _bulk answered HTTP {response.status_code}")
    try:
        answer: dict[str, Any] = response.json()
    except ValueError as exc:
        raise TransientError(f"OpenSearch _bulk answered no JSON: {exc}") from exc
    verdicts = judge_bulk_items(answer, len(docs))
    retry = [v.detail for v in verdicts if v.outcome == "retry"]
    if retry:
        # Everything is sent again; what was indexed meanwhile is now "current" and unchanged.
        raise TransientError(f"OpenSearch could not take {len(retry)} documents now: {retry[0]}")
    for (i, article), verdict in zip(docs, verdicts, strict=True):
        if verdict.outcome == "rejected":
            results[i] = Processed(
                failure=RecordError(
                    "rejected_by_opensearch",
                    f"indexer: article {article.article_id} ({article.url}) refused by "
                    f"OpenSearch index {index.alias}: {verdict.detail}",
                )
            )


def freshness_histogram(registry: CollectorRegistry = REGISTRY) -> Histogram:
    return Histogram(
        "medwire_indexer_freshness_seconds",
        "Seconds from a record's production on articles.enriched to its indexing",
        buckets=FRESHNESS_BUCKETS,
        registry=registry,
    )


def build_stage(
    settings: IndexerSettings,
    client: httpx.AsyncClient,
    metrics: StageMetrics,
    freshness: Histogram,
) -> Stage:
    index = ArticleIndex(settings, client)
    return Stage(
        settings, "indexer", IN_TOPIC, [], index_handler(index, metrics, freshness), metrics
    )


async def serve(settings: IndexerSettings) -> None:
    async with httpx.AsyncClient(
        base_url=settings.opensearch_url, timeout=settings.request_timeout_s
    ) as client:
        stage = build_stage(settings, client, StageMetrics("indexer"), freshness_histogram())
        probe = OpenSearchProbe(
            settings.opensearch_url, settings.opensearch_probe_s, opensearch_up_gauge()
        )

        async def health() -> dict[str, Any]:
            # OpenSearch away does not make the indexer unhealthy: it waits for it (the lag
            # grows), and a restart would not bring it back.
            return {**await stage.health(), "opensearch": probe.status}

        stop = asyncio.Event()
        probing = asyncio.create_task(probe.run(stop))
        try:
            await run_service(stage, settings, settings.http_port, stop, health)
        finally:
            stop.set()
            await probing


def main() -> None:
    settings = IndexerSettings()
    configure_logging("indexer", settings.log_level)
    log.info("indexer starting", extra={"settings": settings.masked()})
    asyncio.run(serve(settings))
