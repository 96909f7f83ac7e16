"""`/v1/articles` filters on the entity tables (real PostgreSQL, a database per test):
organisation by name or alias, person, place by adcode (a province or city includes what is in
it) or by name, topic, event type, minimum relevance; bad values get problem+json."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.queries import filters
from medwire_common.schemas import Event, Location, Organization

from .conftest import Store
from .test_entity_storage import HOSPITAL, SEED, article

pytestmark = pytest.mark.integration

TAIYUAN = Location(name="太原市", province="山西省", city="太原市", adcode="140100")
CHAOYANG = Location(
    name="朝阳区", province="北京市", city="北京市", district="朝阳区", adcode="110105"
)
ARTICLES = [
    SEED.model_copy(update={"topics": ["医疗器械"], "relevance": 0.9}),
    article(
        "a2",
        organizations=[HOSPITAL],
        locations=[TAIYUAN],
        events=[Event(type="signing", date=date(2025, 7, 1))],
        topics=["生物医药"],
        relevance=0.2,
    ),
    article(
        "a3",
        organizations=[Organization(name="北京大学", type="university")],
        locations=[CHAOYANG],
        relevance=0.5,
    ),
]


@pytest.fixture
async def client(
    api: tuple[httpx.AsyncClient, AsyncEngine], stored: Store
) -> AsyncIterator[httpx.AsyncClient]:
    await stored(ARTICLES)
    yield api[0]


FILTER_CASES = [
    ({}, {"a1", "a2", "a3"}),
    ({"organization": "山西省药品监督管理局"}, {"a1"}),
    ({"organization": "省药监局"}, {"a1"}),  # an alias finds the canonical organisation
    ({"organization": "山西白求恩医院"}, {"a1", "a2"}),
    ({"organization": "没有这家"}, set()),
    ({"person": "李庭芳"}, {"a1"}),
    ({"adcode": "140000"}, {"a1", "a2"}),  # Shanxi: Jinzhong and Taiyuan are in it
    ({"adcode": "140700"}, {"a1"}),
    ({"adcode": "110000"}, {"a3"}),
    ({"adcode": "110105"}, {"a3"}),
    ({"region": "山西省"}, {"a1", "a2"}),
    ({"region": "晋中市"}, {"a1"}),
    ({"region": "朝阳区"}, {"a3"}),
    ({"region": "山西"}, {"a1", "a2"}),  # a province's short form
    ({"region": "太原"}, {"a2"}),  # a city's
    ({"region": "晋中"}, {"a1"}),
    ({"region": "北京"}, {"a3"}),
    ({"region": "朝阳"}, set()),  # a district has no short form
    ({"topic": "医疗器械"}, {"a1"}),
    ({"event_type": "signing"}, {"a2"}),
    ({"event_type": "launch"}, {"a1"}),
    ({"min_relevance": 0.5}, {"a1", "a3"}),
    ({"organization": "山西白求恩医院", "min_relevance": 0.5}, {"a1"}),
    ({"organization": "山西白求恩医院", "person": "李庭芳"}, {"a1"}),
    ({"organization": "北京大学", "person": "李庭芳"}, set()),
    ({"organization": "山西白求恩医院", "q": "正文"}, {"a1", "a2"}),  # and a search
]


@pytest.mark.parametrize("params, expected", FILTER_CASES)
# An organisation or person in few articles is looked up first (`narrowed`); here every one is
# rare, or (0) none is.
@pytest.mark.parametrize("rare", [filters.RARE, 0])
async def test_each_filter_selects_the_articles_that_match(
    client: httpx.AsyncClient,
    params: dict[str, object],
    expected: set[str],
    rare: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(filters, "RARE", rare)
    response = await client.get("/v1/articles", params=params)
    assert response.status_code == 200, response.text
    assert {a["article_id"] for a in response.json()["items"]} == expected


# Every article's text is 正文.
@pytest.mark.parametrize("params, expected", FILTER_CASES)
@pytest.mark.parametrize("sort", ["relevance", "newest", "oldest"])
async def test_each_filter_selects_the_same_articles_of_a_search(
    client: httpx.AsyncClient, params: dict[str, object], expected: set[str], sort: str
) -> None:
    """A search runs in OpenSearch with the filters it holds (region is checked in PostgreSQL
    on its hits): with a query every article matches, each filter selects what it does in a
    list."""
    response = await client.get("/v1/articles", params={**params, "q": "正文", "sort": sort})
    assert response.status_code == 200, response.text
    assert {a["article_id"] for a in response.json()["items"]} == expected


@pytest.mark.parametrize(
    "params, word",
    [
        ({"adcode": "14"}, "adcode"),
        ({"adcode": "abcdef"}, "adcode"),
        ({"event_type": "party"}, "event_type"),
        ({"min_relevance": 2}, "min_relevance"),
        ({"organization": "x" * 201}, "organization"),
    ],
)
async def test_bad_filter_values_get_a_problem_json_that_names_them(
    client: httpx.AsyncClient, params: dict[str, object], word: str
) -> None:
    response = await client.get("/v1/articles", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert word in response.json()["detail"]
