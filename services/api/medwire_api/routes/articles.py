"""`/v1/articles`: list with filters and cursor pagination, and one article by id."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, exists, or_, select, tuple_
from sqlalchemy.orm import aliased

from medwire_common.schemas import EnrichedArticle, EventType

from ..core.cursor import BadCursor, decode_cursor, encode_cursor
from ..deps import EngineDep
from ..problems import ProblemError
from ..schemas import ArticlePage, Problem
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


# MinHash signatures are pipeline plumbing (duplicate detection), not part of the public record.
INTERNAL = {"minhash"}


@router.get(
    "",
    response_model=ArticlePage,
    responses=ERRORS,
    response_model_exclude={"items": {"__all__": INTERNAL}},
)
async def list_articles(
    engine: EngineDep,
    source: Annotated[
        str | None, Query(max_length=200, description="Source name or domain")
    ] = None,
    published_from: Annotated[
        date | None, Query(description="Earliest publication date (inclusive)")
    ] = None,
    published_to: Annotated[
        date | None, Query(description="Latest publication date (inclusive)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
    hide_duplicates: Annotated[
        bool, Query(description="Only the first article of each duplicate cluster")
    ] = False,
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
) -> ArticlePage:
    if published_from and published_to and published_from > published_to:
        raise ProblemError(
            400, f"published_from ({published_from}) is after published_to ({published_to})"
        )
    stmt = select(ArticleRow.record, ArticleRow.sort_date, ArticleRow.article_id)
    if source:
        stmt = stmt.where(or_(ArticleRow.source_name == source, ArticleRow.source_domain == source))
    if published_from:
        stmt = stmt.where(ArticleRow.published_at >= published_from)
    if published_to:
        stmt = stmt.where(ArticleRow.published_at <= published_to)
    for condition in _entity_filters(organization, person, adcode, region, event_type):
        stmt = stmt.where(condition)
    if topic:
        stmt = stmt.where(ArticleRow.topics.contains([topic]))  # type: ignore[attr-defined]
    if min_relevance is not None:
        stmt = stmt.where(ArticleRow.relevance >= min_relevance)
    if hide_duplicates:
        earlier = aliased(ArticleRow)
        stmt = stmt.where(
            ~exists().where(
                earlier.dup_cluster == ArticleRow.dup_cluster,
                tuple_(earlier.ingested_at, earlier.article_id)
                < tuple_(ArticleRow.ingested_at, ArticleRow.article_id),
            )
        )
    if cursor:
        try:
            after = decode_cursor(cursor)
        except BadCursor as exc:
            raise ProblemError(400, str(exc)) from exc
        stmt = stmt.where(tuple_(ArticleRow.sort_date, ArticleRow.article_id) < tuple_(*after))
    stmt = stmt.order_by(ArticleRow.sort_date.desc(), ArticleRow.article_id.desc()).limit(limit + 1)  # type: ignore[union-attr]
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(page[-1].sort_date, page[-1].article_id) if more else None
    return ArticlePage(
        items=[EnrichedArticle.model_validate(r.record) for r in page], next_cursor=next_cursor
    )


def _entity_filters(
    organization: str | None,
    person: str | None,
    adcode: str | None,
    region: str | None,
    event_type: str | None,
) -> list[ColumnElement[bool]]:
    """Conditions on the entity tables, each an EXISTS on the article's rows."""
    article_id = ArticleRow.article_id
    found: list[ColumnElement[bool]] = []
    if organization:
        aliased_ids = select(organization_aliases.c.organization_id).where(
            organization_aliases.c.alias == organization
        )
        named = select(organizations.c.organization_id).where(
            or_(
                organizations.c.name == organization,
                organizations.c.organization_id.in_(aliased_ids),
            )
        )
        found.append(
            exists().where(
                article_organizations.c.article_id == article_id,
                article_organizations.c.organization_id.in_(named),
            )
        )
    if person:
        found.append(
            exists().where(
                article_persons.c.article_id == article_id,
                article_persons.c.person_id.in_(
                    select(persons.c.person_id).where(persons.c.name == person)
                ),
            )
        )
    places = article_locations.c
    if adcode:
        # 140000 is a province, 140700 a city: their places share the code's leading digits.
        prefix = adcode[: 2 if adcode.endswith("0000") else 4 if adcode.endswith("00") else 6]
        found.append(
            exists().where(places.article_id == article_id, places.adcode.startswith(prefix))
        )
    if region:
        found.append(
            exists().where(
                places.article_id == article_id,
                or_(
                    places.name == region,
                    places.province == region,
                    places.city == region,
                    places.district == region,
                ),
            )
        )
    if event_type:
        found.append(
            exists().where(
                article_events.c.article_id == article_id, article_events.c.type == event_type
            )
        )
    return found


@router.get(
    "/{article_id}",
    response_model=EnrichedArticle,
    responses={404: {"model": Problem}},
    response_model_exclude=INTERNAL,
)
async def get_article(engine: EngineDep, article_id: str) -> EnrichedArticle:
    async with engine.connect() as conn:
        record = (
            await conn.execute(select(ArticleRow.record).where(ArticleRow.article_id == article_id))
        ).scalar_one_or_none()
    if record is None:
        raise ProblemError(404, f"no article with id {article_id!r}")
    return EnrichedArticle.model_validate(record)
