"""A crawl request of a bare URL becomes a crawl of a source named after the URL's host, whatever
the host's shape; a URL no crawl can be made of is that request's `invalid_request`."""

from types import SimpleNamespace

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st

from medwire_common.schemas import CrawlRequest
from medwire_common.sources import Source
from medwire_common.stage import RecordError, TransientError
from medwire_crawler.core.names import NAME_MAX, source_name_for_host
from medwire_crawler.worker import crawl_handler, resolve


@pytest.mark.parametrize(
    "url, name",
    [
        ("http://[64:ff9b::a9fe:a9fe]/", "64-ff9b--a9fe-a9fe"),  # the request of issue #18
        ("http://[2002:a9fe:a9fe::]/x.html", "2002-a9fe-a9fe--"),
        ("http://[::127.0.0.1]:8080/", "--127.0.0.1"),
        ("http://[fe80::1%25eth0]/", "fe80--1-25eth0"),  # a zone id
        ("https://News.Example.COM.:8443/a?b=c", "news.example.com"),  # case, trailing dot, port
        ("http://中国医药.cn/1.html", "中国医药.cn"),  # an IDN host stays readable
        ("http://xn--fiqs8s.cn/", "xn--fiqs8s.cn"),
        ("http://user:pw@example.com/", "example.com"),
        ("http://127.0.0.1:8765/news/1.html", "127.0.0.1"),
    ],
)
def test_an_adhoc_request_gets_a_valid_source_named_after_its_host(url: str, name: str) -> None:
    source, only_url = resolve(CrawlRequest(url=url), {})
    assert (source.name, only_url, source.start_urls) == (name, url, [url])


def test_a_host_too_long_for_a_name_is_cut_with_a_digest_that_tells_hosts_apart() -> None:
    first, second = ("a" * 120 + ".example.com", "a" * 120 + ".example.org")
    names = [source_name_for_host(first), source_name_for_host(second)]
    assert all(len(n) == NAME_MAX for n in names) and names[0] != names[1]
    for name in names:
        Source(name=name, kind="list", start_urls=["http://x.test/"])  # valid


@given(st.text(max_size=300))
def test_any_host_gives_a_name_the_source_schema_accepts(host: str) -> None:
    Source(name=source_name_for_host(host), kind="list", start_urls=["http://x.test/"])


def test_a_request_of_the_host_of_a_configured_source_crawls_that_source() -> None:
    known = Source(name="portal", kind="sitemap", start_urls=["http://example.com/sitemap.xml"])
    source, _ = resolve(CrawlRequest(url="http://example.com/1.html"), {"portal": known})
    assert source is known


@pytest.mark.parametrize(
    "url, says",
    [
        # (An unsplittable URL such as http://[::1/ is refused by the record schema itself:
        # it never reaches resolve() — see test_record_schemas / test_fuzz_records.)
        ("http://example.com/" + "a" * 2100, "2,000 characters"),  # over the schema's bound
    ],
)
def test_a_url_no_crawl_can_be_made_of_is_an_invalid_request(url: str, says: str) -> None:
    with pytest.raises(RecordError) as refused:
        resolve(CrawlRequest(url=url), {})
    assert refused.value.reason == "invalid_request"
    assert says in str(refused.value) and url[:40] in str(refused.value)


class _Runner:
    """A stand-in for Scrapy's runner whose crawl raises `error` (no Kafka, no database)."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def create_crawler(self, spidercls: object) -> object:
        raise self.error


def _record(value: bytes | None) -> SimpleNamespace:
    return SimpleNamespace(value=value, offset=7, key=b"example.com")


async def test_any_exception_while_crawling_a_request_is_that_requests_dead_letter() -> None:
    handle = crawl_handler(_Runner(KeyError("boom")), {})  # type: ignore[arg-type]
    good = CrawlRequest(url="http://example.com/1.html").model_dump_json().encode()
    results = await handle([_record(None), _record(b"\xff"), _record(good)])  # type: ignore[list-item]
    assert [r.failure.reason for r in results if r.failure] == [
        "invalid_record",
        "invalid_record",
        "unexpected_error",
    ]
    assert "KeyError: 'boom'" in str(results[2].failure)


async def test_a_transient_error_while_crawling_is_retried_not_dead_lettered() -> None:
    handle = crawl_handler(_Runner(TransientError("broker away")), {})  # type: ignore[arg-type]
    good = CrawlRequest(url="http://example.com/1.html").model_dump_json().encode()
    with pytest.raises(TransientError):
        await handle([_record(good)])  # type: ignore[list-item]


@pytest.mark.parametrize(
    "error",
    [
        asyncpg.exceptions.AdminShutdownError("the database system is shutting down"),
        asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"),
    ],
)
async def test_the_page_store_restarting_during_a_crawl_is_retried_not_dead_lettered(
    error: Exception,
) -> None:
    handle = crawl_handler(_Runner(error), {})  # type: ignore[arg-type]
    good = CrawlRequest(url="http://example.com/1.html").model_dump_json().encode()
    with pytest.raises(TransientError, match="page store unavailable"):
        await handle([_record(good)])  # type: ignore[list-item]


async def test_a_page_store_error_about_the_statement_is_the_requests_dead_letter() -> None:
    error = asyncpg.exceptions.UniqueViolationError("duplicate key")
    handle = crawl_handler(_Runner(error), {})  # type: ignore[arg-type]
    good = CrawlRequest(url="http://example.com/1.html").model_dump_json().encode()
    [result] = await handle([_record(good)])  # type: ignore[list-item]
    assert result.failure is not None and result.failure.reason == "unexpected_error"
