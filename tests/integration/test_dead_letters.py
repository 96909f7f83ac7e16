"""A malformed record on each stage's input topic lands in `<topic>.dlq` with its reason, and
the stage goes on consuming: the valid record sent after it is processed. Real Kafka, real
PostgreSQL, each service as a real process."""

from __future__ import annotations

import json
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import pytest

from medwire_cleaner.core import clean
from medwire_common.reasons import DEAD_LETTER_REASONS
from medwire_common.schemas import CleanArticle, CrawlRequest, RawPage
from medwire_extractor.core import extract
from tests.support import (
    ServiceProcess,
    consume,
    crawler_env,
    free_port,
    headers_of,
    produce,
    service_env,
    wait_for,
)

pytestmark = pytest.mark.integration
SITE = Path(__file__).parents[1] / "fixtures" / "site"
MALFORMED = b'{"schema_version": 1, "this is": "not the record the stage expects"'


def fixture_raw_page() -> RawPage:
    path = "/news/2025/0710/zhuce.html"
    url = f"http://fixture.test{path}"
    return RawPage.of(
        url, (SITE / "www" / path.lstrip("/")).read_bytes(), "text/html", datetime.now(UTC)
    )


def fixture_clean_article() -> CleanArticle:
    return clean(fixture_raw_page())[0]


async def assert_dead_lettered(kafka: str, dlq: str, stage: str) -> None:
    records = await consume(kafka, dlq, lambda rs: len(rs) >= 1, timeout=60)
    assert len(records) == 1, f"expected the malformed record in {dlq}"
    headers = headers_of(records[0])
    assert records[0].value == MALFORMED
    assert headers["medwire-error-reason"] == "invalid_record"
    assert headers["medwire-stage"] == stage
    assert "validation error" in headers["medwire-error-detail"]


@pytest.mark.parametrize(
    "stage, in_topic, out_topic, valid",
    [
        (
            "cleaner",
            "pages.raw",
            "articles.clean",
            lambda: fixture_raw_page().model_dump_json().encode(),
        ),
        (
            "extractor",
            "articles.clean",
            "articles.enriched",
            lambda: fixture_clean_article().model_dump_json().encode(),
        ),
    ],
)
async def test_transform_stage_dead_letters_malformed_record_and_goes_on(
    kafka: str, topic_prefix: str, log_dir: Path, stage: str, in_topic: str, out_topic: str, valid
) -> None:
    port = free_port()
    env = service_env(kafka, topic_prefix, **{f"MEDWIRE_{stage.upper()}_PORT": str(port)})
    service = ServiceProcess(stage, port, env).start(log_dir)
    try:
        fresh = service.metrics_text()  # every reason at 0 before the first record
        for reason in DEAD_LETTER_REASONS[stage]:
            assert (
                f'medwire_{stage}_records_failed_total{{reason="{reason}",topic="{topic_prefix}{in_topic}"}} 0.0'
                in fresh
            ), reason
        await produce(kafka, topic_prefix + in_topic, [(b"bad", MALFORMED), (b"good", valid())])
        await assert_dead_lettered(kafka, topic_prefix + in_topic + ".dlq", stage)
        outputs = await consume(
            kafka, topic_prefix + out_topic, lambda rs: len(rs) >= 1, timeout=60
        )
        assert len(outputs) == 1, service.log_tail()
        assert "医疗器械注册人制度" in json.loads(outputs[0].value)["text"]
        text = service.metrics_text()
        assert (
            f'medwire_{stage}_records_failed_total{{reason="invalid_record",topic="{topic_prefix}{in_topic}"}} 1.0'
            in text
        )
    finally:
        service.stop()


async def test_api_dead_letters_malformed_record_and_stores_the_next(
    kafka: str, topic_prefix: str, fresh_database: str, log_dir: Path
) -> None:
    port = free_port()
    env = service_env(
        kafka, topic_prefix, MEDWIRE_API_PORT=str(port), MEDWIRE_DATABASE_URL=fresh_database
    )
    service = ServiceProcess("api", port, env).start(log_dir)
    try:
        enriched = extract(fixture_clean_article())
        await produce(
            kafka,
            topic_prefix + "articles.enriched",
            [
                (b"bad", MALFORMED),
                (enriched.article_id.encode(), enriched.model_dump_json().encode()),
            ],
        )
        await assert_dead_lettered(kafka, topic_prefix + "articles.enriched.dlq", "api")

        def stored() -> dict | None:
            try:
                with urllib.request.urlopen(
                    f"{service.url}/v1/articles/{enriched.article_id}"
                ) as r:
                    return json.loads(r.read())
            except OSError:
                return None

        article = await wait_for(stored, timeout=60)
        assert article and article["title"] == enriched.title, service.log_tail()
    finally:
        service.stop()


