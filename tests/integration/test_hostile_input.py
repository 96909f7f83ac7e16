"""Cursors and parameters are untrusted input (real PostgreSQL): a forged cursor that carries a
NUL, an integer beyond a bigint, a non-finite score or is too long is a 400 problem on every
listing that takes a cursor, never a query that fails as a 500; a date is YYYY-MM-DD only; a
405 names every method of its path; the OpenAPI document says every error is a problem."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.core.cursor import encode_cursor

from .conftest import Store
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
async def client(
    api: tuple[httpx.AsyncClient, AsyncEngine], stored: Store
) -> AsyncIterator[httpx.AsyncClient]:
    await stored(ARTICLES)
    yield api[0]


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


@pytest.mark.parametrize(
    "path, params",
    [
        ("/v1/articles", {"published_to": "0"}),  # was read as a Unix timestamp: 1970-01-01
        ("/v1/articles", {"published_from": "0.0"}),
        ("/v1/export/articles.csv", {"published_to": "1735689600"}),
        ("/v1/feeds/articles.rss", {"published_from": "2025-1-1"}),
        ("/v1/stats/timeline", {"published_to": "0"}),
        ("/v1/events", {"date_from": "20250101"}),
        ("/v1/agreements", {"date_to": "0"}),
    ],
)
async def test_a_date_parameter_is_yyyy_mm_dd_or_a_422_problem(
    client: httpx.AsyncClient, path: str, params: dict[str, str]
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "is not a date as YYYY-MM-DD" in response.json()["detail"]


async def test_a_405_lists_every_method_served_at_its_path(client: httpx.AsyncClient) -> None:
    response = await client.request("TRACE", "/v1/admin/sources/x")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["allow"] == "DELETE, GET, PUT"


async def test_every_error_of_every_route_is_documented_as_a_problem(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path, operations in paths.items():
        if not path.startswith("/v1/"):
            continue
        for method, operation in operations.items():
            responses = operation["responses"]
            assert {"400", "422", "429", "503"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status[0] in "45":
                    assert list(response["content"]) == ["application/problem+json"], (
                        method,
                        path,
                        status,
                    )


@pytest.mark.parametrize("url", ["/v1/articles?q=%FF", "/v1/organizations?name=%BC%E0"])
async def test_a_query_that_is_not_utf8_is_a_400_problem_naming_the_parameter(
    client: httpx.AsyncClient, url: str
) -> None:
    response = await client.get(url)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "not UTF-8" in response.json()["detail"]
