"""The article filters of `/v1/articles` (and of the stats, vocabularies, feeds and exports) as
SQL: `ArticleFilters`, `filtered` (a select restricted to them), the listings that read an
organisation's or a place's articles by date, and `narrowed` for rare organisations and
persons. A search's matches come from OpenSearch (`queries.search`) as ids."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Date,
    Select,
    Text,
    any_,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    or_,
    select,
    tuple_,
    union,
)
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import BindParameter
from sqlalchemy.sql.selectable import CompoundSelect, TableClause

from medwire_common.divisions import official_names
from medwire_common.schemas import EventType

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

RARE = 5000


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
    # Set by `queries.search.with_matches`: the ids of the articles OpenSearch finds for `q`.
    matches: list[str] | None = None


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


def filter_values(f: ArticleFilters) -> dict[str, Any]:
    """The values of `f`'s filters, by the names of the parameters that `filtered` binds them
    to: a statement made for one `f` runs for another of the same `shape` with these."""
    values: dict[str, Any] = {
        f"f_{name}": getattr(f, name)
        for name in _PLAIN
        if getattr(f, name) is not None and getattr(f, name) != ""
    }
    if f.adcode:
        values["f_division"] = division_of(f.adcode)
    if f.region:
        # A short form (`太原`, `山西`) finds the places of its official names too.
        values["f_region"] = list(official_names(f.region))
    if f.q is not None:
        if f.matches is None:  # a bug, not the caller's error: the search was not run
            raise ValueError(f"the search {f.q!r} must be run (with_matches) before filtering")
        values["f_matches"] = f.matches
    return values


# The filters whose values are bound as they are.
_PLAIN = (
    "source", "published_from", "published_to", "organization", "person", "region", "topic",
    "event_type", "min_relevance",
)  # fmt: skip
_TYPES = {
    "f_published_from": Date(),
    "f_published_to": Date(),
    "f_matches": ARRAY(Text()),
    "f_region": ARRAY(Text()),
}


def bound_filters(f: ArticleFilters) -> dict[str, Any]:
    return {
        name: bindparam(name, value, type_=_TYPES.get(name))
        for name, value in filter_values(f).items()
    }


def filtered(stmt: Select[Any], f: ArticleFilters) -> Select[Any]:
    """`stmt` (a select from `articles`) restricted to the articles `f` describes; each value is
    a parameter named as in `filter_values`."""
    p = bound_filters(f)
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
    if f.q is not None:
        stmt = stmt.where(ArticleRow.article_id == any_(p["f_matches"]))
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
    p = p or bound_filters(f)
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
    places, code = article_locations.c, division_of(adcode)
    # The length is written in the statement, for it to be the indexed expression.
    digits = literal_column(str(len(code)))
    prefix = places.adcode if len(code) == 6 else func.left(places.adcode, digits)
    condition = prefix == bindparam("l_0", code, type_=Text())
    return Listing(article_locations, {"l_0": code}, ("place", len(code)), condition=condition)


def division_of(adcode: str) -> str:
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
