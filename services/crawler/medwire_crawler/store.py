"""What the crawler has fetched and published, in PostgreSQL (`crawler_pages`), shared by every
crawler instance and kept across restarts: each page's validators (ETag, Last-Modified) for a
conditional GET and its status and body's hash, so that a page that did not change is not
republished (a 304, or the same status and body from a server without validators).

A page is recorded only once Kafka has acknowledged it: a page whose publishing failed is
fetched and published again by the next crawl."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import asyncpg

from medwire_common.ids import canonical_url
from medwire_common.sources import Source

from .schema import migrate


def body_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()[:32]


@dataclass(frozen=True)
class PageState:
    url: str  # canonical
    etag: str | None
    last_modified: str | None
    content_hash: str
    status: int

    def validators(self) -> dict[str, str]:
        """The conditional-GET headers this state allows."""
        headers = {}
        if self.etag:
            headers["If-None-Match"] = self.etag
        if self.last_modified:
            headers["If-Modified-Since"] = self.last_modified
        return headers


class PageStore:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    @classmethod
    async def open(cls, url: str) -> PageStore:
        await migrate(url)  # the tables, by the crawler's own Alembic lineage (`schema`)
        pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
        return cls(pool)

    async def close(self) -> None:
        await self.pool.close()

    async def get(self, url: str) -> PageState | None:
        row = await self.pool.fetchrow(
            "SELECT url, etag, last_modified, content_hash, status FROM crawler_pages"
            " WHERE url = $1",
            canonical_url(url),
        )
        return PageState(**dict(row)) if row else None

    async def claim(self, source: str, every_s: float) -> bool:
        """Whether this instance is the one to enqueue `source`'s crawl now: true once per
        period across every instance (the first claim of a source is due at once)."""
        claimed = await self.pool.fetchval(
            "INSERT INTO crawler_schedule (source, next_at)"
            " VALUES ($1, now() + make_interval(secs => $2))"
            " ON CONFLICT (source) DO UPDATE SET next_at = EXCLUDED.next_at"
            " WHERE crawler_schedule.next_at <= now() RETURNING source",
            source,
            every_s,
        )
        return claimed is not None

    async def managed_sources(self) -> list[Source]:
        """The sources switched on through the API's admin routes (its `managed_sources` table,
        in the same database), by name; none while the API has not created that table."""
        try:
            rows = await self.pool.fetch(
                "SELECT definition FROM managed_sources WHERE enabled ORDER BY name"
            )
        except asyncpg.UndefinedTableError:
            return []
        return [Source.model_validate_json(r["definition"]) for r in rows]

    async def release(self, source: str) -> None:
        """The claimed crawl could not be enqueued: due again at once."""
        await self.pool.execute(
            "UPDATE crawler_schedule SET next_at = now() WHERE source = $1", source
        )

    async def record(self, state: PageState) -> None:
        await self.pool.execute(
            "INSERT INTO crawler_pages (url, etag, last_modified, content_hash, status)"
            " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (url) DO UPDATE SET etag = $2,"
            " last_modified = $3, content_hash = $4, status = $5, fetched_at = now()",
            state.url,
            state.etag,
            state.last_modified,
            state.content_hash,
            state.status,
        )
