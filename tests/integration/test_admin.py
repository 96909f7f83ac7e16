"""Admin routes on real Kafka: the token guards them; crawl requests land on crawl.requests
keyed by host, internal targets are refused; replay moves dead letters back onto their topic,
each once."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from aiokafka import AIOKafkaProducer

from medwire_api.app import create_app
from medwire_api.settings import ApiSettings
from medwire_common.schemas import CrawlRequest
from medwire_common.stage import ensure_topics
from tests.support import consume, headers_of

pytestmark = pytest.mark.integration
TOKEN = {"authorization": "Bearer s3cret"}


async def serve(**settings: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(ApiSettings(MEDWIRE_API_CONSUME=False, **settings))  # type: ignore[arg-type]
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield client


@pytest.fixture
async def client(
    fresh_database: str, kafka: str, topic_prefix: str
) -> AsyncIterator[httpx.AsyncClient]:
    async for client in serve(
        MEDWIRE_DATABASE_URL=fresh_database,
        kafka_bootstrap=kafka,
        topic_prefix=topic_prefix,
        MEDWIRE_ADMIN_TOKEN="s3cret",
        MEDWIRE_CRAWL_ALLOW="127.0.0.0/8, fixture.test",
    ):
        yield client


@pytest.mark.parametrize(
    "headers", [{}, {"authorization": "Bearer wrong"}, {"authorization": "s3cret"}]
)
async def test_admin_routes_need_the_token(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    for path, body in (("/v1/crawls", {"source": "demo"}), ("/v1/replay", {"topic": "pages.raw"})):
        response = await client.post(path, json=body, headers=headers)
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"


async def test_admin_routes_are_off_without_a_token(fresh_database: str) -> None:
    async for client in serve(MEDWIRE_DATABASE_URL=fresh_database):
        response = await client.post("/v1/crawls", json={"source": "demo"}, headers=TOKEN)
        assert response.status_code == 403 and "MEDWIRE_ADMIN_TOKEN" in response.json()["detail"]


async def test_crawl_requests_are_enqueued_keyed_by_host(
    client: httpx.AsyncClient, kafka: str, topic_prefix: str
) -> None:
    orders = [{"url": "http://127.0.0.1:8001/news/1.html"}, {"source": "demo"}]
    for order in orders:
        response = await client.post("/v1/crawls", json=order, headers=TOKEN)
        assert response.status_code == 202, response.text
    records = await consume(kafka, f"{topic_prefix}crawl.requests", lambda rs: len(rs) >= 2)
    by_key = {r.key.decode(): CrawlRequest.model_validate_json(r.value) for r in records}
    assert by_key["127.0.0.1"].url == "http://127.0.0.1:8001/news/1.html"
    assert by_key["source:demo"].source == "demo"


@pytest.mark.parametrize(
    "order, why",
    [
        ({"url": "http://169.254.169.254/latest/meta-data/"}, "internal address"),
        ({"url": "http://10.0.0.1/"}, "internal address"),
        ({"url": "gopher://example.com/"}, "only http"),
        ({"url": "http://x.invalid/"}, "does not resolve"),
        ({"url": "http://127.0.0.1/", "source": "demo"}, "either"),
        ({}, "either"),
    ],
)
async def test_bad_crawl_requests_are_refused(
    client: httpx.AsyncClient, order: dict[str, str], why: str
) -> None:
    response = await client.post("/v1/crawls", json=order, headers=TOKEN)
    assert response.status_code == 422
    assert why in response.json()["detail"]


async def test_replay_moves_dead_letters_back_once(
    client: httpx.AsyncClient, kafka: str, topic_prefix: str
) -> None:
    dlq, topic = f"{topic_prefix}articles.clean.dlq", f"{topic_prefix}articles.clean"
    await ensure_topics(ApiSettings(kafka_bootstrap=kafka), [dlq, topic])
    producer = AIOKafkaProducer(bootstrap_servers=kafka)
    await producer.start()
    try:
        for i in range(3):
            await producer.send_and_wait(
                dlq,
                f"record {i}".encode(),
                key=f"k{i}".encode(),
                headers=[("medwire-error-reason", b"invalid_record"), ("trace", b"t")],
            )
    finally:
        await producer.stop()
    first = await client.post("/v1/replay", json={"topic": "articles.clean"}, headers=TOKEN)
    assert first.status_code == 200, first.text
    assert first.json() == {"source": dlq, "target": topic, "replayed": 3}
    records = await consume(kafka, topic, lambda rs: len(rs) >= 3)
    assert sorted(r.value for r in records) == [b"record 0", b"record 1", b"record 2"]
    headers = headers_of(records[0])
    assert headers["medwire-replayed-from"] == dlq and headers["trace"] == "t"
    assert "medwire-error-reason" not in headers  # the failure's headers stay in the DLQ
    again = await client.post("/v1/replay", json={"topic": "articles.clean"}, headers=TOKEN)
    assert again.json()["replayed"] == 0
    bad = await client.post("/v1/replay", json={"topic": "articles.clean.dlq"}, headers=TOKEN)
    assert bad.status_code == 422
