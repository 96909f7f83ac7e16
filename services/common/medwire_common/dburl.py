"""`MEDWIRE_DATABASE_URL` as SQLAlchemy's asyncpg dialect wants it, for every service that
migrates or queries PostgreSQL through SQLAlchemy (the API, the crawler's migrations)."""

from __future__ import annotations

_PREFIXES = ("postgresql+asyncpg://", "postgresql://", "postgres://")


def sqlalchemy_url(url: str) -> str:
    """`postgresql://…` (or `postgres://`, or already `postgresql+asyncpg://`) →
    `postgresql+asyncpg://…`; anything else is a ValueError naming the setting."""
    for prefix in _PREFIXES:
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    raise ValueError(f"MEDWIRE_DATABASE_URL must be a postgresql:// URL, got {url!r}")
