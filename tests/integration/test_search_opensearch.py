"""Search through OpenSearch, end to end and at its edges (real Kafka, PostgreSQL and
OpenSearch): articles published on articles.enriched are stored by the API and indexed by the
indexer (both run as processes), then found by `/v1/articles?q=` with filters, snippets and
every match paged through in each order; a redelivery changes no answer; OpenSearch away makes
a search a 503 problem while the other routes answer."""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import AsyncIterator
from datetime import date, timedelta
from email.message import Message
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.queries import search as queries
from medwire_common.dedup import content_hash
from medwire_common.schemas import EnrichedArticle, Location, Organization
from medwire_indexer.core import MAPPING_VERSION
from tests.support import ServiceProcess, TcpProxy, free_port, produce, service_env, wait_for

from .conftest import Store, index_articles
from .test_entity_storage import article

pytestmark = pytest.mark.integration

FIRST = date(2025, 1, 1)
# 30 articles that sign (one undated, one with markup in its text), 5 that do not.
SIGNING = [
    article(f"s{i:02d}", text=f"第{i}家企业与园区签约。", published_at=FIRST + timedelta(days=i))
    for i in range(28)
] + [
    article("undated", text="企业签约。", published_at=None),
    article("markup", text="<b>签约</b> & 合作", published_at=FIRST),
]
OTHERS = [article(f"o{i}", text="园区召开工作会议。") for i in range(5)]


async def all_pages(
    client: httpx.AsyncClient, params: dict[str, Any], limit: int
) -> list[dict[str, Any]]:
    """Every item of every page of `/v1/articles` with `params`, following next_cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    for _ in range(200):  # a cursor that does not advance fails, not hangs
        query = {**params, "limit": limit, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/articles", params=query)
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("next_cursor never ended")


def newest_first(articles: list[EnrichedArticle]) -> list[str]:
    """The order of sort=newest: by date, newest first, undated last; ties by id, descending."""
    dated = sorted(
        (a for a in articles if a.published_at),
        key=lambda a: (a.published_at, a.article_id),
        reverse=True,
    )
    undated = sorted((a for a in articles if not a.published_at), key=lambda a: a.article_id)
    return [a.article_id for a in dated] + [a.article_id for a in reversed(undated)]


@pytest.fixture
async def client(
    api: tuple[httpx.AsyncClient, AsyncEngine], stored: Store
) -> AsyncIterator[httpx.AsyncClient]:
    await stored([*SIGNING, *OTHERS])
    yield api[0]


@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
async def test_every_match_is_paged_through_in_each_order_without_repeats(
    client: httpx.AsyncClient, sort: str
) -> None:
    items = await all_pages(client, {"q": "签约", "sort": sort}, limit=7)
    ids = [i["article_id"] for i in items]
    assert sorted(ids) == sorted(a.article_id for a in SIGNING)  # all of them, once each
    if sort == "newest":
        assert ids == newest_first(SIGNING)
    elif sort == "oldest":
        assert ids == list(reversed(newest_first(SIGNING)))
    else:
        scores = [i["score"] for i in items]
        assert scores == sorted(scores, reverse=True) and scores[-1] > 0
        # texts of one length and terms: recency decides; the undated article comes last
        same = [i for i in ids if i.startswith("s")]
        assert same == newest_first([a for a in SIGNING if a.article_id.startswith("s")])
        assert ids[-1] == "undated"
    assert all(i["snippet"] and "<mark>签约</mark>" in i["snippet"] for i in items)


async def test_a_snippet_is_escaped_html_around_the_marked_match(client: httpx.AsyncClient) -> None:
    [item] = (await client.get("/v1/articles", params={"q": "签约 合作"})).json()["items"]
    assert item["article_id"] == "markup"
    assert item["snippet"] == "&lt;b&gt;<mark>签约</mark>&lt;&#x2F;b&gt; &amp; <mark>合作</mark>"


async def test_a_match_in_the_title_alone_shows_the_texts_beginning(
    client: httpx.AsyncClient, stored: Store
) -> None:
    await stored([article("t1", title="疫苗企业签约", text="<p>正文开头</p>")])
    [item] = (await client.get("/v1/articles", params={"q": "疫苗"})).json()["items"]
    assert item["article_id"] == "t1"
    assert item["snippet"] == "&lt;p&gt;正文开头&lt;&#x2F;p&gt;"


async def test_hidden_duplicates_and_region_are_checked_in_postgresql_across_batches(
    client: httpx.AsyncClient, stored: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenSearch has neither the duplicate clusters PostgreSQL assigns nor place names: the
    hits are checked there, and more asked for until a page is full (batches of 3 here)."""
    COPIED = "两家药企在太原签约，合作研发新药。"  # noqa: N806
    taiyuan = Location(name="太原市", province="山西省", city="太原市")
    copies = [
        article(f"d{i}", text=COPIED, content_hash=content_hash(COPIED), locations=[taiyuan])
        for i in range(4)
    ]
    await stored(copies)
    monkeypatch.setattr(queries, "CHECKED_BATCH", 3)
    only_first = await all_pages(client, {"q": "太原签约", "hide_duplicates": "true"}, limit=1)
    assert [i["article_id"] for i in only_first] == ["d0"]  # the first one stored
    in_taiyuan = await all_pages(client, {"q": "签约", "region": "太原", "sort": "newest"}, limit=2)
    assert sorted(i["article_id"] for i in in_taiyuan) == ["d0", "d1", "d2", "d3"]


