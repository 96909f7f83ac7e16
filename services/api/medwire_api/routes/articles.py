"""`/v1/articles`: list with filters, full-text search, sort orders and cursor pagination, and
one article by id. `ArticleFilters` and `filtered` serve the feeds and exports as well."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import (
    ColumnElement,
    Date,
    Select,
    Text,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import aliased

from medwire_common.schemas import EnrichedArticle, EventType

from ..core.cursor import BadCursor, decode_cursor, encode_cursor
from ..core.search import EmptyQuery, snippet, tsquery_literal
from ..deps import EngineDep
from ..problems import ProblemError
from ..schemas import INTERNAL, ArticlePage, Problem
from ..tables import (
    ArticleRow,
    article_events,
    article_locations,
    article_organizations,
    article_persons,
    organization_aliases,
    organizations,
    persons,
)

router = APIRouter(prefix="/v1/articles", tags=["articles"])
ERRORS = {400: {"model": Problem}, 422: {"model": Problem}}

# A search ranks the newest matches of the query (and filters) this many at most: a common
# term can match most of a million articles, and ranking them all would take seconds.
SEARCH_WINDOW = 1000


class Sort(StrEnum):
    newest = "newest"
    oldest = "oldest"
    relevance = "relevance"


@dataclass
class ArticleFilters:
    q: str | None = None
    source: str | None = None
    published_from: date | None = None
    published_to: date | None = None
    organization: str | None = None
    person: str | None = None
    adcode: str | None = None
    region: str | None = None
    topic: str | None = None
    event_type: EventType | None = None
    min_relevance: float | None = None
    hide_duplicates: bool = False


async def article_filters(
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Full-text search: every space-separated term must occur (a term of "
            "several characters as written); ranked by relevance and recency",
        ),
    ] = None,
    source: Annotated[
        str | None, Query(max_length=200, description="Source name or domain")
    ] = None,
    published_from: Annotated[
        date | None, Query(description="Earliest publication date (inclusive)")
    ] = None,
    published_to: Annotated[
        date | None, Query(description="Latest publication date (inclusive)")
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
        Query(max_length=50, description="Names a place in this province, city or district"),
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
        search_query(filters)  # an unsearchable query is the caller's error, found here
    return filters


FiltersDep = Annotated[ArticleFilters, Depends(article_filters)]


def search_query(f: ArticleFilters) -> ColumnElement[Any] | None:
    if f.q is None:
        return None
    try:
        return cast(literal(tsquery_literal(f.q)), TSQUERY)
    except EmptyQuery as exc:
        raise ProblemError(422, str(exc)) from exc


def filtered(stmt: Select[Any], f: ArticleFilters) -> Select[Any]:
    """`stmt` (a select from `articles`) restricted to the articles `f` describes."""
    if f.source:
        stmt = stmt.where(
            or_(ArticleRow.source_name == f.source, ArticleRow.source_domain == f.source)
        )
    if f.published_from:
        stmt = stmt.where(ArticleRow.published_at >= f.published_from)  # type: ignore[operator]
    if f.published_to:
        stmt = stmt.where(ArticleRow.published_at <= f.published_to)  # type: ignore[operator]
    for condition in _entity_filters(f):
        stmt = stmt.where(condition)
    if f.topic:
        stmt = stmt.where(ArticleRow.topics.contains([f.topic]))  # type: ignore[attr-defined]
    if f.min_relevance is not None:
        stmt = stmt.where(ArticleRow.relevance >= f.min_relevance)
    query = search_query(f)
    if query is not None:
        stmt = stmt.where(ArticleRow.search.op("@@")(query))  # type: ignore[union-attr]
    if f.hide_duplicates:
        earlier = aliased(ArticleRow)
        stmt = stmt.where(
            ~exists().where(
                earlier.dup_cluster == ArticleRow.dup_cluster,
                tuple_(earlier.ingested_at, earlier.article_id)
                < tuple_(ArticleRow.ingested_at, ArticleRow.article_id),
            )
        )
    return stmt


def organization_ids(name: str) -> Select[Any]:
    """The organisations `name` names: by full name or an alias."""
    return select(organizations.c.organization_id).where(
        or_(
            organizations.c.name == name,
            organizations.c.organization_id.in_(
                select(organization_aliases.c.organization_id).where(
                    organization_aliases.c.alias == name
                )
            ),
        )
    )


def _entity_filters(f: ArticleFilters) -> list[ColumnElement[bool]]:
    """Conditions on the entity tables, each an EXISTS on the article's rows."""
    article_id = ArticleRow.article_id
    found: list[ColumnElement[bool]] = []
    if f.organization:
        found.append(
            exists().where(
                article_organizations.c.article_id == article_id,
                article_organizations.c.organization_id.in_(organization_ids(f.organization)),
            )
        )
    if f.person:
        found.append(
            exists().where(
                article_persons.c.article_id == article_id,
                article_persons.c.person_id.in_(
                    select(persons.c.person_id).where(persons.c.name == f.person)
                ),
            )
        )
    places = article_locations.c
    if f.adcode:
        # 140000 is a province, 140700 a city: their places share the code's leading digits.
        code = f.adcode
        prefix = code[: 2 if code.endswith("0000") else 4 if code.endswith("00") else 6]
        found.append(
            exists().where(places.article_id == article_id, places.adcode.startswith(prefix))
        )
    if f.region:
        found.append(
            exists().where(
                places.article_id == article_id,
                or_(
                    places.name == f.region,
                    places.province == f.region,
                    places.city == f.region,
                    places.district == f.region,
                ),
            )
        )
    if f.event_type:
        found.append(
            exists().where(
                article_events.c.article_id == article_id, article_events.c.type == f.event_type
            )
        )
    return found


