"""Searches run in OpenSearch (the alias the indexer writes), the articles read from PostgreSQL,
the system of record: the index holds what is searched and filtered on, not the public record.

A page of a search asks OpenSearch for the hits in order with every filter it holds; the two it
does not (`region`, whose place names only PostgreSQL has, and `hide_duplicates`, whose clusters
PostgreSQL assigns on ingest) are checked in PostgreSQL on the hits, and OpenSearch is asked for
more until the page is full. Raises `SearchUnavailable` (a 503) when OpenSearch cannot answer,
`EmptyQuery` and `BadCursor` (the caller's errors)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import httpx
from sqlalchemy import any_, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..core.search import (
    Order,
    SearchFilters,
    cursor_of,
    ids_body,
    search_after_of,
    search_body,
    snippet_of,
)
from ..tables import ArticleRow, organizations
from .filters import ArticleFilters, division_of, filtered, organization_ids
from .records import WHOLE, RecordView

# When PostgreSQL checks filters on the hits, OpenSearch is asked for this many at a time.
CHECKED_BATCH = 200
# The routes that count, feed or export a search's matches read their ids (10,000 a request,
# OpenSearch's largest page); beyond MAX_MATCHES the caller is asked to narrow the search.
IDS_BATCH = 10_000
MAX_MATCHES = 100_000


class SearchUnavailable(Exception):
    """OpenSearch did not answer a search (down, overloaded, the index not built yet)."""


class TooManyMatches(ValueError):
    """A search matches more articles than a route reads the ids of (the caller's to narrow)."""


@dataclass(frozen=True)
class SearchIndex:
    """The alias searches go through, on `client` (based at OpenSearch's URL)."""

    client: httpx.AsyncClient
    alias: str

    async def search(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        """The hits of `POST /<alias>/_search`."""
        where = f"OpenSearch at {self.client.base_url}"
        if not str(self.client.base_url):
            raise SearchUnavailable("search is off: MEDWIRE_OPENSEARCH_URL is empty")
        try:
            response = await self.client.post(f"/{self.alias}/_search", json=body)
        except httpx.HTTPError as exc:
            raise SearchUnavailable(
                f"search is unavailable: {where} did not answer ({type(exc).__name__}); "
                "retry shortly (GET /healthz says whether OpenSearch is back)"
            ) from exc
        if response.status_code == 404:
            raise SearchUnavailable(
                f"search is unavailable: {where} has no index behind the alias "
                f"{self.alias!r} yet; the indexer creates it when it starts "
                "(MEDWIRE_INDEXER_ALIAS and MEDWIRE_TOPIC_PREFIX must be the indexer's)"
            )
        if response.status_code == 429 or response.status_code >= 500:
            raise SearchUnavailable(
                f"search is unavailable: {where} answered HTTP {response.status_code}; "
                "retry shortly"
            )
        if response.status_code != 200:  # a request this API built and OpenSearch refused
            raise RuntimeError(
                f"{where} refused a search request (HTTP {response.status_code}): "
                f"{response.text[:500]}"
            )
        hits: list[dict[str, Any]] = response.json()["hits"]["hits"]
        return hits


@dataclass(frozen=True)
class Found:
    """One article of a page of search results: its stored record, score and snippet."""

    article_id: str
    record: bytes
    score: float
    snippet: str


@dataclass(frozen=True)
class SearchPage:
    items: list[Found]
    next_cursor: str | None


async def search_filters(conn: AsyncConnection, f: ArticleFilters) -> SearchFilters:
    """`f`'s filters as the index holds them. An organisation filter stands for the canonical
    names of the organisations the name or alias names in PostgreSQL (as the listings do:
    an article naming an organisation without the alias is still its article)."""
    names: tuple[str, ...] | None = None
    if f.organization:
        found = select(organizations.c.name).where(
            organizations.c.organization_id.in_(organization_ids(f.organization))
        )
        names = (f.organization, *(await conn.execute(found)).scalars())
    return SearchFilters(
        source=f.source,
        published_from=f.published_from,
        published_to=f.published_to,
        organizations=names,
        person=f.person,
        division=division_of(f.adcode) if f.adcode else None,
        topic=f.topic,
        event_type=f.event_type,
        min_relevance=f.min_relevance,
    )


def checked_in_postgres(f: ArticleFilters) -> ArticleFilters | None:
    """The filters of `f` OpenSearch cannot check, or None when it checks them all."""
    if not f.region and not f.hide_duplicates:
        return None
    return ArticleFilters(region=f.region, hide_duplicates=f.hide_duplicates)


async def _records(
    conn: AsyncConnection, ids: list[str], checked: ArticleFilters | None, view: RecordView
) -> dict[str, bytes]:
    """The stored records of `ids` that meet `checked`, as `view` shows them. A hit not stored
    (yet: the indexer and the API's consumer read the topic apart) is not served."""
    stmt = select(ArticleRow.article_id, view.column()).where(
        ArticleRow.article_id == any_(ids)  # type: ignore[arg-type]
    )
    if checked is not None:
        stmt = filtered(stmt, checked)
    return {row.article_id: row.record for row in await conn.execute(stmt)}


async def search_page(
    index: SearchIndex,
    engine: AsyncEngine,
    f: ArticleFilters,
    order: Order,
    cursor: str | None,
    limit: int,
    today: date,
    view: RecordView = WHOLE,
) -> SearchPage:
    """`limit` articles matching `f.q` and `f` in `order`, after `cursor`."""
    assert f.q is not None
    after = search_after_of(order, cursor) if cursor else None
    checked = checked_in_postgres(f)
    batch = limit + 1 if checked is None else max(limit + 1, CHECKED_BATCH)
    kept: list[tuple[dict[str, Any], bytes]] = []
    async with engine.connect() as conn:
        filters = await search_filters(conn, f)
        while len(kept) <= limit:
            hits = await index.search(search_body(f.q, filters, order, today, batch, after))
            ids = [h["_id"] for h in hits]
            records = await _records(conn, ids, checked, view) if hits else {}
            kept += [(h, records[h["_id"]]) for h in hits if h["_id"] in records]
            if len(hits) < batch:
                break
            after = hits[-1]["sort"]
    page = kept[:limit]
    items = [Found(h["_id"], record, float(h["_score"]), snippet_of(h)) for h, record in page]
    more = len(kept) > limit
    return SearchPage(items, cursor_of(order, page[-1][0]["sort"]) if more else None)


async def with_matches(
    index: SearchIndex, engine: AsyncEngine, f: ArticleFilters
) -> ArticleFilters:
    """`f` with the ids of every article OpenSearch finds for `f.q` (and the filters it holds),
    for the routes that read the matches from PostgreSQL (`filtered` checks them there);
    `f` itself without a search."""
    if f.q is None:
        return f
    async with engine.connect() as conn:
        filters = await search_filters(conn, f)
    ids: list[str] = []
    after: list[Any] | None = None
    while True:
        hits = await index.search(ids_body(f.q, filters, IDS_BATCH, after))
        ids += [h["_id"] for h in hits]
        if len(ids) > MAX_MATCHES:
            raise TooManyMatches(
                f"the search q={f.q!r} matches more than {MAX_MATCHES:,} articles, more than "
                "this route reads: add a term or a filter (source, dates, topic…)"
            )
        if len(hits) < IDS_BATCH:
            return replace(f, matches=ids)
        after = hits[-1]["sort"]
