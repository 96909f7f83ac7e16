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
from tests.support import ROOT, consume, headers_of

pytestmark = pytest.mark.integration
TOKEN = {"authorization": "Bearer s3cret"}
SOURCE = {"kind": "list", "start_urls": ["http://fixture.test/news/"], "region": "山西省"}


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
    for method, path, body in (
        ("POST", "/v1/crawls", {"source": "demo"}),
        ("POST", "/v1/replay", {"topic": "pages.raw"}),
        ("GET", "/v1/admin/sources", None),
        ("PUT", "/v1/admin/sources/x", SOURCE),
        ("DELETE", "/v1/admin/sources/x", None),
    ):
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 401, (method, path)
        assert response.headers["content-type"] == "application/problem+json"
        # RFC 9110: a 401 says which scheme it wants; a token given and wrong is invalid_token
        challenge = response.headers["www-authenticate"]
        assert challenge.startswith('Bearer realm="medwire admin"')
        assert ('error="invalid_token"' in challenge) == headers.get(
            "authorization", ""
        ).startswith("Bearer ")


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


async def test_a_source_of_sources_yaml_is_keyed_by_its_domain(
    fresh_database: str, kafka: str, topic_prefix: str
) -> None:
    sources = str(ROOT / "tests/fixtures/site/sources.yaml")
    async for client in serve(
        MEDWIRE_DATABASE_URL=fresh_database,
        kafka_bootstrap=kafka,
        topic_prefix=topic_prefix,
        MEDWIRE_ADMIN_TOKEN="s3cret",
        MEDWIRE_SOURCES=sources,
    ):
        response = await client.post("/v1/crawls", json={"source": "demo-feed"}, headers=TOKEN)
        assert response.status_code == 202, response.text
        assert response.json()["key"] == "127.0.0.1"
        unknown = await client.post("/v1/crawls", json={"source": "nope"}, headers=TOKEN)
        assert unknown.status_code == 422 and "demo-feed" in unknown.json()["detail"]
    [record] = await consume(kafka, f"{topic_prefix}crawl.requests", lambda rs: len(rs) >= 1)
    assert record.key == b"127.0.0.1"


@pytest.mark.parametrize(
    "order, why",
    [
        ({"url": "http://169.254.169.254/latest/meta-data/"}, "internal address"),
        ({"url": "http://10.0.0.1/"}, "internal address"),
        # IPv6 forms of internal addresses (NAT64, 6to4, IPv4-compatible): 127.0.0.0/8 being
        # allow-listed does not admit the deprecated IPv6 form that carries it.
        ({"url": "http://[64:ff9b::a9fe:a9fe]/"}, "internal address"),
        ({"url": "http://[2002:a9fe:a9fe::]/"}, "internal address"),
        ({"url": "http://[::127.0.0.1]/"}, "internal address"),
        ({"url": "gopher://example.com/"}, "only http"),
        ({"url": "http://x.invalid/"}, "does not resolve"),
        ({"url": "http://127.0.0.1/", "source": "demo"}, "either"),
        ({}, "either"),
        ({"url": "http://127.0.0.1/", "priority": 1}, "priority"),  # not silently ignored
        ({"url": "http://[::1/"}, "Invalid IPv6 URL"),  # urlsplit's ValueError was a 500
        ({"url": f"http://{'a' * 64}.example/"}, "label"),  # so was IDNA's, on a long label
    ],
)
async def test_bad_crawl_requests_are_refused(
    client: httpx.AsyncClient, order: dict[str, str], why: str
) -> None:
    response = await client.post("/v1/crawls", json=order, headers=TOKEN)
    assert response.status_code == 422
    assert why in response.json()["detail"]


async def test_sources_are_added_listed_replaced_and_removed(client: httpx.AsyncClient) -> None:
    created = await client.put("/v1/admin/sources/fixture-news", json=SOURCE, headers=TOKEN)
    assert created.status_code == 201, created.text
    assert created.json()["definition"] == {
        **SOURCE, "name": "fixture-news", "article_pattern": None, "follow_pattern": None,
        "language": "zh", "verified": True, "recrawl_s": None,
    }  # fmt: skip
    changed = {**SOURCE, "name": "fixture-news", "kind": "rss", "enabled": False}
    replaced = await client.put("/v1/admin/sources/fixture-news", json=changed, headers=TOKEN)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["definition"]["kind"] == "rss" and not replaced.json()["enabled"]
    assert replaced.json()["created_at"] == created.json()["created_at"]
    await client.put("/v1/admin/sources/another", json=SOURCE, headers=TOKEN)
    listed = (await client.get("/v1/admin/sources", headers=TOKEN)).json()
    assert [s["definition"]["name"] for s in listed] == ["another", "fixture-news"]
    one = await client.get("/v1/admin/sources/fixture-news", headers=TOKEN)
    assert one.json() == replaced.json()
    assert (await client.delete("/v1/admin/sources/fixture-news", headers=TOKEN)).status_code == 204
    for method in ("GET", "DELETE"):
        gone = await client.request(method, "/v1/admin/sources/fixture-news", headers=TOKEN)
        assert gone.status_code == 404
        assert gone.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "name, body, why",
    [
        ("meta", {**SOURCE, "start_urls": ["http://169.254.169.254/"]}, "internal address"),
        ("nat64", {**SOURCE, "start_urls": ["http://[64:ff9b::a9fe:a9fe]/"]}, "internal address"),
        ("ftp", {**SOURCE, "start_urls": ["ftp://fixture.test/"]}, "http(s)"),
        ("regex", {**SOURCE, "article_pattern": "(unclosed"}, "regular expression"),
        ("kind", {**SOURCE, "kind": "podcast"}, "kind"),
        ("named", {**SOURCE, "name": "other"}, "the path"),
        ("extra", {**SOURCE, "cookies": "x"}, "cookies"),
        ("bad name!", SOURCE, "name"),
    ],
)
async def test_bad_sources_are_refused(
    client: httpx.AsyncClient, name: str, body: dict[str, object], why: str
) -> None:
    response = await client.put(f"/v1/admin/sources/{name}", json=body, headers=TOKEN)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert why in response.text
    assert (await client.get("/v1/admin/sources", headers=TOKEN)).json() == []


