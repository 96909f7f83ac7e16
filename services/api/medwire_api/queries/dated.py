"""Pages of articles by date (newest or oldest first) from PostgreSQL, keyset-paginated: for
the article lists without a search, and for the feeds. One statement per shape of request."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Row,
    Select,
    Text,
    bindparam,
    cast,
    select,
    true,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.selectable import CompoundSelect, Subquery

from ..tables import ArticleRow
from .filters import (
    ArticleFilters,
    Listing,
    bound_filters,
    filter_values,
    filtered,
    listed,
    narrowed,
)
from .records import WHOLE, RecordView


class Sort(StrEnum):
    newest = "newest"
    oldest = "oldest"
    relevance = "relevance"


def iso_date(value: str) -> str:
    """A cursor's date, checked; it travels as text (see `_beyond`)."""
    return date.fromisoformat(value).isoformat()


async def dated_rows(
    conn: AsyncConnection,
    f: ArticleFilters,
    order: Sort,
    after: tuple[Any, ...] | None,
    limit: int,
    view: RecordView = WHOLE,
) -> Sequence[Row[Any]]:
    """A page by date of the articles `f` describes (for lists and feeds): an organisation's
    or a place's are read from their listing; a search's matches (`f.matches`, from
    OpenSearch) are checked against the other filters and sorted here."""
    f = await narrowed(conn, f if f.q else listed(f))
    stmt, params = dated_page(f, order, after, limit, view)
    return (await conn.execute(stmt, params)).all()


# Statements of pages by date, by shape (see `dated_page`).
_PAGES: dict[tuple[Any, ...], Select[Any]] = {}
MAX_SHAPES = 1024


def dated_page(
    f: ArticleFilters,
    order: Sort,
    after: tuple[Any, ...] | None,
    limit: int,
    view: RecordView = WHOLE,
) -> tuple[Select[Any], dict[str, Any]]:
    """The statement of a page by date (`_dated`) and its parameters. A statement is made once
    for each shape of request: which filters are given, the order, whether there is a cursor,
    the level of a place code. Making it cost a quarter of the API's time for a list;
    every value is a parameter (`filter_values`, the listing's, the cursor's and the limit)."""
    params = {**filter_values(f), **(f.listing.values if f.listing else {}), "p_limit": limit}
    if after:
        params.update(p_after_date=after[0], p_after_id=after[1])
    if f.among is not None:  # the articles of a rare organisation: a subquery, not a parameter
        return _dated(f, order, after, limit, view), params
    shape = (order, tuple(params), f.hide_duplicates, f.listing and f.listing.shape, view)
    stmt = _PAGES.get(shape)
    if stmt is None:
        if len(_PAGES) >= MAX_SHAPES:
            _PAGES.clear()
        stmt = _PAGES[shape] = _dated(f, order, after, limit, view)
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
    f: ArticleFilters,
    order: Sort,
    after: tuple[Any, ...] | None,
    limit: int,
    view: RecordView = WHOLE,
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
    return (
        select(view.column(), ArticleRow.sort_date, ArticleRow.article_id)
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
    p = bound_filters(f)
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
