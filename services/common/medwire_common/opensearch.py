"""Whether OpenSearch answers: a probe that asks the cluster's health every few seconds and keeps
the answer for `/healthz` and the `medwire_opensearch_up` gauge (shared by the API and the
indexer, so both report it the same way)."""

from __future__ import annotations

import asyncio
import logging

import httpx
from prometheus_client import REGISTRY, CollectorRegistry, Gauge

log = logging.getLogger(__name__)

_gauges: dict[int, Gauge] = {}


def opensearch_up_gauge(registry: CollectorRegistry = REGISTRY) -> Gauge:
    """`medwire_opensearch_up`, registered once per registry (a process may build several apps)."""
    if id(registry) not in _gauges:
        _gauges[id(registry)] = Gauge(
            "medwire_opensearch_up",
            "1 when OpenSearch answered its last health check with yellow or green, else 0",
            registry=registry,
            # The API's workers each probe; the latest answer is the node's state.
            multiprocess_mode="mostrecent",
        )
    return _gauges[id(registry)]


class OpenSearchProbe:
    """Asks `GET /_cluster/health` of `url` every `interval_s` seconds (each ask bounded by
    `timeout_s`). `status` is "ok" (yellow or green), "off" (no URL configured), or what went
    wrong ("error: ConnectError", "status red", …); the gauge is 1 only when "ok"."""

    def __init__(self, url: str, interval_s: float, gauge: Gauge, timeout_s: float = 2.0) -> None:
        self.url = url.rstrip("/")
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.gauge = gauge
        self.status = "off" if not url else "unknown"
        gauge.set(0)

    async def check(self, client: httpx.AsyncClient) -> str:
        """Ask once; record and return the status."""
        try:
            response = await client.get(f"{self.url}/_cluster/health")
            health = response.json().get("status") if response.status_code == 200 else None
            if health in ("green", "yellow"):
                status = "ok"
            elif health is not None:
                status = f"status {health}"
            else:
                status = f"error: HTTP {response.status_code}"
        except (httpx.HTTPError, ValueError) as exc:
            status = f"error: {type(exc).__name__}"
        if status != self.status:
            (log.info if status == "ok" else log.warning)(
                "opensearch at %s: %s (was %s)", self.url, status, self.status
            )
        self.status = status
        self.gauge.set(1 if status == "ok" else 0)
        return status

    async def run(self, stop: asyncio.Event) -> None:
        """Probe until `stop` is set (returns at once when no URL is configured)."""
        if not self.url:
            return
        async with httpx.AsyncClient(timeout=self.timeout_s) as client:
            while not stop.is_set():
                await self.check(client)
                try:
                    await asyncio.wait_for(stop.wait(), self.interval_s)
                except TimeoutError:
                    pass
