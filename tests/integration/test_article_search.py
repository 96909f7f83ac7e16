"""Full-text search and sort orders on `/v1/articles` (real PostgreSQL, a database per test):
terms must all occur, a term as written; title matches and recent articles rank first; snippets
mark the matches; cursors page through every order without repeats; bad queries are 4xx."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from .conftest import Store
from .test_entity_storage import article

pytestmark = pytest.mark.integration

ARTICLES = [
    article("s1", title="恒瑞医药与山西医科大学签约", text="双方将共建创新药联合实验室。",
            published_at=date(2025, 8, 1)),
    article("s2", title="晋中开发区医疗器械产业园开园", text="园区引进恒瑞医药等企业，签约金额5亿元。",
            published_at=date(2025, 8, 2)),
    article("s3", title="山西省药监局发布政策", text="恒瑞的医药产品获批。PD-1单抗进入临床。",
            published_at=date(2025, 8, 3)),
    article("s4", title="ＡＩ辅助诊断", text="太原某医院上线AI影像平台。", published_at=None),
]  # fmt: skip


@pytest.fixture
async def client(
    api: tuple[httpx.AsyncClient, AsyncEngine], stored: Store
) -> AsyncIterator[httpx.AsyncClient]:
    await stored(ARTICLES)
    yield api[0]


async def ids(client: httpx.AsyncClient, **params: object) -> list[str]:
    response = await client.get("/v1/articles", params=params)
    assert response.status_code == 200, response.text
    return [item["article_id"] for item in response.json()["items"]]


@pytest.mark.parametrize(
    "q, expected",
    [
        ("恒瑞医药", {"s1", "s2"}),  # s3 has 恒瑞 and 医药 apart: a term matches as written
        ("恒瑞", {"s1", "s2", "s3"}),
        ("恒瑞医药 签约", {"s1", "s2"}),
        ("恒瑞医药 实验室", {"s1"}),  # every term, in the title or the text
        ("pd-1", {"s3"}),  # Latin is case-folded; a hyphenated term is a phrase
        ("ai", {"s4"}),  # full-width ＡＩ in the title is AI
        ("约", {"s2"}),  # one character: the bigrams it starts (约金), not those it ends (签约)
        ("不存在的词", set()),
    ],
)
async def test_search_finds_articles_with_every_term(
    client: httpx.AsyncClient, q: str, expected: set[str]
) -> None:
    assert set(await ids(client, q=q)) == expected


async def test_title_matches_and_recency_rank_first_and_snippets_mark_matches(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/articles", params={"q": "恒瑞医药"})
    items = response.json()["items"]
    assert [i["article_id"] for i in items] == ["s1", "s2"]  # s1 has it in its title
    assert items[0]["score"] > items[1]["score"] > 0
    assert items[1]["snippet"] == "园区引进<mark>恒瑞医药</mark>等企业，签约金额5亿元。"
    assert "minhash" not in items[0]
    # Without a query there is no score and no snippet.
    plain = (await client.get("/v1/articles")).json()["items"][0]
    assert plain["score"] is None and plain["snippet"] is None


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["s3", "s2", "s1", "s4"]),  # newest first; undated last
        ({"sort": "newest"}, ["s3", "s2", "s1", "s4"]),
        ({"sort": "oldest"}, ["s4", "s1", "s2", "s3"]),
        ({"q": "恒瑞", "sort": "newest"}, ["s3", "s2", "s1"]),
    ],
)
async def test_sort_orders(
    client: httpx.AsyncClient, params: dict[str, str], expected: list[str]
) -> None:
    assert await ids(client, **params) == expected


@pytest.mark.parametrize("params", [{"sort": "oldest"}, {"q": "恒瑞"}, {"sort": "newest"}])
async def test_cursor_pages_through_each_order_without_repeats(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    whole = await ids(client, **params)
    seen: list[str] = []
    cursor = None
    for _ in range(len(whole) + 1):  # a cursor that does not advance fails, not hangs
        query = {**params, "limit": 1, **({"cursor": cursor} if cursor else {})}
        body = (await client.get("/v1/articles", params=query)).json()
        seen += [i["article_id"] for i in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == whole and len(whole) >= 3


@pytest.mark.parametrize(
    "params, status, detail",
    [
        ({"sort": "relevance"}, 400, "give a query"),
        ({"q": "，。！"}, 422, "nothing to search|no letters"),
        ({"q": "x" * 201}, 422, "q"),
        ({"sort": "random"}, 422, "sort"),
    ],
)
async def test_bad_searches_are_problems(
    client: httpx.AsyncClient, params: dict[str, str], status: int, detail: str
) -> None:
    response = await client.get("/v1/articles", params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert any(part in response.json()["detail"] for part in detail.split("|"))


async def test_a_cursor_of_another_order_is_refused(client: httpx.AsyncClient) -> None:
    cursor = (await client.get("/v1/articles", params={"limit": 1})).json()["next_cursor"]
    response = await client.get("/v1/articles", params={"sort": "oldest", "cursor": cursor})
    assert response.status_code == 400 and "for this order" in response.json()["detail"]
