"""`/v1/articles`: the list with filters, full-text search (in OpenSearch), sort orders and
cursor pagination, and one article by id. `FiltersDep` and `MatchedFiltersDep` (a search's
matches resolved to ids) serve the exports, feeds and stats as well. The queries are in
`queries/`: a route reads its parameters, calls one and writes the response."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response

from medwire_common.schemas import EnrichedArticle, EventType

from ..core.cursor import decode_cursor, encode_cursor
from ..core.search import checked_query
from ..db import fetch_value
from ..deps import EngineDep, ReadPoolDep, SearchIndexDep, SettingsDep
from ..params import Cursor, IsoDate, Limit
from ..problems import ProblemError
from ..queries.dated import Sort, dated_rows, iso_date
from ..queries.filters import ArticleFilters
from ..queries.records import RecordView, UnknownField, View, chosen_fields
from ..queries.search import SearchIndex, search_page, with_matches
from ..schemas import INTERNAL, ArticlePage, Problem

router = APIRouter(prefix="/v1/articles", tags=["articles"])
ERRORS = {400: {"model": Problem}, 422: {"model": Problem}}
# The most frequent read, through asyncpg's pool (see `db.open_read_pool`).
_BY_ID = "SELECT convert_to(record::text, 'UTF8') FROM articles WHERE article_id = $1"


async def article_filters(
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Full-text search: every space-separated term must occur (a term of "
            "several characters as written); ranked by relevance (BM25, title matches "
            "weighing more) and recency",
        ),
    ] = None,
    source: Annotated[
        str | None, Query(max_length=200, description="Source name or domain")
    ] = None,
    published_from: Annotated[
        IsoDate | None, Query(description="Earliest publication date (inclusive)")
    ] = None,
    published_to: Annotated[
        IsoDate | None, Query(description="Latest publication date (inclusive)")
    ] = None,
    organization: Annotated[
        str | None,
        Query(max_length=200, description="Names this organisation (full name or an alias)"),
    ] = None,
    person: Annotated[str | None, Query(max_length=100, description="Names this person")] = None,
    adcode: Annotated[
        str | None,
        Query(
            pattern=r"^\d{6}$",
            description="Names a place in this division: a province (`140000`) or city "
            "(`140700`) code includes the places inside it",
        ),
    ] = None,
    region: Annotated[
        str | None,
        Query(
            max_length=50,
            description="Names a place in this province, city or district: its official name "
            "or, for a province or city, its short form (`山西`, `太原`)",
        ),
    ] = None,
    topic: Annotated[str | None, Query(max_length=50, description="Has this topic")] = None,
    event_type: Annotated[
        EventType | None, Query(description="Reports an event of this type")
    ] = None,
    min_relevance: Annotated[
        float | None, Query(ge=0, le=1, description="Industry relevance at least this")
    ] = None,
    hide_duplicates: Annotated[
        bool, Query(description="Only the first article of each duplicate cluster")
    ] = False,
) -> ArticleFilters:
    if published_from and published_to and published_from > published_to:
        raise ProblemError(
            400, f"published_from ({published_from}) is after published_to ({published_to})"
        )
    filters = ArticleFilters(
        q, source, published_from, published_to, organization, person, adcode, region, topic,
        event_type, min_relevance, hide_duplicates,
    )  # fmt: skip
    if q is not None:
        checked_query(q)  # an unsearchable query is the caller's error, found here
    return filters


FiltersDep = Annotated[ArticleFilters, Depends(article_filters)]


async def matched_filters(
    filters: FiltersDep, index: SearchIndexDep, engine: EngineDep
) -> ArticleFilters:
    """The filters with a search's matches as ids (see `queries.search.with_matches`)."""
    return await with_matches(index, engine, filters)


MatchedFiltersDep = Annotated[ArticleFilters, Depends(matched_filters)]


