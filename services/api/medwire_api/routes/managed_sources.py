"""Source management behind the admin token: sources added, replaced, switched off and removed
through the API (kept in `managed_sources`), crawled with `POST /v1/crawls {"source": name}`
like those of the crawlers' sources.yaml. Start URLs are held to the rules of crawl requests:
http(s), no internal addresses unless allow-listed."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, Field, field_validator
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_common.patterns import check_backtracking
from medwire_common.schemas import SourceConfig

from ..deps import EngineDep
from ..problems import ProblemError
from ..schemas import Problem
from .guards import AdminInput, allowed_start_urls, require_admin

router = APIRouter(
    prefix="/v1/admin/sources",
    tags=["admin"],
    dependencies=[Depends(require_admin)],
    responses={401: {"model": Problem}, 403: {"model": Problem}, 422: {"model": Problem}},
)
SourceName = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[\w.-]+$")]


class SourceIn(SourceConfig, AdminInput):
    """A source's definition; its name is the path's (given here too, it must be the same)."""

    name: str | None = Field(None, max_length=100)  # type: ignore[assignment]
    enabled: bool = Field(True, description="A switched-off source is kept but not crawled")

    @field_validator("article_pattern", "follow_pattern")
    @classmethod
    def _cannot_hang_a_crawler(cls, pattern: str | None) -> str | None:
        # The crawler runs these on every link it sees, with `re`, which cannot be stopped.
        if pattern is not None:
            check_backtracking(pattern)  # an UnsafePattern is a ValueError: a 422
        return pattern


class ManagedSource(BaseModel):
    definition: SourceConfig
    enabled: bool
    created_at: datetime
    updated_at: datetime


_COLUMNS = "definition, enabled, created_at, updated_at"


async def managed_source(engine: AsyncEngine, name: str) -> ManagedSource | None:
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                text(f"SELECT {_COLUMNS} FROM managed_sources WHERE name = :n"), {"n": name}
            )
        ).first()
    return ManagedSource.model_validate(row._asdict()) if row else None


@router.get("", response_model=list[ManagedSource])
async def list_sources(engine: EngineDep) -> list[ManagedSource]:
    """Every managed source, by name (those of sources.yaml are the crawlers' and not here)."""
    async with engine.connect() as conn:
        rows = await conn.execute(text(f"SELECT {_COLUMNS} FROM managed_sources ORDER BY name"))
        return [ManagedSource.model_validate(r._asdict()) for r in rows]


@router.get("/{name}", response_model=ManagedSource, responses={404: {"model": Problem}})
async def get_source(name: SourceName, engine: EngineDep) -> ManagedSource:
    found = await managed_source(engine, name)
    if found is None:
        raise ProblemError(404, f"no managed source named {name!r}")
    return found


@router.put("/{name}", response_model=ManagedSource, responses={201: {"model": ManagedSource}})
async def put_source(
    name: SourceName, body: SourceIn, request: Request, response: Response, engine: EngineDep
) -> ManagedSource:
    """Add a source or replace its definition (201 when it is new)."""
    if body.name not in (None, name):
        raise ProblemError(422, f"the body names {body.name!r} but the path {name!r}")
    definition = SourceConfig.model_validate({**body.model_dump(exclude={"enabled"}), "name": name})
    await allowed_start_urls(request.app.state.settings, definition, "add the start URL")
    async with engine.begin() as conn:
        row = (
            await conn.execute(
                text(
                    "INSERT INTO managed_sources (name, definition, enabled)"
                    " VALUES (:n, CAST(:d AS jsonb), :e) ON CONFLICT (name) DO UPDATE SET"
                    " definition = EXCLUDED.definition, enabled = EXCLUDED.enabled,"
                    " updated_at = now()"
                    f" RETURNING {_COLUMNS}, (xmax = 0) AS created"
                ),
                {"n": name, "d": definition.model_dump_json(), "e": body.enabled},
            )
        ).one()
    if row.created:
        response.status_code = 201
    return ManagedSource.model_validate(row._asdict())


@router.delete("/{name}", status_code=204, responses={404: {"model": Problem}})
async def delete_source(name: SourceName, engine: EngineDep) -> Response:
    """Remove a managed source (its articles stay)."""
    async with engine.begin() as conn:
        result = await conn.execute(
            text("DELETE FROM managed_sources WHERE name = :n"), {"n": name}
        )
    if not result.rowcount:
        raise ProblemError(404, f"no managed source named {name!r}")
    return Response(status_code=204)
