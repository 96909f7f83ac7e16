"""A page by date of an organisation's or a place's articles is read from the rows that name
them, in date order (`routes.articles.listed`, migration 0007). Against real PostgreSQL: every
page in both orders, with the other filters and a cursor, is the page of the articles these
filters select sorted here; an article named twice (two places in one province, an alias of
two organisations) comes once; undated articles come last, as in every list by date."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.db import upsert_articles
from medwire_common.schemas import EnrichedArticle, Location, Organization
from tests.support import every_page

from .test_entity_storage import article

pytestmark = pytest.mark.integration

# Two organisations that share an alias, and one that is named alone.
A = Organization(name="甲药业股份有限公司", type="company", aliases=["甲药"])
B = Organization(name="甲药研究院", type="research_institute", aliases=["甲药"])
C = Organization(name="丙医院", type="hospital")
TAIYUAN = Location(name="太原市", province="山西省", city="太原市", adcode="140100")
XIAODIAN = Location(
    name="小店区", province="山西省", city="太原市", district="小店区", adcode="140105"
)
JINZHONG = Location(name="晋中市", province="山西省", city="晋中市", adcode="140700")
BEIJING = Location(name="北京市", province="北京市", adcode="110000")


def corpus() -> list[EnrichedArticle]:
    """Thirty articles over a few dates (several on one day, four undated), each naming some of
    A, B and C and some places, with topics and relevance varying."""
    out = []
    for i in range(30):
        orgs = [o for o, on in ((A, i % 2 == 0), (B, i % 3 == 0), (C, i % 5 == 0)) if on]
        places = [p for p, on in ((TAIYUAN, i % 2), (XIAODIAN, i % 3 == 1), (JINZHONG, i % 4 == 0),
                                  (BEIJING, i % 7 == 0)) if on]  # fmt: skip
        out.append(
            article(
                f"x{i:02d}",
                organizations=orgs,
                locations=places,
                published_at=None if i % 8 == 3 else date(2025, 1 + i % 6, 1 + i % 3),
                topics=["创新药"] if i % 3 else ["医疗器械"],
                relevance=(i % 10) / 10,
            )
        )
    return out


def expected(articles: list[EnrichedArticle], params: dict[str, Any], newest: bool) -> list[str]:
    """The ids `params` select, sorted as the API sorts a list by date."""

    def selected(a: EnrichedArticle) -> bool:
        orgs = {o.name for o in a.organizations} | {x for o in a.organizations for x in o.aliases}
        codes = [p.adcode or "" for p in a.locations]
        division = params.get("adcode", "")
        prefix = division[: 2 if division.endswith("0000") else 4 if division.endswith("00") else 6]
        published = a.published_at
        return all(
            [
                params.get("organization") in orgs if "organization" in params else True,
                any(c.startswith(prefix) for c in codes) if division else True,
                params.get("topic") in a.topics if "topic" in params else True,
                a.relevance >= params.get("min_relevance", 0),
                published is not None and published >= params["published_from"]
                if "published_from" in params
                else True,
                published is not None and published <= params["published_to"]
                if "published_to" in params
                else True,
            ]
        )

    chosen = [a for a in articles if selected(a)]
    chosen.sort(key=lambda a: (a.published_at or date.min, a.article_id), reverse=newest)
    return [a.article_id for a in chosen]


@pytest.fixture
async def client(api: tuple[httpx.AsyncClient, AsyncEngine]) -> AsyncIterator[httpx.AsyncClient]:
    client, engine = api
    await upsert_articles(engine, corpus())
    yield client


@pytest.mark.parametrize(
    "params",
    [
        {"organization": "甲药业股份有限公司"},
        {"organization": "甲药"},  # an alias of two organisations: one branch each
        {"organization": "丙医院", "topic": "创新药"},
        {"organization": "甲药", "min_relevance": 0.5},
        {"organization": "甲药", "published_from": date(2025, 3, 1)},
        {"organization": "甲药", "published_to": date(2025, 3, 2)},
        {"organization": "甲药", "adcode": "140700"},  # the place is checked article by article
        {"organization": "没有这家"},
        {"adcode": "140000"},  # two places in one province: the article comes once
        {"adcode": "140100"},
        {"adcode": "140105"},
        {"adcode": "110000", "topic": "医疗器械"},
        {"adcode": "650000"},
    ],
)
@pytest.mark.parametrize("sort", ["newest", "oldest"])
async def test_every_page_of_a_listing_is_the_filtered_articles_in_date_order(
    client: httpx.AsyncClient, params: dict[str, Any], sort: str
) -> None:
    want = expected(corpus(), params, newest=sort == "newest")
    assert await every_page(client, "/v1/articles", {**params, "sort": sort, "limit": 3}) == want
    if params == {"organization": "甲药"}:
        assert len(want) > 10  # several pages, with articles of A and B on the same day


async def test_an_organisations_span_timeline_and_newest_articles_come_from_its_dated_rows(
    client: httpx.AsyncClient,
) -> None:
    items = (await client.get("/v1/organizations", params={"q": B.name})).json()["items"]
    detail = (await client.get(f"/v1/organizations/{items[0]['organization_id']}")).json()
    mine = [a for a in corpus() if B in a.organizations]
    dated = sorted(a.published_at for a in mine if a.published_at)
    assert len(dated) < len(mine)  # an undated one: counted, not in the span or timeline
    assert detail["article_count"] == len(mine)
    assert (detail["first_published"], detail["last_published"]) == (
        dated[0].isoformat(),
        dated[-1].isoformat(),
    )
    months = sorted({d.replace(day=1) for d in dated})
    assert [(p["period"], p["articles"]) for p in detail["timeline"]] == [
        (m.isoformat(), sum(d.replace(day=1) == m for d in dated)) for m in months
    ]
    assert [a["article_id"] for a in detail["recent_articles"]] == expected(
        corpus(), {"organization": B.name}, newest=True
    )[:10]


@pytest.mark.parametrize("params", [{"organization": "甲药"}, {"adcode": "140000"}])
async def test_a_feed_of_an_organisation_or_a_place_is_its_newest_articles(
    client: httpx.AsyncClient, params: dict[str, Any]
) -> None:
    feed = await client.get("/v1/feeds/articles.json", params={**params, "limit": 5})
    assert feed.status_code == 200, feed.text
    assert [item["id"] for item in feed.json()["items"]] == expected(corpus(), params, newest=True)[
        :5
    ]