async def record_view(
    settings: SettingsDep,
    view: Annotated[
        View,
        Query(
            description="`full`: every field, `text` cut to MEDWIRE_LIST_TEXT_CHARS characters "
            "(2,000 by default) with `text_truncated: true` when it was longer (the whole "
            "text is at /v1/articles/{article_id}); `summary`: article_id, url, title, "
            "subtitle, published_at, fetched_at, source, language, topics, relevance, "
            "dup_cluster"
        ),
    ] = View.full,
    fields: Annotated[
        str | None,
        Query(
            max_length=500,
            description="Comma-separated fields to return, instead of `view`'s (e.g. "
            "`article_id,title,published_at,organizations`)",
        ),
    ] = None,
) -> RecordView:
    try:
        return RecordView(chosen_fields(view, fields), settings.list_text_chars)
    except UnknownField as exc:
        raise ProblemError(422, str(exc)) from exc


RecordViewDep = Annotated[RecordView, Depends(record_view)]


async def article_page(
    engine: EngineDep,
    index: SearchIndex,
    f: ArticleFilters,
    sort: Sort | None,
    limit: int,
    cursor: str | None,
    view: RecordView,
) -> Response:
    """One page of the articles `f` describes, in `sort` order (relevance when searching,
    newest otherwise), after `cursor`, each record as `view` shows it: a search from
    OpenSearch, a list from PostgreSQL."""
    order = sort or (Sort.relevance if f.q else Sort.newest)
    if order is Sort.relevance and not f.q:
        raise ProblemError(400, "sort=relevance ranks search results: give a query `q`")
    if f.q is not None:
        today = datetime.now(UTC).date()
        found = await search_page(index, engine, f, order.value, cursor, limit, today, view)
        items = [_item(a.record, a.score, a.snippet) for a in found.items]
        return _page(items, found.next_cursor)
    # The date travels as text: asyncpg would send date.min (undated articles' sort_date)
    # as -infinity. A bad cursor is a 400 problem (problems.py).
    after = cursor and decode_cursor(cursor, order.value, iso_date, str)
    async with engine.connect() as conn:
        rows = await dated_rows(conn, f, order, after, limit + 1, view)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_cursor(
            order.value, page[-1].sort_date.isoformat(), page[-1].article_id
        )
    return _page([_item(row.record, None, None) for row in page], next_cursor)


def _item(record: bytes, score: float | None, snippet: str | None) -> bytes:
    """A stored record with the search's score and snippet in front. The stored records were
    validated on ingest: they are spliced into the page as PostgreSQL renders them, not parsed
    and serialised again."""
    head = f'{{"score":{json.dumps(score)},"snippet":{json.dumps(snippet, ensure_ascii=False)},'
    encoded = head.encode()
    return encoded + record[1:] if record != b"{}" else encoded[:-1] + b"}"


def _page(items: list[bytes], next_cursor: str | None) -> Response:
    tail = f'],"next_cursor":{json.dumps(next_cursor)}}}'.encode()
    return Response(b'{"items":[' + b",".join(items) + tail, media_type="application/json")


@router.get(
    "",
    response_model=ArticlePage,
    responses=ERRORS,
    response_model_exclude={"items": {"__all__": INTERNAL}},
)
async def list_articles(
    engine: EngineDep,
    index: SearchIndexDep,
    filters: FiltersDep,
    view: RecordViewDep,
    sort: Annotated[
        Sort | None,
        Query(
            description="`newest` first (the default), `oldest` first, or `relevance` "
            "(the default with `q`)"
        ),
    ] = None,
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    return await article_page(engine, index, filters, sort, limit, cursor, view)


@router.get(
    "/{article_id}",
    response_model=EnrichedArticle,
    responses={404: {"model": Problem}},
    response_model_exclude=INTERNAL,
)
async def get_article(pool: ReadPoolDep, article_id: Annotated[str, Path(max_length=200)]) -> Any:
    record = await fetch_value(pool, _BY_ID, article_id)
    if record is None:
        raise ProblemError(404, f"no article with id {article_id!r}")
    return Response(record, media_type="application/json")  # validated on ingest: as stored
