"""Entities in their own tables (real PostgreSQL, a database per test): one canonical row per
organisation and person across articles, the article's places, events, agreements, policies and
amounts beside it, replaced when the record changes and untouched when it is redelivered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.db import make_engine, migrate, upsert_articles
from medwire_api.settings import ApiSettings
from medwire_common.schemas import (
    Agreement,
    Amount,
    EnrichedArticle,
    Event,
    Location,
    Organization,
    Person,
    Policy,
    Source,
)

pytestmark = pytest.mark.integration

SHANXI = Organization(
    name="山西省药品监督管理局", type="government", aliases=["省药监局"], spans=[(0, 10), (20, 24)]
)
HOSPITAL = Organization(name="山西白求恩医院", type="hospital", spans=[(30, 37)])


def article(article_id: str, **fields: object) -> EnrichedArticle:
    """An enriched article with `fields` (entities, title, text…) over plain defaults."""
    defaults: dict[str, object] = {
        "page_id": f"p-{article_id}",
        "url": f"http://kjb.test/{article_id}.html",
        "canonical_url": f"http://kjb.test/{article_id}.html",
        "source": Source(name="山西科技报", domain="kjb.test"),
        "title": f"标题{article_id}",
        "published_at": date(2025, 8, 1),
        "fetched_at": datetime(2026, 1, 1, tzinfo=UTC),
        "text": "正文",
        "relevance": 0.9,
    }
    return EnrichedArticle(article_id=article_id, **{**defaults, **fields})  # type: ignore[arg-type]


SEED = article(
    "a1",
    organizations=[SHANXI, HOSPITAL],
    persons=[Person(name="李庭芳", roles=["省药监局党组书记", "局长"], organization=SHANXI.name)],
    locations=[Location(name="晋中市", province="山西省", city="晋中市", adcode="140700")],
    events=[
        Event(type="launch", date=date(2025, 7, 25), location="晋中市", participants=[SHANXI.name])
    ],
    agreements=[
        Agreement(
            parties=[SHANXI.name, HOSPITAL.name, "8家入驻企业"],
            title="合作备忘录",
            date=date(2025, 7, 25),
        )
    ],
    policies=[Policy(title="若干措施", issuer=SHANXI.name)],
    amounts=[Amount(text="10.52亿元", value=1052000000, unit="CNY", kind="investment")],
)


@pytest.fixture
async def engine(fresh_database: str) -> AsyncIterator[AsyncEngine]:
    settings = ApiSettings(MEDWIRE_DATABASE_URL=fresh_database, MEDWIRE_API_CONSUME=False)
    engine = make_engine(settings)
    await migrate(engine)
    yield engine
    await engine.dispose()


async def counts(dsn: str) -> dict[str, int]:
    conn = await asyncpg.connect(dsn)
    try:
        tables = (
            "organizations organization_aliases article_organizations persons article_persons "
            "article_locations article_events article_agreements agreement_parties "
            "article_policies article_amounts"
        ).split()
        return {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in tables}
    finally:
        await conn.close()


async def test_every_entity_of_an_article_lands_in_its_table(
    engine: AsyncEngine, fresh_database: str
) -> None:
    await upsert_articles(engine, [SEED])
    assert await counts(fresh_database) == {
        "organizations": 2,
        "organization_aliases": 1,
        "article_organizations": 2,
        "persons": 1,
        "article_persons": 1,
        "article_locations": 1,
        "article_events": 1,
        "article_agreements": 1,
        "agreement_parties": 2,  # the unnamed `8家入驻企业` stays in the agreement's parties only
        "article_policies": 1,
        "article_amounts": 1,
    }
    conn = await asyncpg.connect(fresh_database)
    try:
        org = await conn.fetchrow(
            "SELECT o.name, o.type, a.alias, ao.mentions FROM organizations o "
            "JOIN organization_aliases a USING (organization_id) "
            "JOIN article_organizations ao USING (organization_id)"
        )
        assert tuple(org) == ("山西省药品监督管理局", "government", "省药监局", 2)
        assert await conn.fetchval("SELECT roles FROM article_persons") == [
            "省药监局党组书记",
            "局长",
        ]
        assert await conn.fetchval("SELECT parties FROM article_agreements") == [
            SHANXI.name,
            HOSPITAL.name,
            "8家入驻企业",
        ]
        assert await conn.fetchval("SELECT participants FROM article_events") == [SHANXI.name]
    finally:
        await conn.close()


async def test_articles_share_one_row_per_organisation_and_person(
    engine: AsyncEngine, fresh_database: str
) -> None:
    other = article(
        "a2",
        organizations=[SHANXI],
        persons=[Person(name="李庭芳", roles=["局长"], organization=SHANXI.name)],
    )
    await upsert_articles(engine, [SEED, other])
    found = await counts(fresh_database)
    assert (found["organizations"], found["article_organizations"]) == (2, 3)
    assert (found["persons"], found["article_persons"]) == (1, 2)


async def test_redelivery_writes_nothing_and_a_changed_record_replaces_its_entities(
    engine: AsyncEngine, fresh_database: str
) -> None:
    await upsert_articles(engine, [SEED])
    first = await counts(fresh_database)
    await upsert_articles(engine, [SEED, SEED])
    assert await counts(fresh_database) == first

    changed = SEED.model_copy(update={"agreements": [], "amounts": [], "organizations": [HOSPITAL]})
    await upsert_articles(engine, [changed])
    after = await counts(fresh_database)
    assert (
        after["article_agreements"] == after["agreement_parties"] == after["article_amounts"] == 0
    )
    assert after["article_organizations"] == 1
    assert after["organizations"] == 2  # canonical rows stay: other articles may name them
    assert after["article_locations"] == first["article_locations"]
