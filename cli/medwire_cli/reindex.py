"""`medwire reindex`: rebuild the search index from PostgreSQL, the system of record, and swap
the alias to it without downtime.

1. A new index `<alias>-v<MAPPING_VERSION>-<UTC time>-<random>` is created with the current mapping
   (refresh off, no replicas while it fills).
2. Every stored article is read from PostgreSQL in batches (keyset order by article id) and
   bulk-indexed with its external version (fetch time), as the indexer does.
3. The alias moves to the new index in one `_aliases` request: searches and the indexer's
   writes go on through the alias throughout, to the old index until the swap.
4. Articles stored after the copy began (the indexer wrote them to the old index) are indexed
   again into the new one; the versions make a document already there unchanged.
5. The old index is kept (`--delete-old` deletes it), so the swap can be undone by hand.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from medwire_common.schemas import EnrichedArticle
from medwire_indexer.core import MAPPING_VERSION, bulk_body, document_of, index_body, version_of
from medwire_indexer.core.bulk import judge_bulk_items

# Rows changed this long before the copy began are indexed again after the swap too: clocks of
# PostgreSQL and this machine may differ a little.
CATCH_UP_MARGIN = timedelta(seconds=30)

Progress = Callable[[int, int], None]


@dataclass
class Reindexed:
    index: str
    previous: list[str]
    copied: int
    caught_up: int
    rejected: list[str]


class ReindexError(RuntimeError):
    """OpenSearch or PostgreSQL refused a step; the message says which and what to do."""


def _new_index_name(alias: str, now: datetime) -> str:
    """`<alias>-v<N>-<UTC time>-<random>`: two reindexes in one second get two names."""
    return f"{alias}-v{MAPPING_VERSION}-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}"


def _document(row: asyncpg.Record) -> tuple[str, int, dict[str, Any]]:
    record = row["record"]
    article = EnrichedArticle.model_validate_json(
        record if isinstance(record, str) else json.dumps(record)
    )
    doc = document_of(article)
    doc["dup_cluster"] = row["dup_cluster"]  # the store's cluster, which filters read
    return article.article_id, version_of(article), doc


def _check(response: httpx.Response, what: str) -> dict[str, Any]:
    if response.status_code >= 400:
        raise ReindexError(
            f"{what}: OpenSearch answered HTTP {response.status_code}: {response.text[:500]}"
        )
    body: dict[str, Any] = response.json()
    return body


async def _bulk(client: httpx.AsyncClient, index: str, rows: list[asyncpg.Record]) -> list[str]:
    """Index `rows` into `index`; the ids OpenSearch refused (a document the mapping does not
    take). Overload is retried a few times, then an error."""
    docs = [_document(r) for r in rows]
    for attempt in range(5):
        response = await client.post(
            "/_bulk",
            content=bulk_body(index, docs),
            headers={"content-type": "application/x-ndjson"},
        )
        answer = _check(response, f"bulk into {index}")
        verdicts = judge_bulk_items(answer, len(docs))
        if not any(v.outcome == "retry" for v in verdicts):
            return [d[0] for d, v in zip(docs, verdicts, strict=True) if v.outcome == "rejected"]
        await asyncio.sleep(0.5 * 2**attempt)
    raise ReindexError(f"bulk into {index}: OpenSearch kept answering 'try again' (overloaded?)")


async def _rows(
    db: asyncpg.Connection, batch: int, since: datetime | None = None
) -> AsyncIterator[list[asyncpg.Record]]:
    """Batches of (article_id, record, dup_cluster), by article id; only rows updated at or
    after `since` when given."""
    last = ""
    while True:
        rows = await db.fetch(
            "SELECT article_id, record, dup_cluster FROM articles"
            " WHERE article_id > $1 AND ($2::timestamptz IS NULL OR updated_at >= $2)"
            " ORDER BY article_id LIMIT $3",
            last,
            since,
            batch,
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["article_id"]


async def reindex(
    database_url: str,
    opensearch_url: str,
    alias: str,
    shards: int,
    replicas: int,
    batch: int = 500,
    delete_old: bool = False,
    progress: Progress | None = None,
    timeout_s: float = 60,
) -> Reindexed:
    started = datetime.now(UTC)
    index = _new_index_name(alias, started)
    db = await asyncpg.connect(database_url)
    try:
        async with httpx.AsyncClient(base_url=opensearch_url, timeout=timeout_s) as client:
            body = index_body(shards, replicas, alias)
            del body["aliases"]  # joined to the alias only at the swap
            body["settings"]["index"].update({"refresh_interval": "-1", "number_of_replicas": 0})
            _check(await client.put(f"/{index}", json=body), f"creating index {index}")

            total = int(await db.fetchval("SELECT count(*) FROM articles"))
            copied, rejected = 0, []
            async for rows in _rows(db, batch):
                rejected += await _bulk(client, index, rows)
                copied += len(rows)
                if progress:
                    progress(copied, total)

            settings = {"index": {"refresh_interval": None, "number_of_replicas": replicas}}
            _check(await client.put(f"/{index}/_settings", json=settings), f"settings of {index}")
            _check(await client.post(f"/{index}/_refresh"), f"refreshing {index}")

            current = await client.get(f"/_alias/{alias}")
            previous = (
                sorted((_check(current, f"alias {alias}")).keys())
                if (current.status_code != 404)
                else []
            )
            actions: list[dict[str, Any]] = [
                {"remove": {"index": old, "alias": alias}} for old in previous
            ]
            actions.append({"add": {"index": index, "alias": alias, "is_write_index": True}})
            _check(
                await client.post("/_aliases", json={"actions": actions}),
                f"moving alias {alias} to {index}",
            )

            caught_up = 0
            async for rows in _rows(db, batch, started - CATCH_UP_MARGIN):
                rejected += await _bulk(client, index, rows)
                caught_up += len(rows)
            _check(await client.post(f"/{index}/_refresh"), f"refreshing {index}")

            if delete_old:
                for old in previous:
                    _check(await client.delete(f"/{old}"), f"deleting {old}")
    except (httpx.HTTPError, OSError, asyncpg.PostgresError) as exc:
        raise ReindexError(f"reindex into {index} failed: {type(exc).__name__}: {exc}") from exc
    finally:
        await db.close()
    return Reindexed(index, previous, copied, caught_up, rejected)


def progress_bar(stream: Any = sys.stderr, width: int = 30) -> Progress:
    """A one-line progress bar on `stream`: done/total, percent, rate."""
    start = time.monotonic()

    def show(done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = int(share * width)
        rate = done / max(1e-9, time.monotonic() - start)
        stream.write(
            f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} "
            f"{share:4.0%} {rate:,.0f} articles/s"
        )
        if done >= total:
            stream.write("\n")
        stream.flush()

    return show