def start_crawler(
    kafka: str, prefix: str, site: str, log_dir: Path, **extra: str
) -> ServiceProcess:
    """The crawler service on the demo sources of the fixture site."""
    port = free_port()
    env = crawler_env(
        kafka,
        prefix,
        MEDWIRE_CRAWLER_PORT=str(port),
        MEDWIRE_DEMO_SITE=site,
        MEDWIRE_SOURCES=str(SITE / "sources.yaml"),
        **extra,
    )
    return ServiceProcess("crawler", port, env).start(log_dir)


async def test_crawler_dead_letters_malformed_and_unknown_requests_and_goes_on(
    kafka: str, topic_prefix: str, fixture_site: str, log_dir: Path
) -> None:
    service = start_crawler(kafka, topic_prefix, fixture_site, log_dir)
    try:
        unknown = CrawlRequest(source="no-such-source").model_dump_json().encode()
        good = CrawlRequest(source="demo-portal").model_dump_json().encode()
        await produce(
            kafka,
            topic_prefix + "crawl.requests",
            [(b"127.0.0.1", MALFORMED), (b"127.0.0.1", unknown), (b"127.0.0.1", good)],
        )
        dlq = await consume(
            kafka, topic_prefix + "crawl.requests.dlq", lambda rs: len(rs) >= 3, timeout=90
        )
        # (the page's dead letter is sent during the crawl, the batch's records after it)
        failed = {headers_of(r)["medwire-error-reason"]: r for r in dlq}
        assert sorted(failed) == ["fetch_failed", "invalid_record", "unknown_source"], (
            service.log_tail()
        )
        unknown_detail = headers_of(failed["unknown_source"])["medwire-error-detail"]
        assert "no source named 'no-such-source'" in unknown_detail
        broken = CrawlRequest.model_validate_json(failed["fetch_failed"].value).url or ""
        assert broken.endswith("/news/2025/0602/broken.html")  # the sitemap's page answering 500
        # demo-portal's sitemap: 003, the redirected GBK page and the 404 (robots.txt keeps
        # /private/ out; the 500 is a dead letter)
        pages = await consume(
            kafka, topic_prefix + "pages.raw", lambda rs: len(rs) >= 3, timeout=90
        )
        urls = {
            json.loads(p.value)["final_url"].split("127.0.0.1", 1)[1].split("/", 1)[1]
            for p in pages
        }
        assert len(pages) == 3, service.log_tail()
        assert not any(u.startswith("private/") for u in urls)
        statuses = sorted(json.loads(p.value)["status"] for p in pages)
        assert statuses == [200, 200, 404]
    finally:
        service.stop()


async def test_crawler_dead_letters_requests_it_cannot_crawl_and_goes_on(
    kafka: str, topic_prefix: str, fixture_site: str, log_dir: Path
) -> None:
    """An IPv6-literal URL once killed the crawler on every restart (its source's name failed
    validation outside any handler): every request it cannot crawl is now its own dead letter."""
    service = start_crawler(kafka, topic_prefix, fixture_site, log_dir)
    ipv6 = CrawlRequest(url="http://[64:ff9b::a9fe:a9fe]/").model_dump_json().encode()
    # Not a URL: the record schema itself refuses it (built by hand, as a foreign producer would).
    bad_url = (
        CrawlRequest(url="http://x.test/")
        .model_dump_json()
        .replace("http://x.test/", "http://[::1/")
        .encode()
    )
    good = f"{fixture_site}/news/2025/0710/zhuce.html"
    try:
        await produce(
            kafka,
            topic_prefix + "crawl.requests",
            [
                (b"64:ff9b::a9fe:a9fe", ipv6),
                (b"127.0.0.1", bad_url),
                (b"127.0.0.1", b"\x00\xff garbage"),
                (b"127.0.0.1", CrawlRequest(url=good).model_dump_json().encode()),
            ],
        )
        pages = await consume(kafka, topic_prefix + "pages.raw", lambda rs: len(rs) >= 1)
        assert [json.loads(p.value)["url"] for p in pages] == [good], service.log_tail()
        dlq = await consume(
            kafka, topic_prefix + "crawl.requests.dlq", lambda rs: len(rs) >= 3, timeout=60
        )
        reasons = {r.value: headers_of(r)["medwire-error-reason"] for r in dlq}
        assert reasons.pop(bad_url) == "invalid_record"
        assert reasons.pop(b"\x00\xff garbage") == "invalid_record"
        # The IPv6 page itself: refused as an internal address (NAT64 of 169.254.169.254),
        # dead-lettered as a crawl request of that URL.
        [(value, reason)] = reasons.items()
        assert CrawlRequest.model_validate_json(value).url == "http://[64:ff9b::a9fe:a9fe]/"
        assert reason == "refused_target"
        assert service.proc and service.proc.poll() is None, service.log_tail()
    finally:
        service.stop()


