"""Feeds (RSS, Atom, JSON Feed) and streaming exports (CSV, JSONL) of any article filter."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_common.schemas import EnrichedArticle

from ..core import feeds
from ..deps import EngineDep, SearchIndexDep
from ..queries.dated import Sort, dated_rows
from ..queries.filters import ArticleFilters, filtered
from ..queries.search import SearchIndex, search_page
from ..schemas import INTERNAL, Problem
from ..tables import ArticleRow
from .articles import FiltersDep, MatchedFiltersDep

router = APIRouter(prefix="/v1", tags=["feeds and exports"])
ERRORS = {400: {"model": Problem}, 422: {"model": Problem}}
SUMMARY_CHARS = 300

_FORMATS: dict[str, tuple[Callable[[feeds.Feed], bytes], str]] = {
    "rss": (feeds.rss, "application/rss+xml; charset=utf-8"),
    "atom": (feeds.atom, "application/atom+xml; charset=utf-8"),
    "json": (feeds.json_feed, "application/feed+json; charset=utf-8"),
}


def _newest(f: ArticleFilters) -> Any:
    return filtered(select(ArticleRow.record), f).order_by(
        ArticleRow.sort_date.desc(),  # type: ignore[union-attr]
        ArticleRow.article_id.desc(),  # type: ignore[attr-defined]
    )


async def _newest_records(
    engine: AsyncEngine, index: SearchIndex, f: ArticleFilters, limit: int
) -> list[bytes]:
    """The stored records of the `limit` newest articles `f` describes: a search's first page
    by date from OpenSearch (not every match's id, as the exports need), a list's from
    PostgreSQL."""
    if f.q is not None:
        today = datetime.now(UTC).date()
        page = await search_page(index, engine, f, "newest", None, limit, today)
        return [found.record for found in page.items]
    async with engine.connect() as conn:
        return [row.record for row in await dated_rows(conn, f, Sort.newest, None, limit)]


def _feed_route(kind: str) -> None:
    render, media_type = _FORMATS[kind]

    @router.get(
        f"/feeds/articles.{kind}",
        response_class=Response,
        responses={200: {"content": {media_type.split(";")[0]: {}}}, **ERRORS},
        name=f"feed_{kind}",
        summary=f"Articles of any filter as a {kind.upper()} feed, newest first",
    )
    async def feed(
        request: Request,
        engine: EngineDep,
        index: SearchIndexDep,
        filters: FiltersDep,
        limit: Annotated[int, Query(ge=1, le=100)] = 50,
    ) -> Response:
        records = await _newest_records(engine, index, filters, limit)
        # Links from the configured address, never from the client's Host header: this feed
        # is cached as public (edge.py), for every client.
        base: str = request.app.state.settings.public_base
        query = request.url.query
        after = f"?{query}" if query else ""
        feed_doc = feeds.Feed(
            title="medwire" + (f" — {query}" if query else ""),
            self_url=f"{base}/v1/feeds/articles.{kind}{after}",
            home_url=f"{base}/v1/articles{after}",
            entries=[_entry(EnrichedArticle.model_validate_json(r)) for r in records],
        )
        return Response(render(feed_doc), media_type=media_type)


def _entry(a: EnrichedArticle) -> feeds.Entry:
    return feeds.Entry(
        id=a.article_id,
        title=a.title,
        url=a.url,
        summary=a.text[:SUMMARY_CHARS],
        source=a.source.name,
        published=a.published_at,
        fetched=a.fetched_at,
    )


for _kind in _FORMATS:
    _feed_route(_kind)

CSV_COLUMNS = [
    "article_id", "url", "title", "source", "domain", "published_at", "relevance", "topics",
    "organizations", "persons", "locations", "text",
]  # fmt: skip


def csv_row(a: EnrichedArticle) -> list[str]:
    """An article as a CSV row; lists joined with `;` (names never contain one)."""
    return [
        a.article_id, a.url, a.title, a.source.name, a.source.domain,
        a.published_at.isoformat() if a.published_at else "", repr(a.relevance),
        ";".join(a.topics), ";".join(o.name for o in a.organizations),
        ";".join(p.name for p in a.persons), ";".join(p.name for p in a.locations), a.text,
    ]  # fmt: skip


async def _stream(
    engine: AsyncEngine,
    f: ArticleFilters,
    limit: int | None,
    line: Callable[[EnrichedArticle], str],
) -> AsyncIterator[bytes]:
    stmt = _newest(f)
    if limit:
        stmt = stmt.limit(limit)
    async with engine.connect() as conn:
        # A server-side cursor needs a transaction (reads are autocommit); repeatable read
        # makes the whole export one snapshot, however long it streams.
        await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            result = await conn.stream(stmt.execution_options(yield_per=500))
            async for partition in result.partitions():
                rows = "".join(line(EnrichedArticle.model_validate(r[0])) for r in partition)
                yield rows.encode()


async def _opened(chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    """`chunks` with its first chunk already read, so that a query that fails to start is a
    problem response. A failure after the response has started cannot change its status: the
    connection is then closed without the chunked body's last chunk, which every HTTP client
    reports as an incomplete transfer (docs/api.md, "Exports")."""
    first = await anext(chunks, b"")

    async def resumed() -> AsyncIterator[bytes]:
        yield first
        async for chunk in chunks:
            yield chunk

    return resumed()


# PostgreSQL binds a LIMIT as a bigint; an export of more is one with no limit.
MAX_EXPORT_LIMIT = 10_000_000
ExportLimit = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_EXPORT_LIMIT,
        description=f"At most this many articles (all by default; at most {MAX_EXPORT_LIMIT:,})",
    ),
]


@router.get(
    "/export/articles.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {}}}, **ERRORS},
)
async def export_csv(
    engine: EngineDep, filters: MatchedFiltersDep, limit: ExportLimit = None
) -> Any:
    """Articles of any filter as CSV (UTF-8 with BOM, for spreadsheets), newest first, streamed."""

    def line(a: EnrichedArticle) -> str:
        out = io.StringIO()
        csv.writer(out).writerow(csv_row(a))
        return out.getvalue()

    async def body(rows: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
        out = io.StringIO()
        csv.writer(out).writerow(CSV_COLUMNS)
        yield ("\ufeff" + out.getvalue()).encode()
        async for chunk in rows:
            yield chunk

    return StreamingResponse(
        body(await _opened(_stream(engine, filters, limit, line))),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="medwire-articles.csv"'},
    )


@router.get(
    "/export/articles.jsonl",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}, **ERRORS},
)
async def export_jsonl(
    engine: EngineDep, filters: MatchedFiltersDep, limit: ExportLimit = None
) -> Any:
    """Articles of any filter as JSON Lines (the public record, one per line), newest first."""

    def line(a: EnrichedArticle) -> str:
        return json.dumps(a.model_dump(mode="json", exclude=INTERNAL), ensure_ascii=False) + "\n"

    return StreamingResponse(
        await _opened(_stream(engine, filters, limit, line)),
        media_type="application/x-ndjson",
        headers={"content-disposition": 'attachment; filename="medwire-articles.jsonl"'},
    )
