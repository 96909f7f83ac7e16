"""HTTP behaviour of the public API: ETag and Cache-Control on reads (304 on a match), CORS
for configured origins, a per-client rate limit (429 problem+json with Retry-After), bounds
on page size and query length."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from medwire_api.app import create_app
from medwire_api.db import upsert_articles
from medwire_api.settings import ApiSettings

from .test_article_filters import ARTICLES

pytestmark = pytest.mark.integration


async def serve(database: str, **settings: object) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(
        ApiSettings(MEDWIRE_DATABASE_URL=database, MEDWIRE_API_CONSUME=False, **settings)  # type: ignore[arg-type]
    )
    async with app.router.lifespan_context(app):
        await upsert_articles(app.state.engine, ARTICLES)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield client


@pytest.fixture
async def client(fresh_database: str) -> AsyncIterator[httpx.AsyncClient]:
    async for client in serve(
        fresh_database, MEDWIRE_CORS_ORIGINS="https://dash.example", MEDWIRE_CACHE_MAX_AGE=45
    ):
        yield client


@pytest.mark.parametrize(
    "path", ["/v1/articles", "/v1/articles/a1", "/v1/organizations", "/v1/feeds/articles.rss"]
)
async def test_reads_carry_an_etag_and_a_match_is_304(client: httpx.AsyncClient, path: str) -> None:
    first = await client.get(path)
    assert first.status_code == 200
    assert first.headers["cache-control"] == "public, max-age=45"
    etag = first.headers["etag"]
    again = await client.get(path, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = await client.get(path, headers={"if-none-match": '"something-else"'})
    assert other.status_code == 200 and other.content == first.content


async def test_errors_and_exports_are_not_cached_or_hashed(client: httpx.AsyncClient) -> None:
    missing = await client.get("/v1/articles/nope")
    assert missing.status_code == 404 and missing.headers["cache-control"] == "no-store"
    export = await client.get("/v1/export/articles.jsonl")
    assert "etag" not in export.headers and len(export.text.splitlines()) == len(ARTICLES)


async def test_cors_for_the_configured_origin_only(client: httpx.AsyncClient) -> None:
    allowed = await client.get("/v1/articles", headers={"origin": "https://dash.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://dash.example"
    assert "etag" in allowed.headers["access-control-expose-headers"].lower()
    other = await client.get("/v1/articles", headers={"origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = await client.options(
        "/v1/crawls",
        headers={
            "origin": "https://dash.example",
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization",
        },
    )
    assert preflight.status_code == 200


async def test_the_rate_limit_refuses_with_retry_after(fresh_database: str) -> None:
    async for client in serve(fresh_database, MEDWIRE_RATE_LIMIT=60, MEDWIRE_RATE_BURST=2):
        statuses = [(await client.get("/v1/sources")).status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        refused = await client.get("/v1/sources")
        assert refused.headers["content-type"] == "application/problem+json"
        assert int(refused.headers["retry-after"]) >= 1
        assert (await client.get("/healthz")).status_code == 200  # operations are not limited


@pytest.mark.parametrize(
    "path, params",
    [
        ("/v1/articles", {"limit": 101}),
        ("/v1/articles", {"limit": 0}),
        ("/v1/articles", {"q": "药" * 201}),
        ("/v1/organizations", {"limit": 1000}),
        ("/v1/events", {"limit": -1}),
        ("/v1/articles", {"cursor": "c" * 401}),
        ("/v1/feeds/articles.atom", {"limit": 101}),
    ],
)
async def test_page_size_and_query_bounds(
    client: httpx.AsyncClient, path: str, params: dict[str, object]
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "path, params",
    [
        ("/v1/articles", {"organization": "a\x00b"}),
        ("/v1/articles/a%00", {}),
        ("/v1/stats/regions", {"topic": "\x00"}),
    ],
)
async def test_nul_characters_are_refused_before_any_query(
    client: httpx.AsyncClient, path: str, params: dict[str, str]
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 400 and "NUL" in response.json()["detail"]


async def test_a_read_over_the_query_timeout_is_cancelled_with_a_503(fresh_database: str) -> None:
    import asyncpg

    async for client in serve(fresh_database, MEDWIRE_QUERY_TIMEOUT_S=0.5):
        assert (await client.get("/v1/articles/a1")).status_code == 200
        blocker = await asyncpg.connect(fresh_database)
        try:
            async with blocker.transaction():  # the read waits on the lock past its timeout
                await blocker.execute("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")
                # by id through asyncpg's pool, a list through SQLAlchemy
                responses = [await client.get(path) for path in ("/v1/articles/a1", "/v1/articles")]
            for response in responses:
                assert response.status_code == 503, response.text
                assert response.headers["content-type"] == "application/problem+json"
                assert "narrow it" in response.json()["detail"]
                assert response.headers["cache-control"] == "no-store"
        finally:
            await blocker.close()
        assert (await client.get("/v1/articles/a1")).status_code == 200  # the pool is fine
