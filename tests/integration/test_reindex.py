"""`medwire reindex` against real PostgreSQL and OpenSearch: the articles PostgreSQL holds are
copied into a new index, the alias moves to it in one step (the old index kept, or deleted on
request), and a second reindex replaces the first."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.db import upsert_articles
from medwire_cli.reindex import reindex
from medwire_indexer.core import MAPPING_VERSION, bulk_body, document_of, index_body, version_of
from tests.integration.test_indexer import ARTICLES
from tests.support import unique

pytestmark = pytest.mark.integration


@pytest.fixture
async def search(opensearch: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=opensearch, timeout=30) as client:
        yield client


async def ids(client: httpx.AsyncClient, target: str) -> list[str]:
    await client.post(f"/{target}/_refresh")
    found = await client.post(
        f"/{target}/_search", json={"query": {"match_all": {}}, "size": 100, "_source": False}
    )
    assert found.status_code == 200, found.text
    return sorted(hit["_id"] for hit in found.json()["hits"]["hits"])


async def test_reindex_copies_the_store_and_moves_the_alias(
    api: tuple[httpx.AsyncClient, AsyncEngine],
    fresh_database: str,
    opensearch: str,
    search: httpx.AsyncClient,
) -> None:
    _, engine = api
    await upsert_articles(engine, ARTICLES)
    alias = unique("reindex-")
    # The index as the indexer made it, holding only the first article (the others were
    # indexed under an older mapping, say, or lost with a node).
    old = f"{alias}-v{MAPPING_VERSION}"
    assert (await search.put(f"/{old}", json=index_body(1, 0, alias))).status_code == 200
    first = ARTICLES[0]
    body = bulk_body(alias, [(first.article_id, version_of(first), document_of(first))])
    await search.post("/_bulk", content=body, headers={"content-type": "application/x-ndjson"})
    assert await ids(search, alias) == [first.article_id]

    seen: list[tuple[int, int]] = []
    done = await reindex(
        fresh_database,
        opensearch,
        alias,
        1,
        0,
        batch=3,  # more than one batch
        progress=lambda n, total: seen.append((n, total)),
    )
    assert done.previous == [old] and done.copied == 4 and done.rejected == []
    assert seen == [(3, 4), (4, 4)]
    assert (await search.get(f"/_alias/{alias}")).json().keys() == {done.index}
    assert await ids(search, alias) == sorted(a.article_id for a in ARTICLES)
    assert await ids(search, old) == [first.article_id]  # kept, so the swap can be undone
    # A document carries what the store holds: found by an organisation's alias.
    hit = await search.post(
        f"/{alias}/_search", json={"query": {"term": {"organizations": "省药监局"}}}
    )
    assert hit.json()["hits"]["total"]["value"] == 4
    # Every row was written after the copy began: all of them were caught up once more,
    # which the external versions make a no-op.
    assert done.caught_up == 4

    again = await reindex(
        fresh_database,
        opensearch,
        alias,
        1,
        0,
        delete_old=True,
    )
    assert again.previous == [done.index] and again.index != done.index
    assert (await search.get(f"/_alias/{alias}")).json().keys() == {again.index}
    assert (await search.head(f"/{done.index}")).status_code == 404
    assert await ids(search, alias) == sorted(a.article_id for a in ARTICLES)


async def test_the_command_says_what_failed_when_opensearch_is_away(
    api: tuple[httpx.AsyncClient, AsyncEngine], fresh_database: str
) -> None:
    env = {
        **os.environ,
        "MEDWIRE_DATABASE_URL": fresh_database,
        "MEDWIRE_OPENSEARCH_URL": "http://127.0.0.1:9",  # nothing listens there
    }
    done = subprocess.run(
        [sys.executable, "-m", "medwire_cli", "reindex"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "medwire reindex: reindex into" in done.stderr and "ConnectError" in done.stderr
    assert "Traceback" not in done.stderr
