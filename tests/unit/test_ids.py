from urllib.parse import urlsplit

from medwire_common.ids import article_id, canonical_url, page_id


def test_canonical_url_drops_fragment_tracking_and_default_port() -> None:
    url = "HTTP://Example.COM:80/a/b.html?utm_source=x&b=2&a=1#top"
    assert canonical_url(url) == "http://example.com/a/b.html?a=1&b=2"


def test_page_id_is_the_same_for_equivalent_urls() -> None:
    assert page_id("http://example.com/a?utm_medium=y") == page_id("http://EXAMPLE.com/a#x")
    assert page_id("http://example.com/a") != page_id("http://example.com/b")


def test_article_id_depends_on_position_on_the_page() -> None:
    url = "http://example.com/epaper/node_01.html"
    assert article_id(url, 0) == article_id(url, 0)
    assert article_id(url, 0) != article_id(url, 1)


def test_canonical_url_keeps_an_ipv6_host_a_url() -> None:
    """`http://[::1]:8080/` is not `http://::1:8080/`, which no client can read back."""
    assert canonical_url("http://[::1]:8080/a") == "http://[::1]:8080/a"
    assert canonical_url("http://[FE80::1]/a") == "http://[fe80::1]/a"
    assert urlsplit(canonical_url("http://[2001:db8::1]:81/")).port == 81
