"""The chaos site is what the suite's count relies on: every page is a distinct article that the
cleaner reads as exactly one article, whose id is the one the suite expects from the page's URL
(a page cleaned into none or two would read as a loss or a duplicate caused by no fault)."""

from __future__ import annotations

from datetime import UTC, datetime

from medwire_cleaner.core import clean
from medwire_common.ids import page_id
from medwire_common.schemas import RawPage, Source
from tests.chaos.site import article_html, article_path, expected_article_ids, page_number

BASE = "http://127.0.0.1:8766"
PAGES = 3000


def cleaned(i: int) -> list:
    url = BASE + article_path(i)
    raw = RawPage(
        page_id=page_id(url),
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body_b64=RawPage.encode_body(article_html(i)),
        fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
        source=Source(name="chaos-site", domain="127.0.0.1"),
    )
    return clean(raw)


def test_each_page_cleans_to_the_one_article_the_suite_expects() -> None:
    expected = expected_article_ids(BASE, PAGES)
    sample = range(0, PAGES, 97)  # every template, city and date shape, not 3,000 cleans
    articles = [cleaned(i) for i in sample]
    wrong = [i for i, a in zip(sample, articles, strict=True) if len(a) != 1]
    assert not wrong, f"pages that do not clean to one article: {wrong}"
    assert [expected.get(a[0].article_id) for a in articles] == [
        BASE + article_path(i) for i in sample
    ]
    assert all(a[0].published_at is not None and not a[0].flags for a in articles)
    assert len({a[0].content_hash for a in articles}) == len(articles)


def test_pages_are_distinct_and_their_paths_read_back() -> None:
    assert len({article_html(i) for i in range(PAGES)}) == PAGES
    assert len(expected_article_ids(BASE, PAGES)) == PAGES
    assert all(page_number(article_path(i)) == i for i in range(PAGES))
    assert page_number("/news/2025/0101/00001.html") is None  # page 1 is dated 01-02
    assert page_number("/robots.txt") is None
