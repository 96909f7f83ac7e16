"""The crawler's tables belong to an Alembic lineage of its own (real PostgreSQL): opening the
page store migrates a fresh database and records it in `crawler_alembic_version`; a database
whose tables the crawler made before (by inline SQL) is adopted with its rows; the API's
migrations and the crawler's live side by side in one database, each in its version table."""

from __future__ import annotations

import asyncpg
import pytest

from medwire_api.db import make_engine, migrate
from medwire_api.settings import ApiSettings
from medwire_crawler.store import PageState, PageStore

pytestmark = pytest.mark.integration


async def tables(url: str) -> dict[str, list[str]]:
    conn = await asyncpg.connect(url)
    try:
        names = [
            r["tablename"]
            for r in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        versions = {}
        for table in ("alembic_version", "crawler_alembic_version"):
            if table in names:
                versions[table] = [r[0] for r in await conn.fetch(f"SELECT * FROM {table}")]
        return {"tables": names, **versions}
    finally:
        await conn.close()


async def test_a_fresh_database_gets_the_crawlers_tables_and_their_version(
    fresh_database: str,
) -> None:
    store = await PageStore.open(fresh_database)
    try:
        state = PageState("http://a.test/1", "e1", None, "h1", 200)
        await store.record(state)
        assert await store.get("http://a.test/1") == state
    finally:
        await store.close()
    found = await tables(fresh_database)
    assert {"crawler_pages", "crawler_schedule"} <= set(found["tables"])
    assert found["crawler_alembic_version"] == ["c0001"]
    assert "alembic_version" not in found  # the API's lineage is not touched


async def test_tables_made_by_the_old_inline_schema_are_adopted_with_their_rows(
    fresh_database: str,
) -> None:
    conn = await asyncpg.connect(fresh_database)
    await conn.execute(
        "CREATE TABLE crawler_pages (url text PRIMARY KEY, etag text, last_modified text,"
        " content_hash text NOT NULL, status integer NOT NULL,"
        " fetched_at timestamptz NOT NULL DEFAULT now());"
        "CREATE TABLE crawler_schedule (source text PRIMARY KEY, next_at timestamptz NOT NULL);"
        "INSERT INTO crawler_pages (url, content_hash, status) VALUES ('http://a.test/old', 'h', 200)"
    )
    await conn.close()
    store = await PageStore.open(fresh_database)
    try:
        old = await store.get("http://a.test/old")
        assert old is not None and old.content_hash == "h"
    finally:
        await store.close()
    assert (await tables(fresh_database))["crawler_alembic_version"] == ["c0001"]


async def test_the_apis_and_the_crawlers_migrations_share_a_database(fresh_database: str) -> None:
    engine = make_engine(ApiSettings(MEDWIRE_DATABASE_URL=fresh_database))
    try:
        await migrate(engine)
        store = await PageStore.open(fresh_database)
        await store.close()
        await migrate(engine)  # again, with the crawler's version table beside its own
    finally:
        await engine.dispose()
    store = await PageStore.open(fresh_database)  # and the crawler's again
    await store.close()
    found = await tables(fresh_database)
    assert found["crawler_alembic_version"] == ["c0001"]
    assert len(found["alembic_version"]) == 1 and {"articles", "crawler_pages"} <= set(
        found["tables"]
    )
