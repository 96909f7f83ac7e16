"""Cursors are untrusted input (real PostgreSQL): a forged one that carries a NUL, an integer
beyond a bigint, a non-finite score or is too long is a 400 problem on every listing that takes
a cursor, never a query that fails as a 500."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.core.cursor import encode_cursor
from medwire_api.db import upsert_articles

from .test_article_filters import ARTICLES

pytestmark = pytest.mark.integration

BEYOND_INT64 = 2**64
FORGED = [
    ("/v1/articles", {}, encode_cursor("newest", "2025-01-01", "a\x00b"), "NUL"),
    ("/v1/articles", {"sort": "oldest"}, encode_cursor("oldest", "2025-01-01", "\x00"), "NUL"),
    (
        "/v1/articles",
        {"q": "医院", "sort": "relevance"},
        encode_cursor("relevance", float("inf"), "a"),
        "finite",
    ),
    ("/v1/organizations", {}, encode_cursor("name", "北京\x00", 1), "NUL"),
    ("/v1/organizations", {}, encode_cursor("name", "北京", BEYOND_INT64), "64 bits"),
    ("/v1/organizations", {}, encode_cursor("name", "北京", -BEYOND_INT64), "64 bits"),
    ("/v1/organizations", {}, encode_cursor("name", ["北京"], 1), "list"),
    ("/v1/persons", {}, encode_cursor("name", "\x00", 1), "NUL"),
    ("/v1/events", {}, encode_cursor("newest", "2025-01-01", "a\x00", 1), "NUL"),
    ("/v1/agreements", {}, encode_cursor("newest", "2025-01-01", "a", BEYOND_INT64), "64 bits"),
    ("/v1/policies", {}, encode_cursor("newest", "2025-01-01", "a\x00", 1), "NUL"),
    ("/v1/events", {}, encode_cursor("newest", "10000-01-01", "a", 1), "not one this API"),
]


@pytest.fixture
async def client(api: tuple[httpx.AsyncClient, AsyncEngine]) -> AsyncIterator[httpx.AsyncClient]:
    client, engine = api
    await upsert_articles(engine, ARTICLES)
    yield client


@pytest.mark.parametrize("path, params, cursor, why", FORGED)
async def test_a_forged_cursor_is_a_400_problem_saying_what_is_wrong(
    client: httpx.AsyncClient, path: str, params: dict[str, str], cursor: str, why: str
) -> None:
    response = await client.get(path, params={**params, "cursor": cursor})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert why in response.json()["detail"]


async def test_an_overlong_cursor_is_refused(client: httpx.AsyncClient) -> None:
    cursor = encode_cursor("newest", "2025-01-01", "a" * 400)
    response = await client.get("/v1/events", params={"cursor": cursor})
    assert response.status_code == 422, response.text
    assert "at most 400 characters" in response.json()["detail"]


@pytest.mark.parametrize(
    "path, cursor",
    [
        ("/v1/organizations", encode_cursor("name", "北京", 2**63 - 1)),
        ("/v1/agreements", encode_cursor("newest", "2025-01-01", "a", -(2**63))),
    ],
)
async def test_a_cursor_at_the_edge_of_a_bigint_is_served(
    client: httpx.AsyncClient, path: str, cursor: str
) -> None:
    response = await client.get(path, params={"cursor": cursor})
    assert response.status_code == 200, response.text
