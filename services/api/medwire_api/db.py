"""Database access: engine, migrations, and the idempotent batch upsert of enriched articles."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, func, literal_column
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from medwire_common.schemas import EnrichedArticle

from .settings import ApiSettings
from .tables import ArticleRow

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(settings: ApiSettings) -> AsyncEngine:
    return create_async_engine(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
    )


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration (idempotent; serialised by an advisory lock)."""

    def upgrade(connection: Connection) -> None:
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727001)")
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")

    async with engine.begin() as conn:
        await conn.run_sync(upgrade)


def article_row(article: EnrichedArticle) -> dict[str, Any]:
    return {
        "article_id": article.article_id,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "source_name": article.source.name,
        "source_domain": article.source.domain,
        "title": article.title,
        "published_at": article.published_at,
        "fetched_at": article.fetched_at,
        "language": article.language,
        "relevance": article.relevance,
        "topics": article.topics,
        "record": article.model_dump(mode="json"),
    }


async def upsert_articles(engine: AsyncEngine, articles: Sequence[EnrichedArticle]) -> None:
    """Insert or update in one transaction. A row whose record is unchanged is not touched, so a
    redelivered or replayed record changes nothing (not even `updated_at`)."""
    latest = {a.article_id: a for a in articles}  # one statement may not touch a row twice
    rows = [article_row(a) for a in latest.values()]
    stmt = pg_insert(ArticleRow).values(rows)
    updated = {c: stmt.excluded[c] for c in rows[0] if c != "article_id"}
    updated["updated_at"] = func.now()
    stmt = stmt.on_conflict_do_update(
        index_elements=["article_id"],
        set_=updated,
        where=literal_column("articles.record").is_distinct_from(stmt.excluded.record),
    )
    async with engine.begin() as conn:
        await conn.execute(stmt)
