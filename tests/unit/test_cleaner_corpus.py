"""Every page of the cleaner corpus (tests/fixtures/cleaner) against its expected articles:
titles, dates and flags exactly, body text at character-level F1 ≥ 0.97 per page, and none of the
page's known boilerplate left. Properties: any bytes in, no exception out; idempotent."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medwire_cleaner.core import clean
from medwire_common.schemas import RawPage

CORPUS = Path(__file__).parents[1] / "fixtures" / "cleaner"
ENTRIES = json.loads((CORPUS / "corpus.json").read_text(encoding="utf-8"))


def page(
    body: bytes, content_type: str, url: str = "http://corpus.test/2025/0101/a.html"
) -> RawPage:
    return RawPage.of(url, body, content_type, datetime(2026, 1, 1, tzinfo=UTC))


def char_f1(gold: str, got: str) -> float:
    g, p = Counter(re.sub(r"\s+", "", gold)), Counter(re.sub(r"\s+", "", got))
    common = sum((g & p).values())
    return 0.0 if not common else 2 * common / (sum(g.values()) + sum(p.values()))


@pytest.mark.parametrize("entry", ENTRIES, ids=[e["file"] for e in ENTRIES])
def test_corpus_page_gives_its_expected_articles(entry: dict) -> None:
    raw = page((CORPUS / "pages" / entry["file"]).read_bytes(), entry["content_type"], entry["url"])
    articles = clean(raw)
    want = entry["articles"]
    assert [a.title for a in articles] == [w["title"] for w in want]
    assert [a.published_at.isoformat() if a.published_at else None for a in articles] == [
        w["published_at"] for w in want
    ]
    for article, gold in zip(articles, want, strict=True):
        assert char_f1(gold["text"], article.text) >= 0.97, article.title
        assert set(gold["flags"]) <= set(article.flags), (article.title, article.flags)
        assert set(gold["authors"]) <= set(article.authors), (article.title, article.authors)
    output = "\n".join(a.title + "\n" + a.text for a in articles)
    assert [b for b in entry["boilerplate"] if b in output] == []


def test_traditional_page_keeps_its_original_text() -> None:
    entry = next(e for e in ENTRIES if "trad-0" in e["file"])
    (article,) = clean(page((CORPUS / "pages" / entry["file"]).read_bytes(), entry["content_type"]))
    assert article.title == "香港科技园举办生物科技创新转化对接会"
    assert article.original_title == "香港科技園舉辦生物科技創新轉化對接會"
    assert article.original_text and "對接會" in article.original_text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=st.binary(max_size=4096),
    ctype=st.sampled_from(
        [
            "text/html",
            "text/html; charset=utf-8",
            "text/html; charset=gbk",
            "text/html; charset=big5",
            "text/plain",
            "text/plain; charset=gb2312",
            "",
            "application/octet-stream",
            "text/html; charset=bogus",
        ]
    ),
)
def test_any_bytes_in_no_exception_out(body: bytes, ctype: str) -> None:
    for article in clean(page(body, ctype)):
        assert article.title and article.text


_html_text = st.text(
    alphabet=st.characters(codec="utf-8", categories=["Lo", "Ll", "Lu", "Nd", "Po", "Zs"]),
    max_size=300,
)


@settings(max_examples=200, deadline=None)
@given(title=_html_text, paragraphs=st.lists(_html_text, max_size=6))
def test_random_html_documents_never_crash(title: str, paragraphs: list[str]) -> None:
    import html

    body = (
        f"<html><head><title>{html.escape(title)}</title></head><body><h1>{html.escape(title)}</h1>"
        + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        + "</body></html>"
    )
    clean(page(body.encode(), "text/html; charset=utf-8"))


@pytest.mark.parametrize("entry", ENTRIES[::3], ids=[e["file"] for e in ENTRIES[::3]])
def test_cleaning_is_idempotent_on_its_own_output(entry: dict) -> None:
    raw = page((CORPUS / "pages" / entry["file"]).read_bytes(), entry["content_type"], entry["url"])
    for article in clean(raw):
        again = clean(page(as_html(article.title, article.text), "text/html; charset=utf-8"))
        assert [(a.title, a.text) for a in again] == [(article.title, article.text)]


def as_html(title: str, text: str) -> bytes:
    """The cleaner's output as the simplest page that holds exactly that article."""
    import html

    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n"))
    return f"<html><body><h1>{html.escape(title)}</h1>{paragraphs}</body></html>".encode()


def _first(file_part: str) -> list:
    entry = next(e for e in ENTRIES if file_part in e["file"])
    return clean(
        page((CORPUS / "pages" / entry["file"]).read_bytes(), entry["content_type"], entry["url"])
    )


def test_publication_time_origin_and_captions_are_kept_as_metadata() -> None:
    (gov,) = _first("gov-c1")
    assert (gov.published_time, gov.origin) == ("09:30", "国家药品监督管理局")
    (media,) = _first("media-c2")
    assert (media.published_time, media.origin) == ("10:30", "中国医药报")
    weibo = _first("weibo-004")[0]
    assert weibo.published_time == "10:20"
    assert weibo.captions == ["山东海天智能工程有限公司进行产品展示。最泰安全媒体记者 司刚 摄"]
    assert "司刚 摄" not in weibo.text
    magazine = _first("text-001")[1]
    assert magazine.captions == ["精准医学产业创新中心"] and "●" not in magazine.text
