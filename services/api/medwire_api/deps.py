"""FastAPI dependencies as `Annotated` aliases."""

from __future__ import annotations

from typing import Annotated

import asyncpg
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncEngine

from .queries.search import SearchIndex
from .settings import ApiSettings


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


async def get_search_index(request: Request) -> SearchIndex:
    """The OpenSearch alias searches go through: one client per application."""
    index: SearchIndex = request.app.state.search_index
    return index


SearchIndexDep = Annotated[SearchIndex, Depends(get_search_index)]


async def get_settings(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


SettingsDep = Annotated[ApiSettings, Depends(get_settings)]
