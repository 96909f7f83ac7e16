"""The API app on its own database and its own OpenSearch alias, served in-process (no
consumer): `api` is (client, engine); `stored` writes articles the way the pipeline does, into
PostgreSQL (the API's upsert) and into the real OpenSearch node (the indexer's index and
documents), so that lists and searches both find them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.app import create_app
from medwire_api.db import upsert_articles
from medwire_api.settings import ApiSettings
from medwire_common.schemas import EnrichedArticle
from medwire_indexer.core import MAPPING_VERSION, bulk_body, document_of, index_body, version_of

Store = Callable[[Sequence[EnrichedArticle]], Awaitable[None]]


@pytest.fixture
def api_settings(fresh_database: str, opensearch: str, topic_prefix: str) -> ApiSettings:
    return ApiSettings(
        MEDWIRE_DATABASE_URL=fresh_database,
        MEDWIRE_API_CONSUME=False,
        opensearch_url=opensearch,
        topic_prefix=topic_prefix,
    )


@pytest.fixture
async def api(api_settings: ApiSettings) -> AsyncIterator[tuple[httpx.AsyncClient, AsyncEngine]]:
    app = create_app(api_settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield client, app.state.engine


async def index_articles(
    opensearch: httpx.AsyncClient, alias: str, articles: Sequence[EnrichedArticle]
) -> None:
    """Index `articles` as the indexer does (its index body, documents and versions), visible
    to searches at once."""
    index = f"{alias}-v{MAPPING_VERSION}"
    if (await opensearch.head(f"/{index}")).status_code == 404:
        created = await opensearch.put(f"/{index}", json=index_body(1, 0, alias))
        assert created.status_code == 200, created.text
    docs = [(a.article_id, version_of(a), document_of(a)) for a in articles]
    done = await opensearch.post(
        "/_bulk?refresh=true",
        content=bulk_body(index, docs),
        headers={"content-type": "application/x-ndjson"},
    )
    assert done.status_code == 200 and not done.json()["errors"], done.text


@pytest.fixture
async def stored(
    api: tuple[httpx.AsyncClient, AsyncEngine], api_settings: ApiSettings
) -> AsyncIterator[Store]:
    _, engine = api
    alias = api_settings.topic(api_settings.search_alias)
    async with httpx.AsyncClient(base_url=api_settings.opensearch_url, timeout=30) as opensearch:

        async def store(articles: Sequence[EnrichedArticle]) -> None:
            await upsert_articles(engine, articles)
            await index_articles(opensearch, alias, articles)

        yield store
        await opensearch.delete(f"/{alias}-v{MAPPING_VERSION}")
