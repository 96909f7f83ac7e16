"""A crawl request of a bare URL becomes a crawl of a source named after the URL's host, whatever
the host's shape; a URL no crawl can be made of is that request's `invalid_request`."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medwire_common.schemas import CrawlRequest
from medwire_common.sources import Source
from medwire_common.stage import RecordError
from medwire_crawler.core.names import NAME_MAX, source_name_for_host
from medwire_crawler.worker import resolve


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
        ("http://[::1/", "Invalid IPv6 URL"),  # urlsplit refuses it
        ("http://example.com/" + "a" * 2100, "2,000 characters"),  # over the schema's bound
    ],
)
def test_a_url_no_crawl_can_be_made_of_is_an_invalid_request(url: str, says: str) -> None:
    with pytest.raises(RecordError) as refused:
        resolve(CrawlRequest(url=url), {})
    assert refused.value.reason == "invalid_request"
    assert says in str(refused.value) and url[:40] in str(refused.value)
