"""Database access: engine, migrations, and the idempotent batch upsert of enriched articles."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from medwire_common.dedup import DuplicateIndex, Member, band_keys
from medwire_common.schemas import EnrichedArticle

from .entities import store_entities
from .settings import ApiSettings
from .tables import ArticleBandRow, ArticleRow

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
        "dup_cluster": article.dup_cluster,
        "content_hash": article.content_hash,
        "minhash": article.minhash,
    }


async def assign_clusters(
    conn: AsyncConnection, articles: Sequence[EnrichedArticle]
) -> list[EnrichedArticle]:
    """Give each article the cluster of an earlier stored (or earlier in-batch) near-duplicate.
    Idempotent: a redelivered article finds its own earlier rows' cluster again."""
    keys = sorted({k for a in articles if a.minhash for k in band_keys(a.minhash)})
    hashes = sorted({a.content_hash for a in articles if a.content_hash})
    banded = select(ArticleBandRow.article_id).where(ArticleBandRow.band_key.in_(keys))  # type: ignore[attr-defined]
    candidates = (
        (
            await conn.execute(
                select(
                    ArticleRow.article_id,
                    ArticleRow.dup_cluster,
                    ArticleRow.minhash,
                    ArticleRow.content_hash,
                )
                .where(or_(ArticleRow.content_hash.in_(hashes), ArticleRow.article_id.in_(banded)))  # type: ignore[union-attr,attr-defined]
                .order_by(ArticleRow.ingested_at, ArticleRow.article_id)
            )
        ).all()
        if keys or hashes
        else []
    )
    index = DuplicateIndex()
    for row in candidates:
        cluster = row.dup_cluster or row.content_hash or row.article_id
        if row.minhash:
            index.add(Member(row.article_id, cluster, row.minhash), row.content_hash)
        elif row.content_hash:
            index.by_hash.setdefault(row.content_hash, cluster)
    return [
        a.model_copy(
            update={
                "dup_cluster": index.assign(a.article_id, a.minhash, a.content_hash or a.article_id)
            }
        )
        for a in articles
    ]


async def upsert_articles(engine: AsyncEngine, articles: Sequence[EnrichedArticle]) -> None:
    """Insert or update in one transaction, with duplicate clusters and LSH bands. A row whose
    record is unchanged is not touched, so a redelivered or replayed record changes nothing."""
    latest = list(
        {a.article_id: a for a in articles}.values()
    )  # a statement may not touch a row twice
    async with engine.begin() as conn:
        clustered = await assign_clusters(conn, latest)
        rows = [article_row(a) for a in clustered]
        stmt = pg_insert(ArticleRow).values(rows)
        updated = {c: stmt.excluded[c] for c in rows[0] if c != "article_id"}
        updated["updated_at"] = func.now()
        stmt = stmt.on_conflict_do_update(
            index_elements=["article_id"],
            set_=updated,
            where=literal_column("articles.record").is_distinct_from(stmt.excluded.record),
        ).returning(ArticleRow.article_id)
        changed = set((await conn.execute(stmt)).scalars())
        await store_entities(conn, [a for a in clustered if a.article_id in changed])
        bands = [
            {"band_key": k, "article_id": a.article_id}
            for a in clustered
            if a.minhash
            for k in band_keys(a.minhash)
        ]
        if bands:
            await conn.execute(pg_insert(ArticleBandRow).values(bands).on_conflict_do_nothing())
