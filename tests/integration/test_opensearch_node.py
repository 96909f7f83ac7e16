"""The OpenSearch node scripts/test assembles from Maven Central jars and starts, and the API's
report of it: /healthz and medwire_opensearch_up follow the node going away and coming back,
and the API stays healthy meanwhile (search is still served from PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import httpx
import pytest

from medwire_api.app import create_app
from medwire_api.settings import ApiSettings
from tests.support import TcpProxy, wait_for

pytestmark = pytest.mark.integration


async def test_node_is_the_pinned_version_with_the_cjk_bigram_analysis(opensearch: str) -> None:
    async with httpx.AsyncClient(base_url=opensearch, timeout=10) as client:
        root = (await client.get("/")).json()
        assert root["version"]["number"] == "2.19.6"
        health = (await client.get("/_cluster/health")).json()
        assert health["number_of_nodes"] == 1 and health["status"] in ("green", "yellow")
        # cjk_width and cjk_bigram come from the analysis-common module setup assembles.
        analyzed = await client.post(
            "/_analyze",
            json={
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "cjk_bigram"],
                "text": "恒瑞医药ＡＢＣ签约",
            },
        )
        assert analyzed.status_code == 200, analyzed.text
        tokens = [t["token"] for t in analyzed.json()["tokens"]]
        assert tokens == ["恒瑞", "瑞医", "医药", "abc", "签约"]


def gauge(text: str) -> float:
    for line in text.splitlines():
        if line.startswith("medwire_opensearch_up "):
            return float(line.split()[1])
    raise AssertionError(f"medwire_opensearch_up is not in /metrics:\n{text}")


@pytest.fixture
async def api_through_proxy(
    fresh_database: str, opensearch: str
) -> AsyncIterator[tuple[httpx.AsyncClient, TcpProxy]]:
    node = urlsplit(opensearch)
    proxy = TcpProxy(node.hostname or "127.0.0.1", node.port or 9200).open()
    settings = ApiSettings(
        MEDWIRE_DATABASE_URL=fresh_database,
        MEDWIRE_API_CONSUME=False,
        opensearch_url=f"http://127.0.0.1:{proxy.port}",
        opensearch_probe_s=0.2,
    )
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as c:
                yield c, proxy
    finally:
        proxy.cut()


async def test_api_reports_opensearch_away_and_back_and_stays_healthy(api_through_proxy) -> None:  # type: ignore[no-untyped-def]
    client, proxy = api_through_proxy

    async def opensearch_status() -> str:
        return (await client.get("/healthz")).json()["opensearch"]

    async def reported(status: str) -> bool:
        return await opensearch_status() == status

    async def reported_error() -> bool:
        return (await opensearch_status()).startswith("error: ")

    assert await wait_for(lambda: reported("ok"), timeout=20)
    assert gauge((await client.get("/metrics")).text) == 1

    proxy.cut()
    assert await wait_for(reported_error, timeout=20), await opensearch_status()
    health = await client.get("/healthz")
    assert health.status_code == 200 and health.json()["ok"] is True, health.json()
    assert gauge((await client.get("/metrics")).text) == 0

    proxy.open()
    assert await wait_for(lambda: reported("ok"), timeout=20)
    assert gauge((await client.get("/metrics")).text) == 1
