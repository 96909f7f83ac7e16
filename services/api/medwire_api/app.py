"""The FastAPI application: lifespan opens the database and the articles.enriched consumer."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Metric,
    generate_latest,
    multiprocess,
)
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_common.lifetime import die_with_parent
from medwire_common.logs import configure_logging
from medwire_common.metrics import StageMetrics
from medwire_common.opensearch import OpenSearchProbe, opensearch_up_gauge
from medwire_common.stage import Stage, stop_on_signals, with_backoff

from . import problems
from .db import make_engine, make_read_engine, migrate, open_read_pool
from .edge import Edge
from .ingest import IN_TOPIC, ingest_handler, read_newest_published
from .queries.search import SearchIndex
from .routes import admin, articles, entities, feeds, managed_sources, stats, vocabulary
from .settings import ApiSettings

log = logging.getLogger(__name__)

_stage_metrics: StageMetrics | None = None


def stage_metrics() -> StageMetrics:
    global _stage_metrics  # metrics register once per process, whatever the number of apps
    if _stage_metrics is None:
        _stage_metrics = StageMetrics("api")
    return _stage_metrics


def worker_app() -> FastAPI:
    """The application of one of several worker processes (`MEDWIRE_API_WORKERS` > 1; see
    `__main__`): each reads its settings and logs on its own, and ends with the process that
    spawned it: uvicorn's workers hold the port, and one left by a killed parent kept it."""
    die_with_parent()
    settings = ApiSettings()
    configure_logging("api", settings.log_level)
    return create_app(settings)


def served_registry() -> CollectorRegistry:
    """What /metrics serves: this process's metrics, or with several workers the sum of all of
    theirs (any worker answers the scrape; each writes its metrics to the shared directory)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    registry.register(_Workers())
    return registry


class _Workers(Collector):
    """Every worker's metrics, read once per scrape from their files, and then medwire's metric
    families that no worker has a sample of yet, empty: with one process /metrics lists every
    metric from the start (a stage's `records_failed` before any failure), where the workers'
    files hold only what was counted."""

    def __init__(self) -> None:
        self.files = multiprocess.MultiProcessCollector(None)

    def collect(self) -> Iterator[Metric]:
        counted = list(self.files.collect())
        yield from counted
        names = {family.name for family in counted}
        for family in REGISTRY.collect():
            if family.name.startswith("medwire_") and family.name not in names:
                yield Metric(family.name, family.documentation, family.type)


async def _seed_newest_published(engine: AsyncEngine) -> None:
    """Each source's newest publication date from the store, in the background: the gauge is
    a convenience, not worth delaying or failing the start-up for."""
    try:
        count = await read_newest_published(engine)
        log.info("api: newest publication date read for %d sources", count)
    except (OSError, DBAPIError) as exc:
        log.warning("api: sources' newest publication dates not read at start: %s", exc)


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        app.state.read_engine = read_engine = make_read_engine(settings)
        stop = asyncio.Event()
        # Waiting for PostgreSQL at start-up ends on SIGTERM (uvicorn acts on it only after
        # start-up): the start-up fails, and uvicorn exits.
        with stop_on_signals(stop):
            await with_backoff("migrating the database", lambda: migrate(engine), settings, stop)
        app.state.read_pool = read_pool = await open_read_pool(settings)
        # Searches go to OpenSearch; its being away fails them (503), not the API: /healthz
        # and medwire_opensearch_up report it, every other route goes on.
        search_client = httpx.AsyncClient(
            base_url=settings.opensearch_url, timeout=settings.search_timeout_s
        )
        app.state.search_index = SearchIndex(search_client, settings.topic(settings.search_alias))
        probe_task = asyncio.create_task(app.state.opensearch.run(stop))
        newest_task = asyncio.create_task(_seed_newest_published(engine))
        consumer_task = None
        if settings.consume:
            stage = Stage(settings, "api", IN_TOPIC, [], ingest_handler(engine), stage_metrics())
            app.state.stage = stage
            consumer_task = asyncio.create_task(stage.run(stop))
        # What start-up made (modules, models, routes: ~130,000 objects) lives as long as the
        # process: left to the garbage collector, every full collection walks it again while
        # every request in flight waits (tens of milliseconds).
        gc.freeze()
        try:
            yield
        finally:
            stop.set()
            if consumer_task is not None:
                await consumer_task
            await probe_task
            newest_task.cancel()
            await asyncio.gather(newest_task, return_exceptions=True)
            await search_client.aclose()
            await engine.dispose()
            await read_engine.dispose()
            await read_pool.close()
            if app.state.producer is not None:
                await app.state.producer.stop()

    # /docs and /redoc load Swagger UI and ReDoc from the package's own copies (served under
    # /static-offline-docs), not from a CDN: the docs work on a machine without internet.
    app = FastAPIOffline(
        title="medwire",
        version="0.1.0",
        lifespan=lifespan,
        description="Structured intelligence from Chinese pharma and medical-device news.",
    )
    app.state.settings = settings
    app.state.stage = None
    app.state.producer = None  # started by the first admin request that needs it
    app.state.producer_lock = asyncio.Lock()
    app.state.opensearch = OpenSearchProbe(
        settings.opensearch_url, settings.opensearch_probe_s, opensearch_up_gauge()
    )
    problems.install(app)
    for module in (articles, entities, stats, vocabulary, feeds, admin, managed_sources):
        app.include_router(module.router)

    app.add_middleware(Edge, settings=settings)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[o.strip() for o in settings.cors_origins.split(",") if o.strip()],
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "if-none-match"],
            expose_headers=["etag", "retry-after"],
            max_age=600,
        )

    registry = served_registry()

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/healthz", tags=["ops"])
    async def healthz(request: Request) -> JSONResponse:
        status: dict[str, Any] = {"service": "api"}
        try:
            async with request.app.state.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            status["database"] = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure means unhealthy, reported as such
            status["database"] = f"error: {type(exc).__name__}"
        stage = request.app.state.stage
        status["consumer"] = "off" if stage is None else ("ok" if stage.running else "starting")
        # Reported, not required: only searches need OpenSearch (see lifespan).
        status["opensearch"] = request.app.state.opensearch.status
        status["ok"] = status["database"] == "ok" and status["consumer"] in ("ok", "off")
        return JSONResponse(status, status_code=200 if status["ok"] else 503)

    return app
