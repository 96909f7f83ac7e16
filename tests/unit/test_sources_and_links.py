import pytest

from medwire_crawler.core.links import classify_links, feed_links
from medwire_crawler.core.sources import SourcesError, load_sources, parse_sources
from tests.support import ROOT


def test_sources_expand_environment_and_defaults() -> None:
    text = (
        "sources:\n  - name: a\n    kind: rss\n    start_urls: ['${SITE:-http://d.test}/rss.xml']\n"
    )
    assert parse_sources(text, {})["a"].start_urls == ["http://d.test/rss.xml"]
    assert parse_sources(text, {"SITE": "http://e.test"})["a"].domain == "e.test"


def test_the_shipped_sources_are_valid_and_say_they_are_unchecked() -> None:
    sources = load_sources(ROOT / "sources.yaml")
    assert len(sources) >= 15
    assert {s.kind for s in sources.values()} >= {"list", "epaper"}
    # Nothing could be fetched from the development machine: none may claim to be checked.
    assert not [s.name for s in sources.values() if s.verified]
    assert len({s.domain for s in sources.values()}) >= 15
    demo = load_sources(ROOT / "tests/fixtures/site/sources.yaml")
    assert all(s.domain == "127.0.0.1" for s in demo.values())


@pytest.mark.parametrize(
    "text, message",
    [
        ("sources:\n  - name: a\n    kind: blog\n    start_urls: ['http://x']\n", "sources.0.kind"),
        ("sources:\n  - name: a\n    kind: rss\n    start_urls: ['ftp://x']\n", r"not http\(s\)"),
        (
            "sources:\n  - name: a\n    kind: rss\n    start_urls: ['http://x']\n    article_pattern: '('\n",
            "article_pattern",
        ),
        (
            "sources:\n  - {name: a, kind: rss, start_urls: ['http://x']}\n  - {name: a, kind: rss, start_urls: ['http://y']}\n",
            "appears twice",
        ),
        ("sources: [", "not valid YAML"),
    ],
)
def test_invalid_sources_are_refused_with_the_place_of_the_error(text: str, message: str) -> None:
    with pytest.raises(SourcesError, match=message):
        parse_sources(text, {})


def test_list_page_links_split_into_articles_and_pagination() -> None:
    articles, follow = classify_links(
        "http://x.test/epaper/index.html",
        [
            "2025-08/01/node_01.html",
            "index_2.html",
            "#top",
            "/about.html",
            "2025-08/01/node_01.html#a",
        ],
        r"/epaper/\d{4}-\d{2}/\d{2}/node_\d+\.html$",
        r"/epaper/index(?:_\d+)?\.html$",
    )
    assert articles == ["http://x.test/epaper/2025-08/01/node_01.html"]
    assert follow == ["http://x.test/epaper/index_2.html"]


def test_feed_links_read_rss_and_atom() -> None:
    rss = b"<rss><channel><link>http://x/</link><item><link>http://x/a.html</link></item></channel></rss>"
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><entry><link href="http://x/b.html"/></entry></feed>'
    assert feed_links(rss) == ["http://x/a.html"]
    assert feed_links(atom) == ["http://x/b.html"]


def test_a_crawl_request_carrying_its_source_needs_no_sources_yaml() -> None:
    from medwire_common.schemas import CrawlRequest, SourceConfig
    from medwire_crawler.worker import resolve

    managed = SourceConfig(name="managed", kind="rss", start_urls=["https://example.com/feed"])
    source, url = resolve(CrawlRequest(source="managed", definition=managed), {})
    assert source == managed and url is None