async def test_an_alias_finds_the_articles_that_name_its_organisation_without_it(
    client: httpx.AsyncClient, stored: Store
) -> None:
    """An alias learnt from one article stands for the organisation in every article, as in a
    list: the search filters on the canonical names PostgreSQL resolves it to."""
    with_alias = Organization(name="山西省药品监督管理局", aliases=["省药监局"])
    without = Organization(name="山西省药品监督管理局")
    await stored(
        [
            article("g1", text="省药监局签约。", organizations=[with_alias]),
            article("g2", text="山西省药品监督管理局签约。", organizations=[without]),
        ]
    )
    listed = await all_pages(client, {"organization": "省药监局"}, limit=5)
    searched = await all_pages(client, {"organization": "省药监局", "q": "签约"}, limit=5)
    assert sorted(i["article_id"] for i in listed) == ["g1", "g2"]
    assert sorted(i["article_id"] for i in searched) == ["g1", "g2"]


async def test_stats_and_exports_of_a_search_count_its_matches_alone(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The routes that read a search's matches from PostgreSQL get their ids from OpenSearch."""
    months = (
        await client.get("/v1/stats/timeline", params={"q": "签约", "interval": "month"})
    ).json()
    assert sum(m["articles"] for m in months) == len(SIGNING) - 1  # the undated one not counted
    every = (await client.get("/v1/stats/timeline", params={"interval": "month"})).json()
    assert sum(m["articles"] for m in every) == len(SIGNING) - 1 + len(OTHERS)
    lines = (await client.get("/v1/export/articles.jsonl", params={"q": "会议"})).text.splitlines()
    assert sorted(json.loads(line)["article_id"] for line in lines) == [f"o{i}" for i in range(5)]
    # more matches than such a route reads: the caller is asked to narrow the search
    monkeypatch.setattr(queries, "MAX_MATCHES", 10)
    monkeypatch.setattr(queries, "IDS_BATCH", 4)
    response = await client.get("/v1/topics", params={"q": "签约"})
    assert response.status_code == 422, response.text
    assert "more than 10 articles" in response.json()["detail"]
    assert "add a term or a filter" in response.json()["detail"]


async def test_a_feed_of_a_search_is_its_first_page_by_date(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed needs the newest few matches, not every match's id: it works where the routes
    that read every id would refuse (one match allowed here)."""
    monkeypatch.setattr(queries, "MAX_MATCHES", 1)
    response = await client.get("/v1/feeds/articles.json", params={"q": "签约", "limit": 5})
    assert response.status_code == 200, response.text
    ids = [item["id"] for item in response.json()["items"]]
    assert ids == newest_first(SIGNING)[:5]


def _metric(service: ServiceProcess, name: str) -> float:
    """The sum of `name` over its labels in the service's /metrics."""
    pattern = re.compile(rf"^{name}(?:{{[^}}]*}})? (\S+)$", re.MULTILINE)
    return sum(float(v) for v in pattern.findall(service.metrics_text()))


def _get(url: str) -> tuple[int, Message, Any]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read())


async def test_published_articles_are_searchable_and_a_redelivery_changes_no_answer(
    kafka: str, opensearch: str, topic_prefix: str, fresh_database: str, log_dir: Path
) -> None:
    """The whole path: articles.enriched → the API (PostgreSQL) and the indexer (OpenSearch),
    each a process → a search through the API, with a filter and every page."""
    env = service_env(kafka, topic_prefix, MEDWIRE_OPENSEARCH_URL=opensearch)
    api_port, indexer_port = free_port(), free_port()
    api = ServiceProcess(
        "api",
        api_port,
        {
            **env,
            "MEDWIRE_API_PORT": str(api_port),
            "MEDWIRE_DATABASE_URL": fresh_database,
            "MEDWIRE_RATE_LIMIT": "0",
        },
    ).start(log_dir)
    indexer = ServiceProcess(
        "indexer", indexer_port, {**env, "MEDWIRE_INDEXER_PORT": str(indexer_port)}
    ).start(log_dir)
    records = [(a.article_id.encode(), a.model_dump_json().encode()) for a in [*SIGNING, *OTHERS]]
    search = f"{api.url}/v1/articles?q=%E7%AD%BE%E7%BA%A6&sort=newest&limit=100"  # q=签约
    try:
        await produce(kafka, f"{topic_prefix}articles.enriched", records)
        found = await wait_for(lambda: len(_get(search)[2].get("items", [])) == len(SIGNING), 90)
        assert found, f"{_get(search)}\n{api.log_tail()}\n{indexer.log_tail()}"
        status, _, first = _get(search)
        assert [i["article_id"] for i in first["items"]] == newest_first(SIGNING)
        status, _, filtered = _get(search + "&published_from=2025-01-20")
        assert {i["article_id"] for i in filtered["items"]} == {f"s{i:02d}" for i in range(19, 28)}

        await produce(kafka, f"{topic_prefix}articles.enriched", records)  # redelivered
        consumed = 2 * len(records)
        assert await wait_for(
            lambda: (
                _metric(indexer, "medwire_indexer_records_consumed_total") >= consumed
                and _metric(api, "medwire_api_records_consumed_total") >= consumed
            ),
            60,
        ), (indexer.metrics_text()[-2000:], api.log_tail())
        await wait_for(lambda: False, timeout=1.5)  # past OpenSearch's refresh interval
        status, _, again = _get(search)
        assert (status, again) == (200, first)  # the same items, scores and snippets
    finally:
        indexer.stop()
        api.stop()
        async with httpx.AsyncClient(base_url=opensearch) as node:
            await node.delete(f"/{topic_prefix}articles-v{MAPPING_VERSION}")


async def test_opensearch_away_makes_a_search_a_503_problem_and_other_routes_answer(
    fresh_database: str, opensearch: str, topic_prefix: str, log_dir: Path
) -> None:
    node = urlsplit(opensearch)
    proxy = TcpProxy(node.hostname or "127.0.0.1", node.port or 9200).open()
    port = free_port()
    api = ServiceProcess(
        "api",
        port,
        {
            "MEDWIRE_API_PORT": str(port),
            "MEDWIRE_DATABASE_URL": fresh_database,
            "MEDWIRE_API_CONSUME": "false",
            "MEDWIRE_RATE_LIMIT": "0",
            "MEDWIRE_TOPIC_PREFIX": topic_prefix,
            "MEDWIRE_OPENSEARCH_URL": f"http://127.0.0.1:{proxy.port}",
            "MEDWIRE_SEARCH_TIMEOUT_S": "2",
        },
    ).start(log_dir)
    try:
        # No index yet: a 503 that says so.
        status, headers, body = _get(f"{api.url}/v1/articles?q=test")
        assert status == 503 and "no index behind the alias" in body["detail"], body
        proxy.cut()
        for path in ("/v1/articles?q=test", "/v1/stats/timeline?q=test"):
            status, headers, body = _get(api.url + path)
            assert status == 503, (path, body)
            assert headers["content-type"] == "application/problem+json"
            assert headers["retry-after"] == "5"
            assert "did not answer" in body["detail"] and "retry" in body["detail"], body
        assert _get(f"{api.url}/v1/articles")[0] == 200
        assert _get(f"{api.url}/v1/stats/timeline")[0] == 200
        assert _get(f"{api.url}/healthz")[0] == 200
        proxy.open()
        async with httpx.AsyncClient(base_url=opensearch) as direct:
            await index_articles(direct, f"{topic_prefix}articles", [article("x1", text="test")])
        # Back: the search answers. Its one hit is not stored in PostgreSQL (the API's consumer
        # has not stored it yet): not served.
        status, _, body = _get(f"{api.url}/v1/articles?q=test")
        assert (status, body) == (200, {"items": [], "next_cursor": None})
    finally:
        api.stop()
        proxy.cut()
        async with httpx.AsyncClient(base_url=opensearch) as direct:
            await direct.delete(f"/{topic_prefix}articles-v{MAPPING_VERSION}")
