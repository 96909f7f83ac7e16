"""The cleaner's pure core on the fixture site's pages, read from disk (no network)."""

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from medwire_cleaner.core import MAX_PAGE_BYTES, PageTooLarge, clean
from medwire_cleaner.core.dates import date_from_url, parse_date
from medwire_cleaner.core.decode import decode_page
from medwire_cleaner.core.page_facts import clean_title
from medwire_common.schemas import RawPage

SITE = Path(__file__).parents[1] / "fixtures" / "site"
EXPECTED = json.loads((SITE / "expected.json").read_text(encoding="utf-8"))


def raw_page(
    path: str, body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200
) -> RawPage:
    url = f"http://fixture.test{path}"
    return RawPage.of(url, body, content_type, datetime(2026, 1, 1, tzinfo=UTC), status=status)


def site_page(path: str) -> RawPage:
    ctype = "text/html" if path.endswith("zhuce.html") else "text/html; charset=utf-8"
    return raw_page(path, (SITE / "www" / path.lstrip("/")).read_bytes(), ctype)


@pytest.mark.parametrize("path", sorted({e["path"] for e in EXPECTED}))
def test_finds_every_article_of_each_fixture_page_with_title_and_date(path: str) -> None:
    articles = clean(site_page(path))
    want = [(e["position"], e["title"], e["published_at"]) for e in EXPECTED if e["path"] == path]
    got = [
        (a.position, a.title, a.published_at.isoformat() if a.published_at else None)
        for a in articles
    ]
    assert got == sorted(want)
    assert all(len(a.text) > 100 for a in articles)


def test_splits_epaper_page_and_keeps_masthead_and_colophon_out_of_bodies() -> None:
    articles = clean(site_page("/epaper/2025-08/01/node_01.html"))
    assert len(articles) == 3
    assert "晋中开发区医疗器械产业园" in articles[0].text
    for a in articles:
        assert "广告经营许可证号" not in a.text and "邮发代号" not in a.text


def test_decodes_gbk_page_declared_only_in_meta() -> None:
    (article,) = clean(site_page("/news/2025/0710/zhuce.html"))
    assert "山西省药品监督管理局" in article.text
    assert "encoding_repaired" not in article.flags


def test_repairs_gbk_bytes_served_as_utf8() -> None:
    body = (
        "<html><body><h1>药监局召开推进会</h1><p>"
        + "医疗器械注册人制度试点工作推进会在太原召开。" * 10
        + "</p></body></html>"
    )
    decoded = decode_page(body.encode("gbk"), "text/html; charset=utf-8", is_html=True)
    assert "医疗器械注册人制度" in decoded.text
    assert decoded.repaired


def test_error_pages_yield_no_article() -> None:
    assert clean(raw_page("/x.html", b"<h1>404</h1>", status=404)) == []


def test_refuses_oversized_page() -> None:
    with pytest.raises(PageTooLarge):
        clean(raw_page("/big.html", b"<p>" + b"a" * (MAX_PAGE_BYTES + 1) + b"</p>"))


def test_parses_chinese_and_iso_dates() -> None:
    assert parse_date("2025年8月1日 星期五") == date(2025, 8, 1)
    assert parse_date("发布时间:2025-06-16 09:12") == date(2025, 6, 16)
    assert parse_date("2023-6-2 10:20") == date(2023, 6, 2)
    assert parse_date("农历乙巳年 闰六月初八") is None
    assert date_from_url("http://x.cn/news/2025/0616/a.html") == date(2025, 6, 16)
    assert date_from_url("http://x.cn/epaper/2024-06/14/node_01.html") == date(2024, 6, 14)


def test_title_loses_site_suffix_and_weibo_wrapping() -> None:
    assert (
        clean_title("山东济南:老字号与外贸优品同台展销_资讯_齐鲁生活网")
        == "山东济南:老字号与外贸优品同台展销"
    )
    assert (
        clean_title("#新型工业化强市建设# 【市医药产业链:强化重点项目推进】医药及…")
        == "市医药产业链:强化重点项目推进"
    )


def test_cleaning_is_deterministic_across_calls() -> None:
    page = site_page("/news/2025/0710/zhuce.html")
    assert clean(page) == clean(page) != []


def test_short_and_continued_articles_are_flagged() -> None:
    short = (
        b"<html><body><h1>\xe7\x9f\xad\xe8\xae\xaf\xe6\xa0\x87\xe9\xa2\x98</h1><p>"
        + "药监局召开会议。".encode()
        + b"</p></body></html>"
    )
    (article,) = clean(raw_page("/2025/0101/s.html", short))
    assert "low_text" in article.flags
    text = (
        "大同市三部门下发通知\n\n"
        + "各级各部门要推动落实军地互提需求、互办实事“双清单”机制。" * 5
        + "\n\n(下转 05 版)\n"
    )
    (continued,) = clean(raw_page("/2025/0801/t.txt", text.encode(), "text/plain; charset=utf-8"))
    assert "truncated" in continued.flags and "下转" not in continued.text
