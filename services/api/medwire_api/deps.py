"""FastAPI dependencies as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from .search_stats import SearchStats


async def get_engine(request: Request) -> AsyncEngine:
    """The engine for reads: autocommit, so a read is one round trip (no BEGIN and ROLLBACK
    around it). Async, so that FastAPI does not hand it to a thread."""
    engine: AsyncEngine = request.app.state.read_engine
    return engine


EngineDep = Annotated[AsyncEngine, Depends(get_engine)]


async def get_read_pool(request: Request) -> asyncpg.Pool:
    """asyncpg's pool for the fixed reads (see `db.open_read_pool`)."""
    pool: asyncpg.Pool = request.app.state.read_pool
    return pool


ReadPoolDep = Annotated[asyncpg.Pool, Depends(get_read_pool)]


async def get_search_stats(request: Request) -> SearchStats:
    """What searches know of the articles (see `search_stats`): one per application."""
    stats: SearchStats = request.app.state.search_stats
    return stats


SearchStatsDep = Annotated[SearchStats, Depends(get_search_stats)]
