"""Entity and stats routes (real PostgreSQL, a database per test): organisations with counts,
aliases, co-occurring organisations, agreements and timeline; persons; events; agreements;
policies; timelines and regions under article filters; sources."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.db import upsert_articles

from .test_article_filters import ARTICLES

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(api: tuple[httpx.AsyncClient, AsyncEngine]) -> AsyncIterator[httpx.AsyncClient]:
    client, engine = api
    await upsert_articles(engine, ARTICLES)
    yield client


async def get(client: httpx.AsyncClient, path: str, **params: Any) -> Any:
    response = await client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def org_id(client: httpx.AsyncClient, name: str) -> int:
    items = (await get(client, "/v1/organizations", q=name))["items"]
    return next(o["organization_id"] for o in items if o["name"] == name)


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, {"北京大学": 1, "山西白求恩医院": 2, "山西省药品监督管理局": 1}),
        ({"q": "白求恩"}, {"山西白求恩医院": 2}),
        ({"q": "省药监"}, {"山西省药品监督管理局": 1}),  # part of an alias
        ({"type": "university"}, {"北京大学": 1}),
        ({"q": "%"}, {}),  # LIKE wildcards are literal
    ],
)
async def test_organizations_with_article_counts(
    client: httpx.AsyncClient, params: dict[str, str], expected: dict[str, int]
) -> None:
    items = (await get(client, "/v1/organizations", **params))["items"]
    assert {o["name"]: o["article_count"] for o in items} == expected


async def test_organizations_page_by_name(client: httpx.AsyncClient) -> None:
    names, cursor = [], None
    for _ in range(4):
        body = await get(
            client, "/v1/organizations", limit=1, **({"cursor": cursor} if cursor else {})
        )
        names += [o["name"] for o in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert names == sorted(names) and len(names) == 3


async def test_an_organisation_with_its_neighbours_agreements_and_timeline(
    client: httpx.AsyncClient,
) -> None:
    shanxi = await get(client, f"/v1/organizations/{await org_id(client, '山西省药品监督管理局')}")
    assert shanxi["aliases"] == ["省药监局"] and shanxi["type"] == "government"
    assert shanxi["article_count"] == 1
    assert [(c["name"], c["shared_articles"]) for c in shanxi["co_organizations"]] == [
        ("山西白求恩医院", 1)
    ]
    [agreement] = shanxi["agreements"]
    assert agreement["title"] == "合作备忘录" and agreement["article"]["article_id"] == "a1"
    assert shanxi["timeline"] == [{"period": "2025-08-01", "articles": 1, "key": None}]
    assert [a["article_id"] for a in shanxi["recent_articles"]] == ["a1"]
    hospital = await get(client, f"/v1/organizations/{await org_id(client, '山西白求恩医院')}")
    assert hospital["article_count"] == 2 and hospital["last_published"] == "2025-08-01"


@pytest.mark.parametrize("bad, status", [("999999", 404), ("abc", 422), ("0", 422)])
async def test_unknown_or_bad_organisation_ids_are_problems(
    client: httpx.AsyncClient, bad: str, status: int
) -> None:
    response = await client.get(f"/v1/organizations/{bad}")
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"


async def test_persons_with_roles_and_counts(client: httpx.AsyncClient) -> None:
    [person] = (await get(client, "/v1/persons", q="庭芳"))["items"]
    assert person["name"] == "李庭芳" and person["organization"] == "山西省药品监督管理局"
    assert person["roles"] == sorted(["省药监局党组书记", "局长"]) and person["article_count"] == 1
    assert (await get(client, "/v1/persons", organization="北京大学"))["items"] == []


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, [("a2", "signing"), ("a1", "launch")]),
        ({"type": "launch"}, [("a1", "launch")]),
        ({"date_from": "2025-07-02"}, [("a1", "launch")]),
        ({"date_to": "2025-07-24"}, [("a2", "signing")]),
        ({"participant": "山西省药品监督管理局"}, [("a1", "launch")]),
    ],
)
async def test_events(
    client: httpx.AsyncClient, params: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    items = (await get(client, "/v1/events", **params))["items"]
    assert [(e["article"]["article_id"], e["type"]) for e in items] == expected


@pytest.mark.parametrize(
    "params, found",
    [
        ({}, True),
        ({"organization": "省药监局"}, True),  # a party by its alias
        ({"organization": "北京大学"}, False),
        ({"q": "备忘"}, True),
        ({"date_from": "2025-07-26"}, False),
    ],
)
async def test_agreements(client: httpx.AsyncClient, params: dict[str, str], found: bool) -> None:
    items = (await get(client, "/v1/agreements", **params))["items"]
    assert [a["parties"] for a in items] == (
        [["山西省药品监督管理局", "山西白求恩医院", "8家入驻企业"]] if found else []
    )


async def test_policies(client: httpx.AsyncClient) -> None:
    [policy] = (await get(client, "/v1/policies", q="措施"))["items"]
    assert (policy["title"], policy["issuer"]) == ("若干措施", "山西省药品监督管理局")
    assert (await get(client, "/v1/policies", issuer="北京大学"))["items"] == []


async def test_timeline_by_period_topic_and_province(client: httpx.AsyncClient) -> None:
    assert await get(client, "/v1/stats/timeline", interval="month") == [
        {"period": "2025-08-01", "articles": 3, "key": None}
    ]
    by_topic = await get(client, "/v1/stats/timeline", by="topic")
    assert {(p["key"], p["articles"]) for p in by_topic} == {("医疗器械", 1), ("生物医药", 1)}
    by_province = await get(client, "/v1/stats/timeline", by="province", min_relevance=0.5)
    assert {(p["key"], p["articles"]) for p in by_province} == {("山西省", 1), ("北京市", 1)}


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, [("140000", "山西省", 2), ("110000", "北京市", 1)]),
        ({"level": "city", "adcode": "140000"}, [("140100", "太原市", 1), ("140700", "晋中市", 1)]),
        ({"level": "district"}, [("110105", "朝阳区", 1)]),
        ({"organization": "北京大学"}, [("110000", "北京市", 1)]),
    ],
)
async def test_regions(
    client: httpx.AsyncClient, params: dict[str, str], expected: list[tuple[str, str, int]]
) -> None:
    rows = await get(client, "/v1/stats/regions", **params)
    assert [(r["adcode"], r["name"], r["articles"]) for r in rows] == expected


async def test_sources(client: httpx.AsyncClient) -> None:
    [source] = await get(client, "/v1/sources")
    assert (source["name"], source["domain"], source["articles"]) == ("山西科技报", "kjb.test", 3)
