import pytest

from medwire_common.sources import SourcesError, load_sources, parse_sources
from medwire_crawler.core.links import classify_links, feed_links
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
    links = classify_links(
        "http://x.test/epaper/index.html",
        [
            ("2025-08/01/node_01.html", "第一版"),
            ("index_2.html", "下一页"),
            ("#top", "顶部"),
            ("/about.html", "关于我们"),
            ("2025-08/01/node_01.html#a", "第一版"),
        ],
        r"/epaper/\d{4}-\d{2}/\d{2}/node_\d+\.html$",
        r"/epaper/index(?:_\d+)?\.html$",
    )
    assert links.articles == ["http://x.test/epaper/2025-08/01/node_01.html"]
    assert links.follow == ["http://x.test/epaper/index_2.html"]


def test_without_patterns_articles_are_told_by_url_shape_and_headline_text() -> None:
    anchors = [
        ("/xwzx/202507/t20250725_123456.html", "通知"),  # dated id: an article
        ("/news/2025/0616/20250616A01.html", "详情"),
        ("/art/a.html", "山西省药监局与晋中市签署医药创新转化合作协议"),  # a headline
        ("/about/index.html", "关于我们"),  # navigation
        ("/zwgk/", "政务公开公开目录导航栏目"),  # a directory, however long its text
        ("list_2.html", "2"),  # pagination by URL and by text
        ("/list.jsp?page=3", "下一页"),
        ("/files/notice.PDF", "关于印发医疗器械注册管理办法的通知"),  # a document
        ("/img/banner.jpg", "横幅图片横幅图片横幅图片"),  # a binary
        ("https://other.test/2025/07/25/1.html", "别的网站的一篇新闻报道标题很长"),  # off site
        ("http://sub.x.test/20250725/1.html", "子域名"),  # a subdomain is the site's
        ("mailto:a@x.test", "联系我们"),
    ]
    links = classify_links("http://x.test/news/index.html", anchors, None, None, "x.test")
    assert links.articles == [
        "http://x.test/xwzx/202507/t20250725_123456.html",
        "http://x.test/news/2025/0616/20250616A01.html",
        "http://x.test/art/a.html",
        "http://sub.x.test/20250725/1.html",
    ]
    assert links.follow == ["http://x.test/news/list_2.html", "http://x.test/list.jsp?page=3"]
    assert links.documents == ["http://x.test/files/notice.PDF"]


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


@pytest.mark.parametrize(
    "page, articles, follow",
    [
        ("index.html", ["2025-08/01/node_01.html"], ["index_2.html"]),
        ("index_2.html", ["2024-06/14/node_01.html"], ["index.html"]),
    ],
)
def test_an_epaper_edition_needs_no_patterns(
    page: str, articles: list[str], follow: list[str]
) -> None:
    """The fixture's e-paper editions, read by the generic rules alone: dated page links are the
    pages to fetch (the cleaner splits their articles), 下一页/上一页 the editions to follow."""
    import re

    from tests.support import ROOT

    html = (ROOT / "tests/fixtures/site/www/epaper" / page).read_text(encoding="utf-8")
    anchors = re.findall(r'<a href="([^"]*)">([^<]*)</a>', html)
    base = f"http://x.test/epaper/{page}"
    links = classify_links(base, anchors, None, None, "x.test")
    assert links.articles == [f"http://x.test/epaper/{a}" for a in articles]
    assert links.follow == [f"http://x.test/epaper/{f}" for f in follow]


async def test_retries_wait_longer_each_time() -> None:
    from scrapy import Request

    from medwire_crawler.middleware import RetryBackoff

    waited: list[float] = []

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    backoff = RetryBackoff(base_s=1.0, max_s=5.0, sleep=sleep)
    for retries in range(5):
        assert (
            await backoff.process_request(Request("http://x.test/", meta={"retry_times": retries}))
            is None
        )
    assert waited == [1.0, 2.0, 4.0, 5.0]  # the first try does not wait; capped at max_s
