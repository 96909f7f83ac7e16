"""What a list returns of each article (real PostgreSQL and OpenSearch): the text cut to the
list's bound with `text_truncated` (the whole text by id), `view=summary`'s fields, the
`fields=` asked for (a search too, with its score and snippet), a name that is no field a 422."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.queries.records import SUMMARY_FIELDS

from .conftest import Store
from .test_entity_storage import article

pytestmark = pytest.mark.integration

LONG = "医疗器械注册人制度试点工作推进会召开。" * 400  # 7,600 characters, over 2,000
SHORT = "省药监局召开医疗器械监管工作会议。"


@pytest.fixture
async def client(api: tuple[httpx.AsyncClient, AsyncEngine], stored: Store) -> httpx.AsyncClient:
    await stored([article("long", text=LONG), article("short", text=SHORT)])
    return api[0]


def by_id(page: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {item["article_id"]: item for item in page["items"]}


async def test_a_list_bounds_the_text_and_says_so_the_article_has_it_whole(
    client: httpx.AsyncClient,
) -> None:
    items = by_id((await client.get("/v1/articles")).json())
    assert items["long"]["text"] == LONG[:2000] and items["long"]["text_truncated"] is True
    assert items["short"]["text"] == SHORT and "text_truncated" not in items["short"]
    whole = (await client.get("/v1/articles/long")).json()
    assert whole["text"] == LONG and "text_truncated" not in whole
    # every other field as stored
    assert items["long"]["organizations"] == whole["organizations"]
    assert items["long"]["title"] == whole["title"]


async def test_a_summary_is_its_fields_only(client: httpx.AsyncClient) -> None:
    items = by_id((await client.get("/v1/articles", params={"view": "summary"})).json())
    assert set(items["long"]) == {*SUMMARY_FIELDS, "score", "snippet"}
    assert items["long"]["title"] == "标题long"


async def test_fields_are_what_is_asked_in_lists_and_searches(client: httpx.AsyncClient) -> None:
    fields = {"fields": "article_id,title,text"}
    items = by_id((await client.get("/v1/articles", params=fields)).json())
    assert set(items["short"]) == {"article_id", "title", "text", "score", "snippet"}
    assert items["long"]["text_truncated"] is True and len(items["long"]["text"]) == 2000
    found = (await client.get("/v1/articles", params={**fields, "q": "监管"})).json()["items"]
    assert [i["article_id"] for i in found] == ["short"]
    assert set(found[0]) == {"article_id", "title", "text", "score", "snippet"}
    assert found[0]["score"] > 0 and "<mark>" in found[0]["snippet"]


@pytest.mark.parametrize("fields", ["title,nope", "minhash", " , "])
async def test_a_field_that_is_not_an_articles_is_a_422_naming_it(
    client: httpx.AsyncClient, fields: str
) -> None:
    response = await client.get("/v1/articles", params={"fields": fields})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "article_id" in response.json()["detail"]  # the fields there are