async def article_page(
    engine: AsyncEngine, f: ArticleFilters, sort: Sort | None, limit: int, cursor: str | None
) -> Response:
    """One page of the articles `f` describes, in `sort` order (relevance when searching,
    newest otherwise), after `cursor`."""
    order = sort or (Sort.relevance if f.q else Sort.newest)
    if order is Sort.relevance and not f.q:
        raise ProblemError(400, "sort=relevance ranks search results: give a query `q`")
    try:
        if order is Sort.relevance:
            stmt = _ranked(f, cursor and decode_cursor(cursor, order.value, float, str))
        else:
            # The date travels as text: asyncpg would send date.min (undated articles'
            # sort_date) as -infinity.
            after = cursor and decode_cursor(cursor, order.value, _iso_date, str)
            stmt = _dated(f, order, after)
    except BadCursor as exc:
        raise ProblemError(400, str(exc)) from exc
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt.limit(limit + 1))).all()
    page, more = rows[:limit], len(rows) > limit
    next_cursor = None
    if more:
        last = page[-1]
        key = last.score if order is Sort.relevance else last.sort_date.isoformat()
        next_cursor = encode_cursor(order.value, key, last.article_id)
    # The stored records were validated on ingest: they are spliced into the page as
    # PostgreSQL renders them, not parsed and serialised again.
    items = []
    for row in page:
        found = snippet(row.text, f.q) if f.q else None
        head = (
            f'{{"score":{json.dumps(row.score)},"snippet":{json.dumps(found, ensure_ascii=False)},'
        )
        items.append(head + row.record[1:] if row.record != "{}" else head[:-1] + "}")
    body = f'{{"items":[{",".join(items)}],"next_cursor":{json.dumps(next_cursor)}}}'
    return Response(body, media_type="application/json")


# Stored records are public as they are (without MinHash since migration 0005): served as text.
PUBLIC_RECORD = cast(ArticleRow.record, Text).label("record")


def _text(f: ArticleFilters) -> Any:
    """The article's text, for the snippet of a search."""
    return (ArticleRow.record["text"].astext if f.q else literal(None)).label("text")  # type: ignore[index]


def _iso_date(value: str) -> ColumnElement[Any]:
    return cast(literal(date.fromisoformat(value).isoformat()), Date)


def _dated(f: ArticleFilters, order: Sort, after: tuple[Any, ...] | None) -> Select[Any]:
    key = tuple_(ArticleRow.sort_date, ArticleRow.article_id)
    score = func.ts_rank_cd(ArticleRow.search, search_query(f)) if f.q else literal(None)
    stmt = filtered(
        select(
            PUBLIC_RECORD,
            _text(f),
            ArticleRow.sort_date,
            ArticleRow.article_id,
            score.label("score"),
        ),
        f,
    )
    if order is Sort.newest:
        if after:
            stmt = stmt.where(key < tuple_(*after))
        return stmt.order_by(ArticleRow.sort_date.desc(), ArticleRow.article_id.desc())  # type: ignore[union-attr]
    if after:
        stmt = stmt.where(key > tuple_(*after))
    return stmt.order_by(ArticleRow.sort_date.asc(), ArticleRow.article_id.asc())  # type: ignore[union-attr]


def _ranked(f: ArticleFilters, after: tuple[Any, ...] | None) -> Select[Any]:
    """Search results by score: text rank (title matches weigh more) over 1 + age in years.
    Only the SEARCH_WINDOW newest matches are ranked; the rank is computed on those alone."""
    newest = (
        filtered(select(ArticleRow.article_id, ArticleRow.sort_date, ArticleRow.search), f)
        .order_by(ArticleRow.sort_date.desc(), ArticleRow.article_id.desc())  # type: ignore[union-attr]
        .limit(SEARCH_WINDOW)
        .subquery()
    )
    age_years = (func.current_date() - newest.c.sort_date) / 365.0
    score = (
        cast(func.ts_rank_cd(newest.c.search, search_query(f)), ArticleRow.relevance.type)  # type: ignore[attr-defined]
        / (1 + func.greatest(age_years, 0))
    ).label("score")
    scored = select(newest.c.article_id, score).subquery()
    stmt = select(
        PUBLIC_RECORD, _text(f), ArticleRow.sort_date, ArticleRow.article_id, scored.c.score
    ).join(scored, scored.c.article_id == ArticleRow.article_id)
    if after:
        stmt = stmt.where(tuple_(scored.c.score, scored.c.article_id) < tuple_(*after))
    return stmt.order_by(scored.c.score.desc(), scored.c.article_id.desc())


@router.get(
    "",
    response_model=ArticlePage,
    responses=ERRORS,
    response_model_exclude={"items": {"__all__": INTERNAL}},
)
async def list_articles(
    engine: EngineDep,
    filters: FiltersDep,
    sort: Annotated[
        Sort | None,
        Query(
            description="`newest` first (the default), `oldest` first, or `relevance` "
            "(the default with `q`)"
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> Response:
    return await article_page(engine, filters, sort, limit, cursor)


@router.get(
    "/{article_id}",
    response_model=EnrichedArticle,
    responses={404: {"model": Problem}},
    response_model_exclude=INTERNAL,
)
async def get_article(engine: EngineDep, article_id: Annotated[str, Path(max_length=200)]) -> Any:
    async with engine.connect() as conn:
        record = (
            await conn.execute(select(PUBLIC_RECORD).where(ArticleRow.article_id == article_id))
        ).scalar_one_or_none()
    if record is None:
        raise ProblemError(404, f"no article with id {article_id!r}")
    return Response(record, media_type="application/json")  # validated on ingest: as stored
