"""The API's Kafka shell: articles.enriched → PostgreSQL, a batch per transaction, offsets
committed after the commit. A bad record goes to articles.enriched.dlq; a database outage is
retried with backoff and never loses the batch."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

from aiokafka import ConsumerRecord
from prometheus_client import Histogram
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_common.schemas import EnrichedArticle
from medwire_common.stage import (
    BatchHandler,
    Processed,
    RecordError,
    TransientError,
    parse_batch,
)

from .db import is_transient, upsert_articles

IN_TOPIC = "articles.enriched"
FRESHNESS_BUCKETS = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 6 * 3600, 24 * 3600)
FETCH_TO_STORE = Histogram(
    "medwire_api_fetch_to_store_seconds",
    "Seconds from a page's fetch (its fetched_at) to its article stored in PostgreSQL",
    buckets=FRESHNESS_BUCKETS,
)


def ingest_handler(engine: AsyncEngine) -> BatchHandler:
    async def handle(records: Sequence[ConsumerRecord]) -> list[Processed]:
        start = time.perf_counter()
        articles, results = parse_batch(
            EnrichedArticle, records, "api: articles.enriched record is not an EnrichedArticle v1"
        )
        if articles:
            await _upsert_or_isolate(engine, articles, results)
            now = datetime.now(UTC)
            for i, article in articles:
                if results[i].failure is None:
                    FETCH_TO_STORE.observe(max(0.0, (now - article.fetched_at).total_seconds()))
        per_record = (time.perf_counter() - start) / max(1, len(records))
        for r in results:
            r.seconds = per_record
        return results

    return handle


async def _upsert_or_isolate(
    engine: AsyncEngine, articles: list[tuple[int, EnrichedArticle]], results: list[Processed]
) -> None:
    """Upsert the batch; if the database rejects it for its content, upsert one by one so that
    only the offending records go to the DLQ."""
    try:
        await upsert_articles(engine, [a for _, a in articles])
        return
    except (OSError, ConnectionError) as exc:
        raise TransientError(f"database unreachable: {exc}") from exc
    except DBAPIError as exc:
        if is_transient(exc):
            raise TransientError(f"database unavailable: {exc.orig}") from exc
    for i, article in articles:
        try:
            await upsert_articles(engine, [article])
        except DBAPIError as exc:
            if is_transient(exc):
                raise TransientError(f"database unavailable: {exc.orig}") from exc
            results[i] = Processed(
                failure=RecordError(
                    "rejected_by_database",
                    f"api: article {article.article_id} ({article.url}) rejected by PostgreSQL: {exc.orig}",
                )
            )
