"""The FastAPI application: lifespan opens the database and the articles.enriched consumer."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import unquote_plus

from fastapi import FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from sqlalchemy import text

from medwire_common.metrics import LATENCY_BUCKETS, StageMetrics
from medwire_common.stage import Stage, with_backoff

from . import problems
from .core.ratelimit import RateLimiter
from .db import make_engine, migrate
from .ingest import IN_TOPIC, ingest_handler
from .routes import admin, articles, entities, feeds, managed_sources, stats
from .settings import ApiSettings

log = logging.getLogger(__name__)

HTTP_REQUESTS = Counter(
    "medwire_api_http_requests", "HTTP requests served", ["method", "route", "status"]
)
HTTP_LATENCY = Histogram(
    "medwire_api_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)
RATE_LIMITED = Counter("medwire_api_rate_limited", "Requests refused by the rate limit")
_stage_metrics: StageMetrics | None = None


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}


def stage_metrics() -> StageMetrics:
    global _stage_metrics  # metrics register once per process, whatever the number of apps
    if _stage_metrics is None:
        _stage_metrics = StageMetrics("api")
    return _stage_metrics


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings)
        app.state.engine = engine
        stop = asyncio.Event()
        await with_backoff("migrating the database", lambda: migrate(engine), settings, stop)
        consumer_task = None
        if settings.consume:
            stage = Stage(settings, "api", IN_TOPIC, [], ingest_handler(engine), stage_metrics())
            app.state.stage = stage
            consumer_task = asyncio.create_task(stage.run(stop))
        try:
            yield
        finally:
            stop.set()
            if consumer_task is not None:
                await consumer_task
            await engine.dispose()
            if app.state.producer is not None:
                await app.state.producer.stop()

    app = FastAPI(
        title="medwire",
        version="0.1.0",
        lifespan=lifespan,
        description="Structured intelligence from Chinese pharma and medical-device news.",
    )
    app.state.settings = settings
    app.state.stage = None
    app.state.producer = None  # started by the first admin request that needs it
    app.state.producer_lock = asyncio.Lock()
    problems.install(app)
    for module in (articles, entities, stats, feeds, admin, managed_sources):
        app.include_router(module.router)

    limiter = RateLimiter(settings.rate_limit / 60, settings.rate_burst)

    @app.middleware("http")
    async def measure_limit_and_cache(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        """Latency and count of every request; on /v1 a per-client rate limit, and ETag and
        Cache-Control on reads. (One middleware: each costs a task switch per request.)"""
        start = time.perf_counter()
        response = await _limited_and_cached(request, call_next)
        path = getattr(request.scope.get("route"), "path", "unmatched")
        HTTP_LATENCY.labels(request.method, path).observe(time.perf_counter() - start)
        HTTP_REQUESTS.labels(request.method, path, str(response.status_code)).inc()
        return response

    async def _limited_and_cached(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if not request.url.path.startswith("/v1/"):
            return await call_next(request)
        if "\x00" in request.scope["path"] or "\x00" in unquote_plus(request.url.query):
            # PostgreSQL text cannot hold NUL: refused here rather than failing in a query.
            return problems.problem(request, 400, "the request contains a NUL character")
        if settings.rate_limit > 0:
            wait = limiter.take(request.client.host if request.client else "?")
            if wait:
                RATE_LIMITED.inc()
                response = problems.problem(
                    request, 429, f"more than {settings.rate_limit} requests a minute"
                )
                response.headers["retry-after"] = str(math.ceil(wait))
                return response
        response = await call_next(request)
        if request.method != "GET" or response.status_code != 200:
            response.headers.setdefault("cache-control", "no-store")
            return response
        response.headers["cache-control"] = f"public, max-age={settings.cache_max_age}"
        if request.url.path.startswith("/v1/export/"):
            return response  # streamed: not buffered to hash
        body = b"".join([chunk async for chunk in response.body_iterator])  # type: ignore[attr-defined]
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        headers = {**response.headers, "etag": etag}
        if etag in _etags(request.headers.get("if-none-match", "")):
            headers.pop("content-length", None)
            return Response(status_code=304, headers=headers)
        return Response(body, status_code=200, headers=headers)

    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=[o.strip() for o in settings.cors_origins.split(",") if o.strip()],
            allow_methods=["GET", "POST"],
            allow_headers=["authorization", "content-type", "if-none-match"],
            expose_headers=["etag", "retry-after"],
            max_age=600,
        )

    @app.get("/metrics", tags=["ops"], include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

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
        status["ok"] = status["database"] == "ok" and status["consumer"] in ("ok", "off")
        return JSONResponse(status, status_code=200 if status["ok"] else 503)

    return app
