"""What the `topic=` and `event_type=` filters accept, with how many stored articles have each:
a client lists them instead of guessing (`topic=药品` matched nothing, silently). Every article
filter of `/v1/articles` applies."""

from __future__ import annotations

from typing import get_args

from fastapi import APIRouter
from sqlalchemy import desc, func, select

from medwire_common.schemas import EventType

from ..deps import EngineDep
from ..queries.filters import filtered
from ..schemas import EventTypeCount, Problem, TopicCount
from ..tables import ArticleRow, article_events
from .articles import MatchedFiltersDep

router = APIRouter(prefix="/v1", tags=["stats"])
ERRORS = {400: {"model": Problem}, 422: {"model": Problem}}


@router.get("/topics", response_model=list[TopicCount], responses=ERRORS)
async def topics(engine: EngineDep, filters: MatchedFiltersDep) -> list[TopicCount]:
    """Every topic of the stored articles that match the filters, with their number; most
    first, then by name."""
    articles = filtered(select(ArticleRow.topics), filters).subquery()
    topic = func.unnest(articles.c.topics).label("topic")
    stmt = (
        select(topic, func.count().label("n"))
        .select_from(articles)
        .group_by("topic")
        .order_by(desc("n"), "topic")
    )
    async with engine.connect() as conn:
        rows = (await conn.execute(stmt)).all()
    return [TopicCount(topic=r.topic, articles=r.n) for r in rows]


@router.get("/event-types", response_model=list[EventTypeCount], responses=ERRORS)
async def event_types(engine: EngineDep, filters: MatchedFiltersDep) -> list[EventTypeCount]:
    """Every event type the `event_type=` filter takes, with the number of matching articles
    reporting one and of their events (0 for a type none reports); most articles first, then
    in the order of the schema."""
    ids = filtered(select(ArticleRow.article_id), filters).subquery()
    events = article_events.c
    stmt = (
        select(events.type, func.count(func.distinct(events.article_id)), func.count())
        .join(ids, ids.c.article_id == events.article_id)
        .group_by(events.type)
    )
    async with engine.connect() as conn:
        counted = {r[0]: (r[1], r[2]) for r in (await conn.execute(stmt)).all()}
    # Stored types outside the schema cannot be filtered on: not listed.
    known = list(get_args(EventType))
    rows = []
    for event_type in known:
        found, events_found = counted.get(event_type, (0, 0))
        rows.append(EventTypeCount(event_type=event_type, articles=found, events=events_found))
    return sorted(rows, key=lambda r: (-r.articles, known.index(r.event_type)))
