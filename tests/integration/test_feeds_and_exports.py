"""Feeds of any filter parse as RSS 2.0 / Atom 1.0 (feedparser) and JSON Feed 1.1; CSV and
JSONL exports stream every matching article and round-trip to the stored records, their limit
is bounded, and one that fails cannot pass for a complete file."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlencode

import feedparser
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.app import create_app
from medwire_api.db import upsert_articles
from medwire_api.routes.feeds import CSV_COLUMNS, MAX_EXPORT_LIMIT, csv_row
from medwire_api.settings import ApiSettings
from medwire_common.schemas import EnrichedArticle
from tests.support import ServiceProcess, free_port

from .conftest import Store
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
async def client(
    api: tuple[httpx.AsyncClient, AsyncEngine], stored: Store
) -> AsyncIterator[httpx.AsyncClient]:
    await stored(MANY)
    yield api[0]


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


@pytest.mark.parametrize("limit", [MAX_EXPORT_LIMIT + 1, 100000000000000000000])
async def test_an_export_limit_beyond_the_maximum_is_a_422_problem(
    client: httpx.AsyncClient, limit: int
) -> None:
    for kind in ("jsonl", "csv"):
        response = await client.get(f"/v1/export/articles.{kind}", params={"limit": limit})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert f"less than or equal to {MAX_EXPORT_LIMIT}" in response.json()["detail"]
    whole = await client.get("/v1/export/articles.jsonl", params={"limit": MAX_EXPORT_LIMIT})
    assert len(whole.text.splitlines()) == len(MANY)


async def break_records(engine: AsyncEngine, where: str) -> None:
    """Stored records that no longer validate (a title removed), as a failing read would be."""
    async with engine.begin() as conn:
        await conn.execute(text(f"UPDATE articles SET record = record - 'title' WHERE {where}"))


@pytest.fixture
def served(
    api: tuple[httpx.AsyncClient, AsyncEngine], fresh_database: str, log_dir: Path
) -> Iterator[str]:
    port = free_port()
    env = {
        "MEDWIRE_DATABASE_URL": fresh_database,
        "MEDWIRE_API_PORT": str(port),
        "MEDWIRE_API_CONSUME": "false",
        "MEDWIRE_RATE_LIMIT": "0",
    }
    process = ServiceProcess("api", port, env).start(log_dir)
    try:
        yield process.url
    finally:
        process.stop()


@pytest.mark.parametrize("kind", ["jsonl", "csv"])
async def test_an_export_that_fails_midway_is_an_incomplete_transfer_not_a_short_file(
    client: httpx.AsyncClient, api: tuple[httpx.AsyncClient, AsyncEngine], served: str, kind: str
) -> None:
    # The oldest article comes last, after more than one streamed partition has been sent.
    await break_records(
        api[1],
        "article_id = (SELECT article_id FROM articles ORDER BY sort_date, article_id LIMIT 1)",
    )
    received = b""
    with httpx.Client(timeout=30) as http:
        with http.stream("GET", f"{served}/v1/export/articles.{kind}") as response:
            assert response.status_code == 200
            with pytest.raises(httpx.RemoteProtocolError, match="incomplete"):
                for chunk in response.iter_bytes():
                    received += chunk
    assert received.count(b"\n") > 500  # the failure came after a partition had been sent


async def test_an_export_that_fails_before_its_first_byte_is_a_problem(
    client: httpx.AsyncClient, api: tuple[httpx.AsyncClient, AsyncEngine], served: str
) -> None:
    await break_records(api[1], "true")
    for kind in ("jsonl", "csv"):
        # A connection each: the server closes one on which the app raised.
        response = httpx.get(f"{served}/v1/export/articles.{kind}", timeout=30)
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("kind", ["rss", "atom", "json"])
async def test_feed_links_come_from_the_public_base_url_never_from_the_host_header(
    fresh_database: str, kind: str
) -> None:
    settings = ApiSettings(
        MEDWIRE_DATABASE_URL=fresh_database,
        MEDWIRE_API_CONSUME=False,
        MEDWIRE_PUBLIC_BASE_URL="https://news.example.org/medwire/",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await upsert_articles(app.state.engine, ARTICLES)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            response = await client.get(
                f"/v1/feeds/articles.{kind}",
                params={"topic": "合作"},
                headers={"host": "attacker.example", "x-forwarded-host": "attacker.example"},
            )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"].startswith("public")
    assert b"attacker.example" not in response.content
    base, query = "https://news.example.org/medwire", urlencode({"topic": "合作"})
    assert feed_links(kind, response) == {
        f"{base}/v1/feeds/articles.{kind}?{query}",
        f"{base}/v1/articles?{query}",
    }


def feed_links(kind: str, response: httpx.Response) -> set[str]:
    """The feed's own links (self and home), as a reader sees them."""
    if kind == "json":
        document = response.json()
        return {document["feed_url"], document["home_page_url"]}
    parsed = feedparser.parse(response.content)
    return {parsed.feed.link, *(link.href for link in parsed.feed.links)}


def test_a_public_base_url_must_be_an_absolute_http_url() -> None:
    for bad in ("news.example.org", "ftp://news.example.org", "https://x.org/?a=1"):
        with pytest.raises(ValueError, match="MEDWIRE_PUBLIC_BASE_URL"):
            ApiSettings(MEDWIRE_PUBLIC_BASE_URL=bad)
