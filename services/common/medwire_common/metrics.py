"""Prometheus metrics every stage exports, and a small HTTP server for `/metrics` and `/healthz`
(the API serves both from FastAPI instead)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import uvicorn
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, make_asgi_app

from .reasons import RETRIED_OPERATIONS, dead_letter_reasons

log = logging.getLogger(__name__)
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class StageMetrics:
    """Counters and histograms of one consume → process → produce stage, named
    `medwire_<service>_…`. Its failure counters start at 0 for every reason (see `reasons`)."""

    def __init__(self, service: str, registry: CollectorRegistry = REGISTRY) -> None:
        p = f"medwire_{service}"
        self.service = service
        self.reasons = dead_letter_reasons(service)
        self.consumed = Counter(
            f"{p}_records_consumed",
            "Records consumed from the input topic",
            ["topic"],
            registry=registry,
        )
        self.produced = Counter(
            f"{p}_records_produced",
            "Records produced to output topics",
            ["topic"],
            registry=registry,
        )
        self.failed = Counter(
            f"{p}_records_failed",
            "Records that failed and went to the DLQ",
            ["topic", "reason"],
            registry=registry,
        )
        self.retries = Counter(
            f"{p}_transient_retries",
            "Batches retried after a transient error",
            ["operation"],
            registry=registry,
        )
        self.processing = Histogram(
            f"{p}_processing_seconds",
            "Time to process one record",
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.lag = Gauge(
            f"{p}_consumer_lag_records",
            "Records behind the partition's high watermark",
            ["topic", "partition"],
            registry=registry,
            # Several processes of a service (the API's workers) share its partitions: the
            # latest reading of a partition is its lag, whichever process read it.
            multiprocess_mode="mostrecent",
        )
        self.lag_seconds = Gauge(
            f"{p}_consumer_lag_seconds",
            "Age of the oldest record of the partition not yet done (0 when caught up)",
            ["topic", "partition"],
            registry=registry,
            multiprocess_mode="mostrecent",
        )
        for operation in RETRIED_OPERATIONS:
            self.retries.labels(operation)

    def expect_input(self, topic: str) -> None:
        """Export the counters of records consumed from `topic` and of each reason they can be
        dead-lettered for, at 0, before the first record: an alert sees the first failure as an
        increase."""
        self.consumed.labels(topic)
        for reason in self.reasons:
            self.failed.labels(topic, reason)

    def dead_letter(self, topic: str, reason: str) -> None:
        """Count one record of `topic` sent to its DLQ for `reason`."""
        if reason not in self.reasons:
            log.error(
                "%s: dead-letter reason %r is not among its reasons (%s), so it was not exported "
                "at 0 and an alert may miss its first dead letter: add it to "
                "medwire_common.reasons.DEAD_LETTER_REASONS",
                self.service,
                reason,
                ", ".join(sorted(self.reasons)),
            )
        self.failed.labels(topic, reason).inc()


HealthCheck = Callable[[], Awaitable[dict[str, Any]]]


def metrics_app(health: HealthCheck) -> Callable[..., Awaitable[None]]:
    """A bare ASGI app: `/metrics` for Prometheus, `/healthz` as JSON (503 when unhealthy)."""
    prometheus = make_asgi_app()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/healthz":
            status = await health()
            code = 200 if status.get("ok") else 503
            body = json.dumps(status, default=str).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": code,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
        elif scope["type"] == "http" and scope["path"] == "/metrics":
            await prometheus(scope, receive, send)
        elif scope["type"] == "http":
            await send(
                {
                    "type": "http.response.start",
                    "status": 404,
                    "headers": [(b"content-type", b"text/plain")],
                }
            )
            await send(
                {"type": "http.response.body", "body": b"not found: try /metrics or /healthz"}
            )
        elif scope["type"] == "lifespan":
            while (await receive())["type"] != "lifespan.shutdown":
                await send({"type": "lifespan.startup.complete"})
            await send({"type": "lifespan.shutdown.complete"})

    return app


def start_http_server(
    host: str, port: int, health: HealthCheck
) -> tuple[uvicorn.Server, asyncio.Task[None]]:
    config = uvicorn.Config(
        metrics_app(health), host=host, port=port, log_config=None, access_log=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    return server, asyncio.create_task(server.serve())
