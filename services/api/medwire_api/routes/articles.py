"""`/v1/articles`: list with filters, full-text search, sort orders and cursor pagination, and
one article by id. `ArticleFilters` and `filtered` serve the exports and stats as well, and
`dated_rows` the feeds."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    Row,
    Select,
    Text,
    any_,
    bindparam,
    cast,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR, array
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import CompoundSelect, Subquery, TableClause

from medwire_common.divisions import official_names
from medwire_common.schemas import EnrichedArticle, EventType

from ..core.cursor import decode_cursor, encode_cursor
from ..core.search import (
    ORDERED_FROM,
    EmptyQuery,
    has_phrase,
    match_fraction,
    rarest_lexemes_literal,
    snippet,
    tsquery_literal,
)
from ..db import fetch_value
from ..deps import EngineDep, ReadPoolDep, SearchStatsDep
from ..params import Cursor, IsoDate, Limit
from ..problems import ProblemError
from ..schemas import INTERNAL, ArticlePage, Problem
from ..search_stats import SearchStats, estimated_rows
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
# An organisation or person named in this many articles at most is a rare one (see `narrowed`).
RARE = 5000
# A LIMIT that is never reached (see `_newest_matches`).
NO_LIMIT = 1 << 62


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
    # Set by `narrowed`: the ids of a rare organisation's or person's articles, read first.
    among: Select[Any] | None = None
    # Set by `listed`: the rows that list the articles of the organisation or place, by date.
    listing: Listing | None = None


@dataclass(frozen=True)
class Listing:
    """The articles a filter selects, as rows of an entity table that carry the article's
    `sort_date` (migration 0007), read newest (or oldest) first from an index, so a page of
    them is read without walking the articles that are not in it: the rows that meet
    `condition` (a place's; an article can be there twice, two places in one province), or a
    list for each of the `keys` (organisation ids, matched to `table.organization_id`)."""

    table: TableClause
    values: dict[str, Any]  # of the parameters of the condition or keys
    shape: tuple[Any, ...]  # what makes their SQL (see `dated_page`)
    condition: ColumnElement[bool] | None = None
    keys: CompoundSelect | None = None


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
        search_query(filters)  # an unsearchable query is the caller's error, found here
    return filters


FiltersDep = Annotated[ArticleFilters, Depends(article_filters)]


def search_query(f: ArticleFilters) -> ColumnElement[Any] | None:
    if f.q is None:
        return None
    return cast(bindparam("f_q", _tsquery_text(f.q), type_=_TYPES["f_q"]), TSQUERY)


def _tsquery_text(q: str) -> str:
    """The tsquery of a search (an unsearchable one is the caller's error)."""
    try:
        return tsquery_literal(q)
    except EmptyQuery as exc:
        raise ProblemError(422, str(exc)) from exc


def filter_values(f: ArticleFilters) -> dict[str, Any]:
    """The values of `f`'s filters, by the names of the parameters that `filtered` binds them
    to: a statement made for one `f` runs for another of the same `shape` with these."""
    values: dict[str, Any] = {
        f"f_{name}": getattr(f, name)
        for name in _PLAIN
        if getattr(f, name) is not None and getattr(f, name) != ""
    }
    if f.adcode:
        values["f_division"] = _division(f.adcode)
    if f.region:
        # A short form (`太原`, `山西`) finds the places of its official names too.
        values["f_region"] = list(official_names(f.region))
    if f.q is not None:
        values["f_q"] = _tsquery_text(f.q)
    return values


# The filters whose values are bound as they are.
_PLAIN = (
    "source", "published_from", "published_to", "organization", "person", "region", "topic",
    "event_type", "min_relevance",
)  # fmt: skip
_TYPES = {
    "f_published_from": Date(),
    "f_published_to": Date(),
    "f_q": Text(),
    "f_region": ARRAY(Text()),
}


def _binds(f: ArticleFilters) -> dict[str, Any]:
    return {
        name: bindparam(name, value, type_=_TYPES.get(name))
        for name, value in filter_values(f).items()
    }


def filtered(stmt: Select[Any], f: ArticleFilters) -> Select[Any]:
    """`stmt` (a select from `articles`) restricted to the articles `f` describes; each value is
    a parameter named as in `filter_values`."""
    p = _binds(f)
    if f.source:
        stmt = stmt.where(
            or_(ArticleRow.source_name == p["f_source"], ArticleRow.source_domain == p["f_source"])
        )
    if f.published_from:
        stmt = stmt.where(ArticleRow.published_at >= p["f_published_from"])  # type: ignore[operator]
    if f.published_to:
        stmt = stmt.where(ArticleRow.published_at <= p["f_published_to"])  # type: ignore[operator]
    if f.among is not None:
        stmt = stmt.where(ArticleRow.article_id == any_(ArrayOf(f.among)))
    for condition in _entity_filters(f, p):
        stmt = stmt.where(condition)
    if f.topic:
        topics = cast(array([p["f_topic"]]), ARRAY(Text()))  # asyncpg's text is VARCHAR
        stmt = stmt.where(ArticleRow.topics.contains(topics))  # type: ignore[attr-defined]
    if f.min_relevance is not None:
        stmt = stmt.where(ArticleRow.relevance >= p["f_min_relevance"])
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


def organization_ids(name: str | BindParameter[Any]) -> CompoundSelect:
    """The organisations `name` names: by full name or an alias (a UNION, which PostgreSQL
    expects to be a row or two; with OR it reads every organisation's articles)."""
    return union(
        select(organizations.c.organization_id).where(organizations.c.name == name),
        select(organization_aliases.c.organization_id).where(organization_aliases.c.alias == name),
    )


def _named_by(f: ArticleFilters, p: dict[str, Any] | None = None) -> dict[str, Select[Any]]:
    """The ids of the articles naming `f`'s organisation and person, by filter."""
    p = p or _binds(f)
    named = {}
    if f.organization:
        named["organization"] = select(article_organizations.c.article_id).where(
            article_organizations.c.organization_id.in_(organization_ids(p["f_organization"]))
        )
    if f.person:
        named["person"] = select(article_persons.c.article_id).where(
            article_persons.c.person_id.in_(
                select(persons.c.person_id).where(persons.c.name == p["f_person"])
            )
        )
    return named


def listed(f: ArticleFilters) -> ArticleFilters:
    """`f`, its organisation (or else its place code) filter replaced by the listing of its
    articles by date (see `Listing`), for a page by date."""
    if f.organization:
        return replace(f, organization=None, listing=organization_listing(f.organization))
    if f.adcode:
        return replace(f, adcode=None, listing=place_listing(f.adcode))
    return f


def organization_listing(name: str) -> Listing:
    """The articles of the organisations `name` names: a list each, found in the statement
    (one round trip; a name names one organisation or two)."""
    keys = organization_ids(bindparam("l_name", name, type_=Text()))
    return Listing(article_organizations, {"l_name": name}, ("organization",), keys=keys)


def place_listing(adcode: str) -> Listing:
    """The articles of the places in `adcode`'s division."""
    places, code = article_locations.c, _division(adcode)
    # The length is written in the statement, for it to be the indexed expression.
    digits = literal_column(str(len(code)))
    prefix = places.adcode if len(code) == 6 else func.left(places.adcode, digits)
    condition = prefix == bindparam("l_0", code, type_=Text())
    return Listing(article_locations, {"l_0": code}, ("place", len(code)), condition=condition)


def _division(adcode: str) -> str:
    """The leading digits of the codes in `adcode`'s division: 140000 is a province, 140700 a
    city, and their places share the code's first two or four digits."""
    return adcode[: 2 if adcode.endswith("0000") else 4 if adcode.endswith("00") else 6]


async def narrowed(conn: AsyncConnection, f: ArticleFilters) -> ArticleFilters:
    """`f`, its organisation or person filter replaced by the articles it selects if they are
    few (RARE at most).

    PostgreSQL plans the filter before knowing which organisation the name is: it walks the
    newest articles until enough name it, tens of thousands for one named in a thousand
    articles of a million (200 ms). Given the few articles, it reads just those."""
    if f.among is not None:
        return f
    for field, named in _named_by(f).items():
        count = select(func.count()).select_from(named.limit(RARE + 1).subquery())
        if (await conn.execute(count)).scalar_one() <= RARE:
            return replace(f, among=named, **{field: None})
    return f


class ArrayOf(ColumnElement[Any]):
    """`ARRAY(subquery)`: the subquery's rows as one array, read once before the statement runs
    (where `IN (subquery)` may be checked article by article as the newest are walked)."""

    inherit_cache = False
    type = ARRAY(Text())

    def __init__(self, rows: Select[Any]) -> None:
        self.rows = rows


@compiles(ArrayOf)
def _array_of(element: ArrayOf, compiler: SQLCompiler, **kw: Any) -> str:
    return f"ARRAY({compiler.process(element.rows, **kw)})"


def _entity_filters(f: ArticleFilters, p: dict[str, Any]) -> list[ColumnElement[bool]]:
    """Conditions on the entity tables, each an EXISTS on the article's rows."""
    article_id = ArticleRow.article_id
    found: list[ColumnElement[bool]] = [
        named.where(named.selected_columns[0] == article_id).exists()
        for named in _named_by(f, p).values()
    ]
    places = article_locations.c
    if f.adcode:
        found.append(
            exists().where(
                places.article_id == article_id,
                places.adcode.startswith(p["f_division"], autoescape=False),
            )
        )
    if f.region:
        region = p["f_region"]
        found.append(
            exists().where(
                places.article_id == article_id,
                or_(
                    places.name == any_(region),
                    places.province == any_(region),
                    places.city == any_(region),
                    places.district == any_(region),
                ),
            )
        )
    if f.event_type:
        found.append(
            exists().where(
                article_events.c.article_id == article_id,
                article_events.c.type == p["f_event_type"],
            )
        )
    return found


async def article_page(
    engine: AsyncEngine,
    stats: SearchStats,
    f: ArticleFilters,
    sort: Sort | None,
    limit: int,
    cursor: str | None,
) -> Response:
    """One page of the articles `f` describes, in `sort` order (relevance when searching,
    newest otherwise), after `cursor`."""
    order = sort or (Sort.relevance if f.q else Sort.newest)
    if order is Sort.relevance and not f.q:
        raise ProblemError(400, "sort=relevance ranks search results: give a query `q`")
    # The date travels as text: asyncpg would send date.min (undated articles' sort_date)
    # as -infinity. A bad cursor is a 400 problem (problems.py).
    key = (float, str) if order is Sort.relevance else (_iso_date, str)
    after = cursor and decode_cursor(cursor, order.value, *key)
    async with engine.connect() as conn:
        if order is Sort.relevance:
            stmt = await search_statement(conn, stats, await narrowed(conn, f), after, limit + 1)
            rows = (await conn.execute(stmt)).all()
        else:
            rows = await dated_rows(conn, f, order, after, limit + 1)
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
        ).encode()
        items.append(head + row.record[1:] if row.record != b"{}" else head[:-1] + b"}")
    tail = f'],"next_cursor":{json.dumps(next_cursor)}}}'.encode()
    return Response(b'{"items":[' + b",".join(items) + tail, media_type="application/json")


# Stored records are public as they are (without MinHash since migration 0005): served as
# PostgreSQL renders them, as UTF-8 bytes. Read as text, asyncpg would decode each into a str
# that the response then encodes again: 0.17 ms of CPU for a page of 21 (64 kB, at a million
# synthetic articles), 0.56 against 0.40 to read and join them.
PUBLIC_RECORD = func.convert_to(cast(ArticleRow.record, Text), literal_column("'UTF8'")).label(
    "record"
)
# The most frequent read, through asyncpg's pool (see `db.open_read_pool`).
_BY_ID = "SELECT convert_to(record::text, 'UTF8') FROM articles WHERE article_id = $1"


def _text(f: ArticleFilters) -> Any:
    """The article's text, for the snippet of a search."""
    return (ArticleRow.record["text"].astext if f.q else literal(None)).label("text")  # type: ignore[index]


def _iso_date(value: str) -> str:
    """A cursor's date, checked; it travels as text (see `_beyond`)."""
    return date.fromisoformat(value).isoformat()


async def dated_rows(
    conn: AsyncConnection,
    f: ArticleFilters,
    order: Sort,
    after: tuple[Any, ...] | None,
    limit: int,
) -> Sequence[Row[Any]]:
    """A page by date of the articles `f` describes (for lists and feeds): an organisation's
    or a place's are read from their listing; a search finds its matches in the search index
    and checks the filters on those."""
    f = await narrowed(conn, f if f.q else listed(f))
    stmt, params = dated_page(f, order, after, limit)
    return (await conn.execute(stmt, params)).all()


# Statements of pages by date, by shape (see `dated_page`).
_PAGES: dict[tuple[Any, ...], Select[Any]] = {}
MAX_SHAPES = 1024


def dated_page(
    f: ArticleFilters, order: Sort, after: tuple[Any, ...] | None, limit: int
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of a page by date (`_dated`) and its parameters. A statement is made once
    for each shape of request: which filters are given, the order, whether there is a cursor,
    the level of a place code. Making it cost a quarter of the API's time for a list;
    every value is a parameter (`filter_values`, the listing's, the cursor's and the limit)."""
    params = {**filter_values(f), **(f.listing.values if f.listing else {}), "p_limit": limit}
    if after:
        params.update(p_after_date=after[0], p_after_id=after[1])
    if f.among is not None:  # the articles of a rare organisation: a subquery, not a parameter
        return _dated(f, order, after, limit), params
    shape = (order, tuple(params), f.hide_duplicates, f.listing and f.listing.shape)
    stmt = _PAGES.get(shape)
    if stmt is None:
        if len(_PAGES) >= MAX_SHAPES:
            _PAGES.clear()
        stmt = _PAGES[shape] = _dated(f, order, after, limit)
    return stmt, params


def _beyond(when: Any, which: Any, after: tuple[Any, ...], newest: bool) -> ColumnElement[bool]:
    """(`when`, `which`) past the cursor `after` in the order, its date and id as parameters;
    the date travels as text, because asyncpg would send date.min (undated articles'
    sort_date) as -infinity."""
    key = tuple_(when, which)
    bound = tuple_(
        cast(bindparam("p_after_date", after[0], type_=Text()), Date),
        bindparam("p_after_id", after[1], type_=Text()),
    )
    return key < bound if newest else key > bound


def _dated(
    f: ArticleFilters, order: Sort, after: tuple[Any, ...] | None, limit: int
) -> Select[Any]:
    """`limit` articles `f` describes by date in `order`, after `after`. The page is chosen on
    its keys, and only its articles' records are read (a plan that sorts the matches would
    otherwise render every match's record first)."""
    newest = order is Sort.newest
    if f.listing is not None:
        page = _listed_page(f, f.listing, newest, after, limit)
    else:
        keys = filtered(select(ArticleRow.article_id), f)
        if after:
            keys = keys.where(_beyond(ArticleRow.sort_date, ArticleRow.article_id, after, newest))
        page = keys.order_by(*_by_date(newest)).limit(bindparam("p_limit", limit)).subquery()
    score = func.ts_rank_cd(ArticleRow.search, search_query(f)) if f.q else literal(None)
    return (
        select(
            PUBLIC_RECORD,
            _text(f),
            ArticleRow.sort_date,
            ArticleRow.article_id,
            score.label("score"),
        )
        .join(page, page.c.article_id == ArticleRow.article_id)
        .order_by(*_by_date(newest))
    )


def _listed_page(
    f: ArticleFilters, listing: Listing, newest: bool, after: tuple[Any, ...] | None, limit: int
) -> Subquery:
    """The ids of the page of `limit` articles by date after `after`, read from `listing` in
    order and checked against the rest of `f` one by one, in order."""
    rows = listing.table.c
    if listing.keys is not None:
        return _keyed_page(f, listing, listing.keys, newest, after, limit)
    merged = (
        _bounded(
            select(rows.article_id, rows.sort_date).where(listing.condition), rows, f, newest, after
        )
        .order_by(*_ordered(rows.sort_date, rows.article_id, newest))
        .subquery()
    )
    page = filtered(
        select(merged.c.article_id, merged.c.sort_date)
        .distinct()
        .join(ArticleRow, ArticleRow.article_id == merged.c.article_id),
        f,
    )
    return (
        page.order_by(*_ordered(merged.c.sort_date, merged.c.article_id, newest))
        .limit(bindparam("p_limit", limit))
        .subquery()
    )


def _keyed_page(
    f: ArticleFilters,
    listing: Listing,
    keys: CompoundSelect,
    newest: bool,
    after: tuple[Any, ...] | None,
    limit: int,
) -> Subquery:
    """The ids of the page, read for each key from its list (a LATERAL subquery, which reads
    its list in order, checking the rest of `f`, to the page's end), the lists' pages merged."""
    rows, found = listing.table.c, keys.subquery()
    one = _bounded(
        select(rows.article_id, rows.sort_date)
        .join(ArticleRow, ArticleRow.article_id == rows.article_id)
        .where(rows.organization_id == found.c.organization_id),
        rows,
        f,
        newest,
        after,
    )
    one = (
        filtered(one, f)
        .order_by(*_ordered(rows.sort_date, rows.article_id, newest))
        .limit(bindparam("p_limit", limit))
        .lateral()
    )
    return (
        select(one.c.article_id, one.c.sort_date)
        .distinct()
        .select_from(found.join(one, true()))
        .order_by(*_ordered(one.c.sort_date, one.c.article_id, newest))
        .limit(bindparam("p_limit", limit))
        .subquery()
    )


def _bounded(
    listed: Select[Any], rows: Any, f: ArticleFilters, newest: bool, after: tuple[Any, ...] | None
) -> Select[Any]:
    """`listed` (rows of a listing) from the cursor on and within `f`'s date range (undated
    articles are then dropped by `f`'s own condition)."""
    p = _binds(f)
    if f.published_from:
        listed = listed.where(rows.sort_date >= p["f_published_from"])
    if f.published_to:
        listed = listed.where(rows.sort_date <= p["f_published_to"])
    if after:
        listed = listed.where(_beyond(rows.sort_date, rows.article_id, after, newest))
    return listed


def _ordered(when: Any, which: Any, newest: bool) -> tuple[Any, Any]:
    return (when.desc(), which.desc()) if newest else (when.asc(), which.asc())


def _by_date(newest: bool) -> tuple[Any, Any]:
    return _ordered(ArticleRow.sort_date, ArticleRow.article_id, newest)


async def search_statement(
    conn: AsyncConnection,
    stats: SearchStats,
    f: ArticleFilters,
    after: tuple[Any, ...] | None,
    limit: int,
) -> Select[Any]:
    """The statement of a page of search results (`f.q` given), made for the articles there are
    now (see `core.search`)."""
    return _ranked(f, after, limit, await search_plan(conn, stats, f))


@dataclass(frozen=True)
class SearchPlan:
    """How to find the newest matches of a search (see `core.search`)."""

    index_query: str  # what to ask the search index (a tsquery literal)
    cutoff: date | None = None  # the oldest date of the window of newest articles searched first
    in_order: bool = False  # read the window's articles in order rather than ask the index


async def search_plan(conn: AsyncConnection, stats: SearchStats, f: ArticleFilters) -> SearchPlan:
    """How to find the newest matches of the search `f` among the articles there are now."""
    await stats.refresh(conn)
    q = f.q or ""
    try:
        plan = SearchPlan(rarest_lexemes_literal(q, stats.lexemes))
    except EmptyQuery as exc:
        raise ProblemError(422, str(exc)) from exc
    fraction = match_fraction(q, stats.lexemes, rare=0.0)
    if not fraction:
        return plan
    others = replace(f, q=None)
    if others == ArticleFilters():
        estimate = fraction * stats.total
    else:
        estimate = fraction * await estimated_rows(
            conn, filtered(select(ArticleRow.article_id), others)
        )
    cutoff = stats.cutoff(estimate, SEARCH_WINDOW)
    return replace(plan, cutoff=cutoff, in_order=cutoff is not None and fraction >= ORDERED_FROM)


def _newest_matches(f: ArticleFilters, plan: SearchPlan) -> Subquery:
    """The SEARCH_WINDOW newest articles that `f` describes and the search index finds for
    `plan` (the query as written is checked by `_ranked`), with their search vectors. With a
    cutoff, the articles dated from it on are searched first, the older ones only if needed
    (PostgreSQL runs the second branch of a UNION ALL only if the limit is not reached yet)."""
    others = replace(f, q=None)
    cutoff = plan.cutoff
    indexed = cast(literal(plan.index_query), TSQUERY)
    has_lexemes = ArticleRow.search.op("@@")(indexed)  # type: ignore[union-attr]
    columns = select(ArticleRow.article_id, ArticleRow.sort_date, ArticleRow.search)

    def newest(*conditions: ColumnElement[bool]) -> Select[Any]:
        return filtered(columns, others).where(*conditions).order_by(*_by_date(newest=True))

    if cutoff is None:
        return _read(newest(has_lexemes).limit(SEARCH_WINDOW).subquery())
    recent = ArticleRow.sort_date >= cutoff  # type: ignore[operator]
    if plan.in_order:
        # The LIMIT (never reached) keeps PostgreSQL from moving the match into the scan, where
        # it would ask the search index; the window's articles are read newest first until
        # enough match.
        window = newest(recent).limit(NO_LIMIT).subquery()
        first = (
            select(window)
            .where(window.c.search.op("@@")(search_query(f)))
            .order_by(window.c.sort_date.desc(), window.c.article_id.desc())
        )
    else:
        first = newest(has_lexemes, recent)
    older = newest(has_lexemes, ArticleRow.sort_date < cutoff)  # type: ignore[operator]
    return _read(union_all(first.limit(SEARCH_WINDOW), older.limit(SEARCH_WINDOW)).subquery())


def _read(found: Subquery) -> Subquery:
    """The SEARCH_WINDOW first of `found`, each search vector read once: a vector stored out of
    line is read again by every function given it, and the rank and the phrases both need it
    (`||` makes an in-memory copy, which the LIMIT keeps PostgreSQL from recomputing)."""
    vector = found.c.search.op("||")(cast(literal(""), TSVECTOR))
    return (
        select(found.c.article_id, found.c.sort_date, vector.label("search"))
        .limit(SEARCH_WINDOW)
        .subquery()
    )


def _ranked(
    f: ArticleFilters, after: tuple[Any, ...] | None, limit: int, plan: SearchPlan
) -> Select[Any]:
    """`limit` search results by score: text rank (title matches weigh more) over 1 + age in
    years. Only the SEARCH_WINDOW newest matches are ranked; the rank is computed on those alone.
    The stored records are read for the page alone."""
    newest = _newest_matches(f, plan)
    query = search_query(f)
    age_years = (func.current_date() - newest.c.sort_date) / 365.0
    score = (
        cast(func.ts_rank_cd(newest.c.search, query), ArticleRow.relevance.type)  # type: ignore[attr-defined]
        / (1 + func.greatest(age_years, 0))
    ).label("score")
    scored = select(newest.c.article_id, score)
    if has_phrase(f.q or ""):
        scored = scored.where(newest.c.search.op("@@")(query))
    scored = scored.subquery()
    best = select(scored).order_by(scored.c.score.desc(), scored.c.article_id.desc())
    if after:
        best = best.where(tuple_(scored.c.score, scored.c.article_id) < tuple_(*after))
    page = best.limit(limit).subquery()
    return (
        select(PUBLIC_RECORD, _text(f), ArticleRow.sort_date, ArticleRow.article_id, page.c.score)
        .join(page, page.c.article_id == ArticleRow.article_id)
        .order_by(page.c.score.desc(), page.c.article_id.desc())
    )


@router.get(
    "",
    response_model=ArticlePage,
    responses=ERRORS,
    response_model_exclude={"items": {"__all__": INTERNAL}},
)
async def list_articles(
    engine: EngineDep,
    stats: SearchStatsDep,
    filters: FiltersDep,
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
    return await article_page(engine, stats, filters, sort, limit, cursor)


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