@pytest.mark.parametrize(
    "method, path, body, where",
    [
        ("POST", "/v1/crawls", {"source": "de\x00mo"}, "source: U+0000"),
        ("POST", "/v1/crawls", {"url": "http://127.0.0.1/\x00"}, "url: U+0000"),
        ("POST", "/v1/crawls", {"url": "http://127.0.0.1/\r\nHost: x"}, "url: U+000D"),
        ("PUT", "/v1/admin/sources/x", {**SOURCE, "region": "山西\x00"}, "region: U+0000"),
        ("PUT", "/v1/admin/sources/x", {**SOURCE, "article_pattern": "a\x00"}, "U+0000"),
        ("PUT", "/v1/admin/sources/x", {**SOURCE, "language": "zh\x1b"}, "U+001B"),
        (
            "PUT",
            "/v1/admin/sources/x",
            {**SOURCE, "start_urls": ["http://127.0.0.1/\x85"]},
            "start_urls.0: U+0085",
        ),
        ("PUT", "/v1/admin/sources/x", {**SOURCE, "\x00": 1}, "U+0000"),
    ],
)
async def test_control_characters_in_admin_input_are_refused(
    client: httpx.AsyncClient, method: str, path: str, body: dict[str, object], where: str
) -> None:
    response = await client.request(method, path, json=body, headers=TOKEN)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "control characters are not allowed" in response.json()["detail"]
    assert where in response.json()["detail"]
    assert (await client.get("/v1/admin/sources", headers=TOKEN)).json() == []


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"^(\w+\s?)*$", r"(a|ab)*c", r"(x|x)+y", r"(a*)\1"])
async def test_a_pattern_that_can_backtrack_catastrophically_is_refused(
    client: httpx.AsyncClient, pattern: str
) -> None:
    for field in ("article_pattern", "follow_pattern"):
        body = {**SOURCE, field: pattern}
        response = await client.put("/v1/admin/sources/x", json=body, headers=TOKEN)
        assert response.status_code == 422, response.text
        assert "exponential time" in response.json()["detail"], response.text
    assert (await client.get("/v1/admin/sources", headers=TOKEN)).json() == []


@pytest.mark.parametrize(
    "pattern", [r"/news/\d+\.html$", r"/(?:content|article)/\d{8}/", r"(?>\d+\.)+", r"(\d++/)+"]
)
async def test_a_pattern_that_cannot_backtrack_catastrophically_is_kept(
    client: httpx.AsyncClient, pattern: str
) -> None:
    body = {**SOURCE, "article_pattern": pattern}
    response = await client.put("/v1/admin/sources/x", json=body, headers=TOKEN)
    assert response.status_code == 201, response.text
    assert response.json()["definition"]["article_pattern"] == pattern


async def test_a_managed_source_is_crawled_with_its_definition(
    client: httpx.AsyncClient, kafka: str, topic_prefix: str
) -> None:
    await client.put("/v1/admin/sources/fixture-news", json=SOURCE, headers=TOKEN)
    response = await client.post("/v1/crawls", json={"source": "fixture-news"}, headers=TOKEN)
    assert response.status_code == 202, response.text
    [record] = await consume(kafka, f"{topic_prefix}crawl.requests", lambda rs: len(rs) >= 1)
    assert record.key == b"fixture.test"
    request = CrawlRequest.model_validate_json(record.value)
    assert request.source == "fixture-news" and request.definition is not None
    assert request.definition.start_urls == SOURCE["start_urls"]
    off = {**SOURCE, "enabled": False}
    await client.put("/v1/admin/sources/fixture-news", json=off, headers=TOKEN)
    refused = await client.post("/v1/crawls", json={"source": "fixture-news"}, headers=TOKEN)
    assert refused.status_code == 409 and "switched off" in refused.json()["detail"]


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
