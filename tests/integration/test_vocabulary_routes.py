"""`GET /v1/topics` and `GET /v1/event-types` (real PostgreSQL, a database per test): what the
`topic=` and `event_type=` filters take, counted over the stored articles, narrowed by any
article filter; bad parameters get problem+json (issue #22)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import get_args

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.db import upsert_articles
from medwire_common.schemas import Event, EventType

from .test_article_filters import ARTICLES
from .test_entity_storage import article

pytestmark = pytest.mark.integration

# With test_article_filters' a1 (医疗器械; a launch), a2 (生物医药; a signing) and a3 (no topic,
# no event): an article with two topics and two signings, one forum.
A4 = article(
    "a4",
    topics=["医疗器械", "政策"],
    events=[
        Event(type="signing", date=date(2025, 8, 1)),
        Event(type="signing", date=date(2025, 8, 2)),
        Event(type="forum", date=date(2025, 8, 3)),
    ],
    published_at=date(2025, 9, 1),
)


@pytest.fixture
async def client(api: tuple[httpx.AsyncClient, AsyncEngine]) -> AsyncIterator[httpx.AsyncClient]:
    client, engine = api
    await upsert_articles(engine, [*ARTICLES, A4])
    yield client


async def test_topics_are_listed_with_their_article_counts_most_first(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/topics")
    assert response.status_code == 200
    assert response.json() == [
        {"topic": "医疗器械", "articles": 2},
        {"topic": "政策", "articles": 1},
        {"topic": "生物医药", "articles": 1},
    ]
    # Every listed topic is one the filter finds its articles by.
    for item in response.json():
        found = await client.get("/v1/articles", params={"topic": item["topic"]})
        assert len(found.json()["items"]) == item["articles"], item


async def test_event_types_count_articles_and_events_and_list_every_type(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/event-types")
    assert response.status_code == 200
    counts = {r["event_type"]: (r["articles"], r["events"]) for r in response.json()}
    assert [r["event_type"] for r in response.json()][:3] == ["signing", "launch", "forum"]
    assert set(counts) == set(get_args(EventType))  # zero-count types too: the filter takes them
    assert counts["signing"] == (2, 3)
    assert counts["launch"] == (1, 1)
    assert counts["forum"] == (1, 1)
    assert counts["visit"] == (0, 0)
    for event_type, (articles, _) in counts.items():
        found = await client.get("/v1/articles", params={"event_type": event_type})
        assert len(found.json()["items"]) == articles, event_type


@pytest.mark.parametrize(
    "params, topics, signing",
    [
        ({"published_from": "2025-09-01"}, {"医疗器械": 1, "政策": 1}, (1, 2)),
        ({"region": "山西省"}, {"医疗器械": 1, "生物医药": 1}, (1, 1)),
        ({"topic": "政策"}, {"医疗器械": 1, "政策": 1}, (1, 2)),
        ({"organization": "没有这家"}, {}, (0, 0)),
    ],
)
async def test_counts_cover_only_the_articles_the_filters_select(
    client: httpx.AsyncClient,
    params: dict[str, str],
    topics: dict[str, int],
    signing: tuple[int, int],
) -> None:
    listed = (await client.get("/v1/topics", params=params)).json()
    assert {r["topic"]: r["articles"] for r in listed} == topics
    types = (await client.get("/v1/event-types", params=params)).json()
    assert [(r["articles"], r["events"]) for r in types if r["event_type"] == "signing"] == [
        signing
    ]


@pytest.mark.parametrize("path", ["/v1/topics", "/v1/event-types"])
@pytest.mark.parametrize(
    "params, status",
    [
        ({"published_from": "yesterday"}, 422),
        ({"event_type": "party"}, 422),
        ({"min_relevance": "2"}, 422),
        ({"published_from": "2025-09-02", "published_to": "2025-09-01"}, 400),
    ],
)
async def test_bad_parameters_are_problems(
    client: httpx.AsyncClient, path: str, params: dict[str, str], status: int
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status and response.json()["detail"]
