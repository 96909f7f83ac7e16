"""How a search runs at scale (see `medwire_api.core.search`), at a scale a test can load: the
ranked window is 20 articles and windows of newest articles start at 16, over 800 articles
analysed by PostgreSQL. Whether a term is found by reading the newest articles in order, through
the search index cut to a window, or through the whole index, and whether the window held enough
or the older articles had to be searched, a search finds what one straightforward query finds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.core import search as core
from medwire_api.core.search import rarest_lexemes_literal, tsquery_literal
from medwire_api.db import upsert_articles
from medwire_api.routes import articles as route
from medwire_api.search_stats import SearchStats
from tests.support import every_page

from .test_entity_storage import article

pytestmark = pytest.mark.integration

WINDOW = 20
DAY0 = date(2024, 1, 1)


def body(i: int) -> str:
    """Terms by share of articles: 常见词语 in four of five, 中频 in one of ten, 旧闻 and 往事如烟
    in older articles only, 恒瑞医药 as a phrase in one of seven and 恒瑞…医药 apart in another."""
    parts = ["今日要闻。"]
    if i % 5:
        parts.append("常见词语出现在这里。")
    if i % 10 == 3:
        parts.append("中频的消息。")
    if i < 400 and i % 2:
        parts.append("旧闻一则。")
    if i < 400 and i % 5:
        parts.append("往事如烟。")
    if i % 7 == 0:
        parts.append("恒瑞医药签约。")
    if i % 7 == 1:
        parts.append("恒瑞的医药产品。")
    if i < 40 and i % 4 == 0:
        parts.append("稀有金属。")
    return "".join(parts)


ARTICLES = [
    article(f"w{i:03d}", title=f"第{i}期", text=body(i), published_at=DAY0 + timedelta(days=i))
    for i in range(800)
]

# The newest WINDOW articles with the rarest lexeme of each term, those with the terms as
# written ranked: what a search is.
REFERENCE = text(
    "SELECT article_id FROM (SELECT article_id, sort_date, search FROM articles"
    " WHERE search @@ CAST(:rarest AS tsquery) AND sort_date >= :since"
    " ORDER BY sort_date DESC, article_id DESC"
    " LIMIT :window) newest WHERE search @@ CAST(:phrase AS tsquery)"
    " ORDER BY CAST(ts_rank_cd(search, CAST(:phrase AS tsquery)) AS float8)"
    " / (1 + greatest((current_date - sort_date) / 365.0, 0)) DESC, article_id DESC"
)


@pytest.fixture
async def client(
    api: tuple[httpx.AsyncClient, AsyncEngine], monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncEngine]]:
    monkeypatch.setattr(route, "SEARCH_WINDOW", WINDOW)
    monkeypatch.setattr(core, "FIRST_WINDOW", 16)
    client, engine = api
    await upsert_articles(engine, ARTICLES)
    async with engine.connect() as conn:
        await conn.execute(text("ANALYZE articles"))
        await conn.commit()
    yield client, engine


async def reference(engine: AsyncEngine, q: str, since: date = date.min) -> list[str]:
    stats = SearchStats(WINDOW)
    async with engine.connect() as conn:
        await stats.refresh(conn)
        rarest = rarest_lexemes_literal(q, stats.lexemes)
        params = {"rarest": rarest, "phrase": tsquery_literal(q), "window": WINDOW, "since": since}
        return list((await conn.execute(REFERENCE, params)).scalars())


async def paged(client: httpx.AsyncClient, q: str, limit: int, **filters: str) -> list[str]:
    return await every_page(client, "/v1/articles", {"q": q, "limit": limit, **filters}, WINDOW + 2)


@pytest.mark.parametrize(
    "q, window, in_order",
    [
        ("常见词语", True, True),  # most articles: the newest read in order
        ("中频", True, False),  # one in ten: the index, cut to a window
        ("旧闻", True, False),  # none in the window: the older articles searched after
        ("往事如烟", True, True),  # the same, read in order first
        ("恒瑞医药", True, False),  # lexemes apart in some articles: those are dropped
        ("中频 常见词语", True, False),
    ],
)
async def test_a_search_finds_what_the_straightforward_query_finds(
    client: tuple[httpx.AsyncClient, AsyncEngine], q: str, window: bool, in_order: bool
) -> None:
    http, engine = client
    async with engine.connect() as conn:
        plan = await route.search_plan(conn, SearchStats(WINDOW), route.ArticleFilters(q=q))
    assert (plan.cutoff is not None, plan.in_order) == (window, in_order)  # the way under test
    expected = await reference(engine, q)
    assert expected  # and there is something to find
    assert await paged(http, q, limit=100) == expected
    assert await paged(http, q, limit=7) == expected


async def test_a_rare_term_is_searched_everywhere(
    client: tuple[httpx.AsyncClient, AsyncEngine],
) -> None:
    http, engine = client
    async with engine.connect() as conn:
        plan = await route.search_plan(conn, SearchStats(WINDOW), route.ArticleFilters(q="稀有"))
    assert plan.cutoff is None
    found = await paged(http, "稀有", limit=100)
    assert sorted(found) == [f"w{i:03d}" for i in range(0, 40, 4)]
    assert found == await reference(engine, "稀有")


async def test_a_window_is_sized_for_the_filters_too(
    client: tuple[httpx.AsyncClient, AsyncEngine],
) -> None:
    """With filters besides `q`, PostgreSQL's estimate of the filtered articles sizes the window
    (a plan of the statement, not run): here the articles of all but the first 100 days."""
    http, engine = client
    since = DAY0 + timedelta(days=100)
    f = route.ArticleFilters(q="中频", published_from=since)
    async with engine.connect() as conn:
        plan = await route.search_plan(conn, SearchStats(WINDOW), f)
    assert plan.cutoff is not None and not plan.in_order
    expected = await reference(engine, "中频", since)
    assert expected and await paged(http, "中频", 100, published_from=since.isoformat()) == expected
