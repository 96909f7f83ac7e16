"""Migrations that rewrite stored rows, run over rows stored before them; and the schema they build
against what `tables.py` says of it (real PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from alembic import command
from sqlalchemy import Connection, text

from medwire_api.db import alembic_config, make_engine, migrate
from medwire_api.settings import ApiSettings

pytestmark = pytest.mark.integration


def upgrade_to(revision: str) -> Callable[[Connection], None]:
    def run(connection: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)

    return run


async def test_0007_dates_the_organisations_and_places_of_the_articles_stored_before(
    fresh_database: str,
) -> None:
    engine = make_engine(ApiSettings(MEDWIRE_DATABASE_URL=fresh_database))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade_to("0006"))
            for aid, published in (("dated", date(2025, 3, 4)), ("undated", None)):
                await conn.execute(
                    text(
                        "INSERT INTO articles (article_id, url, canonical_url, source_name,"
                        " source_domain, title, published_at, fetched_at, language, relevance,"
                        " topics, record) VALUES (:id, 'u', 'u', 's', 'd', 't', :published,"
                        " now(), 'zh', 0.5, '{}', '{}')"
                    ),
                    {"id": aid, "published": published},
                )
            await conn.execute(
                text("INSERT INTO organizations (name, type) VALUES ('甲', 'other')")
            )
            await conn.execute(
                text(
                    "INSERT INTO article_organizations SELECT a, organization_id, 1"
                    " FROM organizations, unnest(ARRAY['dated', 'undated']) a"
                )
            )
            await conn.execute(
                text(
                    "INSERT INTO article_locations (article_id, position, name, adcode)"
                    " SELECT a, 0, '太原市', '140100' FROM unnest(ARRAY['dated', 'undated']) a"
                )
            )
        await migrate(engine)
        async with engine.connect() as conn:
            for table in ("article_organizations", "article_locations"):
                rows = await conn.execute(
                    text(f"SELECT article_id, sort_date FROM {table} ORDER BY article_id")
                )
                assert rows.all() == [("dated", date(2025, 3, 4)), ("undated", date(1, 1, 1))]
    finally:
        await engine.dispose()


async def test_the_tables_the_queries_are_written_against_are_the_ones_the_migrations_build(
    fresh_database: str,
) -> None:
    """`tables.py` restates the schema for the queries: every column it names must exist after
    the last migration, with the type it says; the articles model must name every column."""
    from sqlalchemy import inspect
    from sqlalchemy.sql.expression import TableClause

    from medwire_api import tables

    declared = [t for t in vars(tables).values() if isinstance(t, TableClause)]
    declared.append(tables.ArticleRow.__table__)
    assert {t.name for t in declared} >= {"articles", "organizations", "article_locations"}
    engine = make_engine(ApiSettings(MEDWIRE_DATABASE_URL=fresh_database))
    try:
        await migrate(engine)
        async with engine.connect() as conn:
            built = await conn.run_sync(
                lambda sync: {
                    t.name: {c["name"]: c["type"] for c in inspect(sync).get_columns(t.name)}
                    for t in declared
                }
            )
    finally:
        await engine.dispose()
    for t in declared:
        missing = {c.name for c in t.columns} - set(built[t.name])
        assert not missing, f"{t.name}: {sorted(missing)} not in the migrated schema"
        for c in t.columns:
            if c.type._type_affinity is not None and type(c.type).__name__ != "NullType":
                assert built[t.name][c.name]._type_affinity == c.type._type_affinity, (
                    f"{t.name}.{c.name}: {c.type!r} declared, {built[t.name][c.name]!r} built"
                )
    articles = tables.ArticleRow.__table__
    assert {c.name for c in articles.columns} == set(built["articles"])
