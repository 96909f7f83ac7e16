"""The API against a real PostgreSQL (its own database per test): idempotent upserts, filters,
cursor pagination, and problem+json errors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from medwire_api.db import upsert_articles
from medwire_common.schemas import EnrichedArticle, Source

pytestmark = pytest.mark.integration


def make_article(
    i: int, source: str = "山西科技报", published: date | None = date(2025, 8, 1)
) -> EnrichedArticle:
    return EnrichedArticle(
        article_id=f"a{i:04d}",
        page_id=f"p{i}",
        url=f"http://{source}.test/{i}.html",
        canonical_url=f"http://{source}.test/{i}.html",
        source=Source(name=source, domain=f"{source}.test"),
        title=f"标题{i}",
        published_at=published,
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        text=f"正文{i}",
        relevance=0.5,
    )


async def test_upsert_is_idempotent_and_redelivery_changes_nothing(
    api, fresh_database: str
) -> None:
    client, engine = api
    article = make_article(1)
    await upsert_articles(engine, [article, article])
    conn = await asyncpg.connect(fresh_database)
    try:
        first = await conn.fetchrow("SELECT count(*) AS n, max(updated_at) AS u FROM articles")
        await upsert_articles(engine, [article])
        again = await conn.fetchrow("SELECT count(*) AS n, max(updated_at) AS u FROM articles")
        assert (first["n"], again["n"]) == (1, 1)
        assert again["u"] == first["u"]  # an unchanged record is not rewritten
        await upsert_articles(engine, [article.model_copy(update={"title": "新标题"})])
        changed = await conn.fetchrow(
            "SELECT count(*) AS n, max(updated_at) AS u, max(title) AS t FROM articles"
        )
        assert (changed["n"], changed["t"]) == (1, "新标题") and changed["u"] > first["u"]
    finally:
        await conn.close()


async def test_article_by_id_and_unknown_id_is_a_404_problem(api) -> None:
    client, engine = api
    await upsert_articles(engine, [make_article(7)])
    ok = await client.get("/v1/articles/a0007")
    assert ok.status_code == 200 and ok.json()["title"] == "标题7"
    missing = await client.get("/v1/articles/nope")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["status"] == 404 and "nope" in missing.json()["detail"]


async def test_filters_by_source_and_date_range(api) -> None:
    client, engine = api
    start = date(2025, 1, 1)
    await upsert_articles(
        engine,
        [
            make_article(i, "甲报" if i % 2 else "乙网", start + timedelta(days=i))
            for i in range(10)
        ],
    )
    by_source = (await client.get("/v1/articles", params={"source": "甲报", "limit": 100})).json()[
        "items"
    ]
    assert {a["source"]["name"] for a in by_source} == {"甲报"} and len(by_source) == 5
    by_domain = (await client.get("/v1/articles", params={"source": "乙网.test"})).json()["items"]
    assert len(by_domain) == 5
    window = (
        await client.get(
            "/v1/articles", params={"published_from": "2025-01-03", "published_to": "2025-01-05"}
        )
    ).json()["items"]
    assert sorted(a["published_at"] for a in window) == ["2025-01-03", "2025-01-04", "2025-01-05"]


async def test_cursor_pagination_visits_every_article_once_newest_first(api) -> None:
    client, engine = api
    articles = [
        make_article(i, published=date(2025, 1, 1) + timedelta(days=i % 4)) for i in range(23)
    ]
    articles.append(make_article(99, published=None))  # undated articles come last
    await upsert_articles(engine, articles)
    seen, cursor = [], None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/articles", params=params)).json()
        seen.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 24 and len({a["article_id"] for a in seen}) == 24
    dates = [a["published_at"] or "0000" for a in seen]
    assert dates == sorted(dates, reverse=True) and seen[-1]["article_id"] == "a0099"


@pytest.mark.parametrize("order", ["newest", "oldest"])
async def test_pages_stay_stable_while_articles_are_inserted(api, order) -> None:
    """Articles stored between page requests (newer, older, and dated like the page being
    read) never make a page repeat or skip one of the articles that were there at the start."""
    client, engine = api
    day = date(2025, 1, 1)
    first = [make_article(i, published=day + timedelta(days=i % 6)) for i in range(30)]
    await upsert_articles(engine, first)
    seen, cursor, extra = [], None, 100
    for _ in range(20):
        params = {"limit": 4, "sort": order, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/articles", params=params)).json()
        seen += [a["article_id"] for a in page["items"]]
        # A concurrent writer: one article before everything, one after, one in the middle.
        await upsert_articles(
            engine,
            [
                make_article(extra, published=day + timedelta(days=100)),
                make_article(extra + 1, published=day - timedelta(days=100)),
                make_article(extra + 2, published=day + timedelta(days=3)),
            ],
        )
        extra += 3
        if not (cursor := page["next_cursor"]):
            break
    original = {a.article_id for a in first}
    assert len(seen) == len(set(seen))  # nothing twice
    assert original <= set(seen)  # nothing of what was there is skipped


@pytest.mark.parametrize(
    "params, status, words",
    [
        ({"limit": 0}, 422, "limit"),
        ({"limit": 1000}, 422, "limit"),
        ({"published_from": "2025-13-01"}, 422, "published_from"),
        ({"published_from": "2025-02-01", "published_to": "2025-01-01"}, 400, "after"),
        ({"cursor": "not-a-cursor"}, 400, "cursor"),
    ],
)
async def test_bad_parameters_get_a_problem_json_that_names_them(
    api, params, status, words
) -> None:
    client, _ = api
    response = await client.get("/v1/articles", params=params)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert words in response.json()["detail"]


async def test_openapi_and_metrics_are_served(api) -> None:
    client, _ = api
    spec = (await client.get("/openapi.json")).json()
    assert "/v1/articles" in spec["paths"] and "/v1/articles/{article_id}" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200
    await client.get("/v1/articles")
    metrics = (await client.get("/metrics")).text
    assert (
        'medwire_api_http_requests_total{method="GET",route="/v1/articles",status="200"}' in metrics
    )


async def test_near_duplicates_share_a_cluster_and_can_be_hidden(api) -> None:
    from medwire_cleaner.core.fingerprint import minhash_signature
    from medwire_common.dedup import content_hash

    client, engine = api
    story = (
        "7月25日,由山西省药品监督管理局与晋中市人民政府联合主办的医药创新转化公共服务平台启动仪式在晋中市举行。"
        "省药监局党组书记、局长李庭芳出席并致辞,省内外40余家医药企业代表参加。"
    )
    repost = "(转载)" + story + "来源:山西科技报"
    other = (
        "9月17日,第五届长三角医疗器械产业发展论坛在杭州举办,来自沪苏浙皖的300余名企业代表参加。" * 2
    )

    def with_text(i: int, text: str) -> EnrichedArticle:
        return make_article(i).model_copy(
            update={
                "text": text,
                "content_hash": content_hash(text),
                "minhash": minhash_signature(text),
                "dup_cluster": content_hash(text),
            }
        )

    await upsert_articles(engine, [with_text(1, story)])
    await upsert_articles(engine, [with_text(2, repost), with_text(3, other)])
    await upsert_articles(engine, [with_text(2, repost)])  # redelivery keeps the cluster
    items = {a["article_id"]: a for a in (await client.get("/v1/articles")).json()["items"]}
    assert items["a0001"]["dup_cluster"] == items["a0002"]["dup_cluster"] == content_hash(story)
    assert items["a0003"]["dup_cluster"] == content_hash(other)
    assert "minhash" not in items["a0001"]  # plumbing, not public
    assert "minhash" not in (await client.get("/v1/articles/a0001")).json()
    shown = (await client.get("/v1/articles", params={"hide_duplicates": "true"})).json()["items"]
    assert sorted(a["article_id"] for a in shown) == ["a0001", "a0003"]
