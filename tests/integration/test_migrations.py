"""Migrations that rewrite stored rows, run over rows stored before them (real PostgreSQL)."""

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
