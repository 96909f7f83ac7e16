"""`/v1/articles`: list with filters and cursor pagination, and one article by id."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import exists, or_, select, tuple_
from sqlalchemy.orm import aliased

from medwire_common.schemas import EnrichedArticle

from ..core.cursor import BadCursor, decode_cursor, encode_cursor
from ..deps import EngineDep
from ..problems import ProblemError
from ..schemas import ArticlePage, Problem
from ..tables import ArticleRow

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