async def test_a_page_still_answering_500_after_retries_is_dead_lettered_not_published(
    kafka: str, topic_prefix: str, log_dir: Path
) -> None:
    from server import serve  # tests/fixtures/site/server.py

    httpd, base = serve()
    broken = f"{base}/news/2025/0602/broken.html"  # always answers 500
    service = start_crawler(kafka, topic_prefix, base, log_dir, MEDWIRE_CRAWLER_RETRY_TIMES="2")
    try:
        small = f"{base}/news/2025/0710/zhuce.html"
        await produce(
            kafka,
            topic_prefix + "crawl.requests",
            [
                (b"127.0.0.1", CrawlRequest(url=u).model_dump_json().encode())
                for u in (broken, small)
            ],
        )
        [failed] = await consume(
            kafka, topic_prefix + "crawl.requests.dlq", lambda rs: len(rs) >= 1, timeout=60
        )
        assert CrawlRequest.model_validate_json(failed.value).url == broken
        headers = headers_of(failed)
        assert headers["medwire-error-reason"] == "fetch_failed", service.log_tail()
        assert broken in headers["medwire-error-detail"]
        assert "HTTP 500" in headers["medwire-error-detail"]
        assert httpd.served.count("/news/2025/0602/broken.html") == 3  # asked, then 2 retries
        pages = await consume(
            kafka, topic_prefix + "pages.raw", lambda rs: any(small.encode() in r.value for r in rs)
        )
        assert [json.loads(p.value)["url"] for p in pages] == [small]  # and never the 500
        # counted under the configured source of the site (the fixture's demo-portal)
        assert (
            'medwire_crawler_fetch_failures_total{reason="fetch_failed",source="demo-portal"} 1.0'
            in service.metrics_text()
        )
    finally:
        service.stop()
        httpd.shutdown()


async def test_pages_the_crawler_cannot_fetch_are_dead_lettered_as_crawl_requests(
    kafka: str, topic_prefix: str, fixture_site: str, log_dir: Path
) -> None:
    service = start_crawler(
        kafka,
        topic_prefix,
        fixture_site,
        log_dir,
        MEDWIRE_CRAWLER_MAX_PAGE_BYTES="3000",  # the article below is 6.5 kB
        MEDWIRE_CRAWLER_RETRY_TIMES="1",
    )
    big = f"{fixture_site}/news/2025/0616/20250616A01.html"
    unreachable = "http://127.0.0.1:9/news/2025/0101/1.html"  # discard port: refused
    small = f"{fixture_site}/news/2025/0710/zhuce.html"
    try:
        await produce(
            kafka,
            topic_prefix + "crawl.requests",
            [
                (b"127.0.0.1", CrawlRequest(url=url).model_dump_json().encode())
                for url in (big, unreachable, small)
            ],
        )
        dlq = await consume(
            kafka, topic_prefix + "crawl.requests.dlq", lambda rs: len(rs) >= 2, timeout=90
        )
        failed = {CrawlRequest.model_validate_json(r.value).url: headers_of(r) for r in dlq}
        assert set(failed) == {big, unreachable}, service.log_tail()
        assert failed[big]["medwire-error-reason"] == "oversized_page"
        assert "3000" in failed[big]["medwire-error-detail"]
        assert failed[unreachable]["medwire-error-reason"] == "fetch_failed"
        assert all(r.key == b"127.0.0.1" for r in dlq)
        pages = await consume(kafka, topic_prefix + "pages.raw", lambda rs: len(rs) >= 1)
        assert [json.loads(p.value)["url"] for p in pages] == [small]
        counted = [
            line
            for line in service.metrics_text().splitlines()
            if line.startswith("medwire_crawler_fetch_failures_total{")
        ]
        assert any('reason="oversized_page"' in line for line in counted), counted
        # Dead letters of crawl.requests, which the dead-letter alert reads.
        text = service.metrics_text()
        for reason in ("oversized_page", "fetch_failed"):
            assert (
                f'medwire_crawler_records_failed_total{{reason="{reason}",topic="{topic_prefix}crawl.requests"}} 1.0'
                in text
            ), reason
    finally:
        service.stop()
