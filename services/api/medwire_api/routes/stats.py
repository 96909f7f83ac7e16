"""Aggregates: articles per period (optionally per topic or province), per region, per source.
Every article filter of `/v1/articles` applies."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from sqlalchemy import desc, func, literal, select

from ..deps import EngineDep
from ..queries.filters import filtered
from ..schemas import PeriodCount, Problem, RegionCount, SourceItem
from ..tables import ArticleRow, article_locations
from .articles import MatchedFiltersDep

router = APIRouter(prefix="/v1", tags=["stats"])
ERRORS = {400: {"model": Problem}, 422: {"model": Problem}}


class Interval(StrEnum):
    day = "day"
    week = "week"
    month = "month"


class By(StrEnum):
    topic = "topic"
    province = "province"


class Level(StrEnum):
    province = "province"
    city = "city"
    district = "district"


@router.get("/stats/timeline", response_model=list[PeriodCount], responses=ERRORS)
async def timeline(
    engine: EngineDep,
    filters: MatchedFiltersDep,
    interval: Annotated[Interval, Query(description="Length of a period")] = Interval.day,
    by: Annotated[
        By | None, Query(description="Count per topic or per province within each period")
    ] = None,
) -> list[PeriodCount]:
    """Dated articles per period (weeks start on Monday), oldest period first."""
    articles = filtered(
        select(ArticleRow.article_id, ArticleRow.published_at, ArticleRow.topics), filters
    ).where(ArticleRow.published_at.is_not(None))  # type: ignore[union-attr]
    a = articles.subquery()
    period = func.date_trunc(interval.value, a.c.published_at).label("period")
    key: Any
    if by is By.topic:
        key = func.unnest(a.c.topics).label("key")
        stmt = select(period, key, func.count().label("n")).select_from(a)
    elif by is By.province:
        key = article_locations.c.province.label("key")
        stmt = (
            select(period, key, func.count(func.distinct(a.c.article_id)).label("n"))
            .select_from(a)
            .join(article_locations, article_locations.c.article_id == a.c.article_id)
            .where(article_locations.c.province.is_not(None))
        )
    else:
        key = literal(None).label("key")
        stmt = select(period, key, func.count().label("n")).select_from(a)
    stmt = stmt.group_by(period, "key").order_by(period, desc("n"), "key")
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [PeriodCount(period=r.period.date(), articles=r.n, key=r.key) for r in rows]


@router.get("/stats/regions", response_model=list[RegionCount], responses=ERRORS)
async def regions(
    engine: EngineDep,
    filters: MatchedFiltersDep,
    level: Annotated[Level, Query(description="Count per province, city or district")] = (
        Level.province
    ),
) -> list[RegionCount]:
    """Articles naming a place in each division (an article counts once per division), most
    first. The division's code is the place's adcode cut to its level."""
    loc = article_locations.c
    digits = {Level.province: 2, Level.city: 4, Level.district: 6}[level]
    code = func.rpad(func.left(loc.adcode, digits), 6, "0").label("code")
    name = getattr(loc, level.value)
    ids = filtered(select(ArticleRow.article_id), filters).subquery()
    stmt = (
        select(code, func.min(name).label("name"), func.count(func.distinct(loc.article_id)))
        .join(ids, ids.c.article_id == loc.article_id)
        .where(loc.adcode.is_not(None), name.is_not(None))
        .group_by(code)
        .order_by(desc(func.count(func.distinct(loc.article_id))), code)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [RegionCount(adcode=r[0], name=r[1], articles=r[2]) for r in rows]


@router.get("/sources", response_model=list[SourceItem], tags=["sources"])
async def sources(engine: EngineDep) -> list[SourceItem]:
    """Every source with stored articles: how many, the newest publication and fetch."""
    stmt = (
        select(
            ArticleRow.source_name,
            ArticleRow.source_domain,
            func.count(),
            func.max(ArticleRow.published_at),
            func.max(ArticleRow.fetched_at),
        )
        .group_by(ArticleRow.source_name, ArticleRow.source_domain)
        .order_by(ArticleRow.source_name, ArticleRow.source_domain)
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [
        SourceItem(name=r[0], domain=r[1], articles=r[2], last_published=r[3], last_fetched=r[4])
        for r in rows
    ]
