"""The crawler's tables, migrated by Alembic (`migrations/`, a lineage of its own with its own
version table) when the crawler opens its page store: serialised by an advisory lock, so that
crawler instances starting together migrate once."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from medwire_common.dburl import sqlalchemy_url

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK = 727006  # the advisory lock the inline schema took before


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


async def migrate(database_url: str) -> None:
    """Bring the crawler's tables to the newest revision (idempotent)."""

    def upgrade(connection: Connection) -> None:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK})")
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "crawler@head")

    engine = create_async_engine(sqlalchemy_url(database_url))
    try:
        async with engine.begin() as conn:
            await conn.run_sync(upgrade)
    finally:
        await engine.dispose()
