"""Feeds of any filter parse as RSS 2.0 / Atom 1.0 (feedparser) and JSON Feed 1.1; CSV and
JSONL exports stream every matching article and round-trip to the stored records."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator

import feedparser
import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.db import upsert_articles
from medwire_api.routes.feeds import CSV_COLUMNS, csv_row
from medwire_common.schemas import EnrichedArticle

from .test_article_filters import ARTICLES
from .test_entity_storage import article

pytestmark = pytest.mark.integration

MANY = [
    *ARTICLES,
    *(
        article(
            f"m{i:03}",
            title=f'批量文章{i}，含"引号"与,逗号',
            text=f"第{i}篇\n第二行",
            minhash=[i] * 64,
        )
        for i in range(1200)  # more than one streamed partition
    ),
]


@pytest.fixture
async def client(api: tuple[httpx.AsyncClient, AsyncEngine]) -> AsyncIterator[httpx.AsyncClient]:
    client, engine = api
    await upsert_articles(engine, MANY)
    yield client


@pytest.mark.parametrize("kind, version", [("rss", "rss20"), ("atom", "atom10")])
async def test_xml_feeds_parse_and_follow_the_filter(
    client: httpx.AsyncClient, kind: str, version: str
) -> None:
    response = await client.get(
        f"/v1/feeds/articles.{kind}", params={"organization": "山西白求恩医院"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(f"application/{kind}+xml")
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == version
    assert {e.link for e in parsed.entries} == {
        "http://kjb.test/a1.html",
        "http://kjb.test/a2.html",
    }
    assert all(e.title.startswith("标题") and e.get("published_parsed") for e in parsed.entries)
    assert "organization=" in parsed.feed.link  # the feed's home is the same filter's listing


async def test_json_feed(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/feeds/articles.json", params={"limit": 5})
    assert response.headers["content-type"].startswith("application/feed+json")
    document = response.json()
    assert document["version"] == "https://jsonfeed.org/version/1.1"
    assert len(document["items"]) == 5
    assert all({"id", "url", "title", "content_text"} <= set(i) for i in document["items"])
    # feedparser 6.0 reads no JSON Feed; the fields the 1.1 spec requires are checked above.
    assert all(i["date_published"].startswith("2025-08-01") for i in document["items"])


async def test_jsonl_export_round_trips_every_article(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/export/articles.jsonl")
    assert response.status_code == 200
    lines = response.text.splitlines()
    exported = {a.article_id: a for a in map(EnrichedArticle.model_validate_json, lines)}
    assert len(lines) == len(exported) == len(MANY)
    for original in MANY:
        assert exported[original.article_id] == original.model_copy(
            update={"minhash": None, "dup_cluster": exported[original.article_id].dup_cluster}
        )
    assert all("minhash" not in json.loads(line) for line in lines)


async def test_csv_export_round_trips_the_filtered_articles(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/export/articles.csv", params={"q": "批量文章"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.removeprefix("\ufeff"))))
    assert rows[0] == CSV_COLUMNS
    by_id = {a.article_id: a for a in MANY}
    assert len(rows) - 1 == 1200
    for row in rows[1:]:
        assert row == csv_row(by_id[row[0]])  # quotes, commas and newlines survive


async def test_export_limit_and_bad_filters(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/export/articles.jsonl", params={"limit": 3})
    assert len(response.text.splitlines()) == 3
    bad = await client.get("/v1/export/articles.csv", params={"adcode": "x"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"
