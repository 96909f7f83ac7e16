"""The API's Kafka shell: articles.enriched → PostgreSQL, a batch per transaction, offsets
committed after the commit. A bad record goes to articles.enriched.dlq; a database outage is
retried with backoff and never loses the batch."""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, date, datetime

from aiokafka import ConsumerRecord
from prometheus_client import Gauge, Histogram
from sqlalchemy import text
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


NEWEST_PUBLISHED = Gauge(
    "medwire_api_source_newest_published_timestamp_seconds",
    "Publication date (UTC midnight, Unix time) of the newest stored article of each source",
    ["source"],
    multiprocess_mode="max",  # several API workers: the newest any of them stored
)
_newest: dict[str, float] = {}


def saw_published(source: str, published: date | None) -> None:
    """Move `source`'s newest publication date forward to `published` (never back)."""
    if published is None:
        return
    when = datetime.combine(published, datetime.min.time(), UTC).timestamp()
    if when > _newest.get(source, float("-inf")):
        _newest[source] = when
        NEWEST_PUBLISHED.labels(source).set(when)


# Each source's newest dated article, read at start-up so that a source silent since before a
# restart still shows (and alerts): one index seek per source on ix_articles_source_sort, the
# sources themselves found by skipping through that index (a loose index scan), not by reading
# the table.
_NEWEST_BY_SOURCE = text(
    """
    WITH RECURSIVE sources(name) AS (
        SELECT min(source_name) FROM articles
        UNION ALL
        SELECT (SELECT min(source_name) FROM articles WHERE source_name > sources.name)
        FROM sources WHERE sources.name IS NOT NULL
    )
    SELECT name, (SELECT max(sort_date) FROM articles a
                  WHERE a.source_name = sources.name AND a.sort_date > DATE '0001-01-01')
    FROM sources WHERE name IS NOT NULL
    """
)


async def read_newest_published(engine: AsyncEngine) -> int:
    """Seed the gauge from the store; the number of sources read."""
    async with engine.connect() as conn:
        rows = (await conn.execute(_NEWEST_BY_SOURCE)).all()
    for name, newest in rows:
        saw_published(name, newest)
    return len(rows)


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
                    saw_published(article.source.name, article.published_at)
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
