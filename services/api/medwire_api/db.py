"""Database access: engine, migrations, and the idempotent batch upsert of enriched articles."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import asyncpg
from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from medwire_common.dedup import BANDS, DuplicateIndex, Member, band_keys
from medwire_common.pgerrors import is_transient_sqlstate
from medwire_common.schemas import EnrichedArticle

from .entities import store_entities
from .schemas import INTERNAL
from .settings import ApiSettings

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(
    settings: ApiSettings, *, pre_ping: bool = True, server_settings: dict[str, str] | None = None
) -> AsyncEngine:
    return create_async_engine(
        settings.sqlalchemy_url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=pre_ping,
        # Compiling a plan to machine code pays off for long analytic queries, not for these:
        # thousands of keys in a lookup make the estimates large enough to trigger it.
        connect_args={"server_settings": {"jit": "off", **(server_settings or {})}},
    )


def is_transient(exc: DBAPIError) -> bool:
    """Whether a database error is the database being away (retry) rather than the statement:
    SQLAlchemy's own classes, or the server's SQLSTATE (a restart's "shutting down" reaches a
    live connection as a plain DBAPIError)."""
    if isinstance(exc, (OperationalError, InterfaceError)) or exc.connection_invalidated:
        return True
    return is_transient_sqlstate(getattr(exc.orig, "sqlstate", None))


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def make_read_engine(settings: ApiSettings) -> AsyncEngine:
    """The engine of the HTTP reads: autocommit (no BEGIN and ROLLBACK around a query) and no
    ping before each checkout (the asyncpg dialect's ping is BEGIN, `;`, ROLLBACK: three round
    trips). A connection found dead fails its request with a 503, and SQLAlchemy then renews
    every older connection of the pool: after a database restart, one request is refused.
    Statements longer than `MEDWIRE_QUERY_TIMEOUT_S` are cancelled by the server.

    Parallel plans are off: on a few cores they slow the other requests more than they speed
    one. Every statement is planned for its values: asyncpg prepares statements, and after five
    runs PostgreSQL may keep a generic plan, blind to the names and dates that decide it (such a
    plan took a search from 50 ms to 800 ms when search ran here). work_mem was sized for the
    search's bitmaps, which left with it (issue #21); kept for the stats' sorts, unmeasured."""
    engine = make_engine(settings, pre_ping=False, server_settings=read_session(settings))
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def read_session(settings: ApiSettings) -> dict[str, str]:
    """The server settings of a read connection (see `make_read_engine`)."""
    return {
        "jit": "off",
        "statement_timeout": str(int(settings.query_timeout_s * 1000)),
        "work_mem": "32MB",
        "max_parallel_workers_per_gather": "0",
        "plan_cache_mode": "force_custom_plan",
    }


async def open_read_pool(settings: ApiSettings) -> asyncpg.Pool:
    """asyncpg's own pool, beside the read engine and with its session settings, for the most
    frequent read (an article by id): one fixed statement, for which SQLAlchemy's checkout,
    execution and result cost the API more CPU than the rest of the request (0.7 ms a request
    in-process, 0.5 through this pool). Connects on first use."""
    return await asyncpg.create_pool(
        settings.asyncpg_url,
        min_size=0,
        max_size=settings.db_pool_size,
        server_settings=read_session(settings),
        reset=_unchanged_session,
    )


async def _unchanged_session(connection: asyncpg.Connection) -> None:
    """The read pool's statements change nothing in a session (one statement each, no SET,
    LISTEN, cursor or lock): the reset asyncpg runs when a connection is released (advisory
    locks, cursors, LISTEN, RESET ALL) would be a round trip to PostgreSQL per request. An open
    transaction is still rolled back (asyncpg does that whatever the reset)."""


async def fetch_value(pool: asyncpg.Pool, sql: str, *args: Any) -> Any:
    """The first column of the first row of `sql`, or None. When the database has gone away
    (a restart drops every connection) the pool's connections are all renewed: one request is
    refused, not one per pooled connection."""
    try:
        return await pool.fetchval(sql, *args)
    except (asyncpg.PostgresConnectionError, asyncpg.InterfaceError, OSError):
        pool.expire_connections()
        raise


async def migrate(engine: AsyncEngine) -> None:
    """Bring the schema to the newest migration (idempotent; serialised by an advisory lock)."""

    def upgrade(connection: Connection) -> None:
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(727001)")
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")

    async with engine.begin() as conn:
        await conn.run_sync(upgrade)


def array_literal(numbers: Sequence[int]) -> str:
    """A PostgreSQL array literal: arrays of arrays cannot be unnested column-wise, and parsing
    this in C is cheaper than JSON."""
    return "{" + ",".join(map(str, numbers)) + "}"


def article_columns(articles: Sequence[EnrichedArticle]) -> dict[str, list[Any]]:
    """The `articles` rows of a batch as column arrays for `_UPSERT_ARTICLES`; arrays of arrays
    cannot be unnested column-wise, so topics travel as JSON and signatures as array literals."""
    return {
        "article_id": [a.article_id for a in articles],
        "url": [a.url for a in articles],
        "canonical_url": [a.canonical_url for a in articles],
        "source_name": [a.source.name for a in articles],
        "source_domain": [a.source.domain for a in articles],
        "title": [a.title for a in articles],
        "published_at": [a.published_at for a in articles],
        "fetched_at": [a.fetched_at for a in articles],
        "language": [a.language for a in articles],
        "relevance": [a.relevance for a in articles],
        "topics": [json.dumps(a.topics, ensure_ascii=False) for a in articles],
        "record": [a.model_dump_json(exclude=INTERNAL) for a in articles],
        "dup_cluster": [a.dup_cluster for a in articles],
        "content_hash": [a.content_hash for a in articles],
        "minhash": [array_literal(a.minhash) if a.minhash else None for a in articles],
        "bands": [array_literal(band_keys(a.minhash)) if a.minhash else None for a in articles],
    }


# One statement text for every batch size (compiled once; a multi-row VALUES list was
# recompiled per batch and cost a third of the ingest time). A row whose record is unchanged
# is not updated and not returned; a returned row tells whether it is new (a row that was
# inserted has no xmax; an updated one has the updating transaction's).
_UPSERT_ARTICLES = text(
    """
    INSERT INTO articles (article_id, url, canonical_url, source_name, source_domain, title,
        published_at, fetched_at, language, relevance, topics, record, dup_cluster,
        content_hash, minhash, bands)
    SELECT x.article_id, x.url, x.canonical_url, x.source_name, x.source_domain, x.title,
        x.published_at, x.fetched_at, x.language, x.relevance,
        ARRAY(SELECT jsonb_array_elements_text(x.topics)), x.record, x.dup_cluster,
        x.content_hash,
        CAST(x.minhash AS bigint[]), CAST(x.bands AS bigint[])
    FROM unnest(CAST(:article_id AS text[]), CAST(:url AS text[]),
        CAST(:canonical_url AS text[]), CAST(:source_name AS text[]),
        CAST(:source_domain AS text[]), CAST(:title AS text[]), CAST(:published_at AS date[]),
        CAST(:fetched_at AS timestamptz[]), CAST(:language AS text[]),
        CAST(:relevance AS float8[]), CAST(:topics AS jsonb[]), CAST(:record AS jsonb[]),
        CAST(:dup_cluster AS text[]), CAST(:content_hash AS text[]), CAST(:minhash AS text[]),
        CAST(:bands AS text[]))
        AS x(article_id, url, canonical_url, source_name, source_domain, title, published_at,
            fetched_at, language, relevance, topics, record, dup_cluster, content_hash, minhash,
            bands)
    ON CONFLICT (article_id) DO UPDATE SET url = EXCLUDED.url,
        canonical_url = EXCLUDED.canonical_url, source_name = EXCLUDED.source_name,
        source_domain = EXCLUDED.source_domain, title = EXCLUDED.title,
        published_at = EXCLUDED.published_at, fetched_at = EXCLUDED.fetched_at,
        language = EXCLUDED.language, relevance = EXCLUDED.relevance, topics = EXCLUDED.topics,
        record = EXCLUDED.record, dup_cluster = EXCLUDED.dup_cluster,
        content_hash = EXCLUDED.content_hash, minhash = EXCLUDED.minhash,
        bands = EXCLUDED.bands, updated_at = now()
    WHERE articles.record IS DISTINCT FROM EXCLUDED.record
    RETURNING article_id, xmax = 0 AS inserted
    """
)
# Arrays, not expanding IN lists: one statement text whatever the batch. Each band's keys are
# looked up in that band's index; the planner, which cannot estimate thousands of keys, is told
# not to read the whole table instead.
_NO_SEQSCAN = text("SET LOCAL enable_seqscan = off")
_SEQSCAN = text("SET LOCAL enable_seqscan = on")
_CANDIDATES = text(
    "SELECT article_id, dup_cluster, minhash, content_hash FROM articles"
    " WHERE content_hash = ANY(CAST(:hashes AS text[]))"
    + "".join(f" OR bands[{b + 1}] = ANY(CAST(:band{b} AS bigint[]))" for b in range(BANDS))
    + " ORDER BY ingested_at, article_id"
)


async def assign_clusters(
    conn: AsyncConnection, articles: Sequence[EnrichedArticle]
) -> list[EnrichedArticle]:
    """Give each article the cluster of an earlier stored (or earlier in-batch) near-duplicate.
    Idempotent: a redelivered article finds its own earlier rows' cluster again."""
    signed = [band_keys(a.minhash) for a in articles if a.minhash]
    hashes = sorted({a.content_hash for a in articles if a.content_hash})
    candidates: Sequence[Any] = []
    if signed or hashes:
        keys = {f"band{b}": sorted({k[b] for k in signed}) for b in range(BANDS)}
        await conn.execute(_NO_SEQSCAN)
        candidates = (await conn.execute(_CANDIDATES, {"hashes": hashes, **keys})).all()
        await conn.execute(_SEQSCAN)
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
    """Insert or update in one transaction, with duplicate clusters and LSH band keys. A row whose
    record is unchanged is not touched, so a redelivered or replayed record changes nothing."""
    latest = list(
        {a.article_id: a for a in articles}.values()
    )  # a statement may not touch a row twice
    async with engine.begin() as conn:
        clustered = await assign_clusters(conn, latest)
        rows = (await conn.execute(_UPSERT_ARTICLES, article_columns(clustered))).all()
        changed = {row.article_id for row in rows}
        await store_entities(
            conn,
            [a for a in clustered if a.article_id in changed],
            replaced=[row.article_id for row in rows if not row.inserted],
        )
