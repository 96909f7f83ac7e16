"""HTML page → articles: e-paper pages with several `<article>` blocks are split; any other page
goes through trafilatura, with Chinese portals' metadata conventions read first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import lxml.html
import trafilatura
from lxml.html import HtmlElement

from .dates import date_from_url, parse_date

_DATE_METAS = (
    "article:published_time",
    "og:published_time",
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "dc.date",
    "dc.date.issued",
    "date",
)
_TITLE_SUFFIX = re.compile(r"\s*(?:[-_|—–]|\s-\s)\s*[^-_|—–]{1,20}$")
_BYLINE_NOISE = re.compile(r"^[■●◆\s]+|^(?:本报)?(?:记者|通讯员|作者|文/|文)[:：\s]*")
_BRACKETS_AROUND = re.compile(r"^[(（]+|[)）]+$")
_DATE_LINE = re.compile(r"(?:发布时间|发布日期|时间|日期)[:：]\s*(\S+)")


@dataclass
class HtmlArticle:
    title: str
    text: str
    published_at: date | None
    authors: list[str] = field(default_factory=list)
    subtitle: str | None = None


def _text(el: HtmlElement | None) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip() if el is not None else ""


def _meta(doc: HtmlElement, *names: str) -> str | None:
    for name in names:
        for el in doc.xpath(
            f'//meta[@name or @property][translate(@name,"ABCDEFGHIJKLMNOPQRSTUVWXYZ","abcdefghijklmnopqrstuvwxyz")="{name}" or translate(@property,"ABCDEFGHIJKLMNOPQRSTUVWXYZ","abcdefghijklmnopqrstuvwxyz")="{name}"]'
        ):
            content = (el.get("content") or "").strip()
            if content:
                return content
    return None


def page_date(doc: HtmlElement, url: str) -> date | None:
    """The page's own date: meta tags, `<time>`, a '发布时间:' line, the masthead, the URL."""
    found = parse_date(_meta(doc, *_DATE_METAS))
    if found:
        return found
    for el in doc.xpath("//time[@datetime]"):
        found = parse_date(el.get("datetime"))
        if found:
            return found
    for el in doc.xpath(
        '//*[contains(@class,"date") or contains(@class,"time") or contains(@class,"masthead")]'
    ):
        found = parse_date(_text(el))
        if found:
            return found
    for m in _DATE_LINE.finditer(_text(doc.find("body"))[:5000]):
        found = parse_date(m.group(1))
        if found:
            return found
    return date_from_url(url)


def clean_title(title: str, site_names: tuple[str, ...] = ()) -> str:
    """Drop a site-name suffix (`… - 微博`, `…_大众网`) and Weibo's `#话题#【title】` wrapping."""
    title = re.sub(r"\s+", " ", title).strip()
    bracketed = re.match(r"^(?:#[^#]{1,40}#\s*)?【([^】]{4,120})】", title)
    if bracketed:
        return bracketed.group(1).strip()
    for name in site_names:
        if name and title.endswith(name) and len(title) > len(name) + 2:
            return _TITLE_SUFFIX.sub("", title).strip()
    stripped = _TITLE_SUFFIX.sub("", title).strip()
    return stripped if len(stripped) >= 4 else title


def _authors(el: HtmlElement) -> list[str]:
    names: list[str] = []
    for node in el.xpath('.//*[contains(@class,"author") or contains(@class,"byline")]'):
        raw = _BRACKETS_AROUND.sub("", _BYLINE_NOISE.sub("", _text(node)).strip())
        names.extend(n for n in re.split(r"[\s、,，]+", raw) if 2 <= len(n) <= 4)
    return list(dict.fromkeys(names))


def _article_block(el: HtmlElement, default_date: date | None) -> HtmlArticle | None:
    heading = el.find(".//h1") if el.find(".//h1") is not None else el.find(".//h2")
    if heading is None:
        heading = el.find(".//h3")
    title = _text(heading)
    sub = el.xpath('.//*[contains(@class,"subtitle") or self::h4]')
    paragraphs = [
        _text(p)
        for p in el.xpath(
            ".//p[not(ancestor::figure) and not(contains(@class,'author')) and not(contains(@class,'byline')) and not(contains(@class,'caption'))]"
        )
    ]
    body = "\n".join(p for p in paragraphs if p)
    if not title or not body:
        return None
    own_date = None
    for t in el.xpath(".//time[@datetime]"):
        own_date = parse_date(t.get("datetime")) or own_date
    return HtmlArticle(
        title=title,
        text=body,
        published_at=own_date or default_date,
        authors=_authors(el),
        subtitle=_text(sub[0]) if sub else None,
    )


def extract_html(html: str, url: str) -> list[HtmlArticle]:
    doc = lxml.html.document_fromstring(html)
    when = page_date(doc, url)
    blocks = doc.xpath("//article")
    if len(blocks) >= 2:
        articles = [a for a in (_article_block(b, when) for b in blocks) if a]
        if articles:
            return articles
    return [a for a in [_single_article(doc, html, url, when)] if a]


def _single_article(doc: HtmlElement, html: str, url: str, when: date | None) -> HtmlArticle | None:
    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False
    )
    # No deduplicate=True: trafilatura keeps that cache across calls, which would make clean()
    # drop a page it has seen before; duplicates are the extractor's dup_cluster job.
    text = (getattr(extracted, "text", None) or "").strip() if extracted else ""
    site = _meta(doc, "og:site_name") or ""
    h1 = _text(doc.find(".//h1"))
    raw_title = (
        h1
        or _meta(doc, "og:title")
        or _text(doc.find(".//title"))
        or (getattr(extracted, "title", None) or "")
    )
    if not text:
        return None
    title = clean_title(raw_title, (site,))
    # trafilatura repeats the headline as the first line of the body on some portals.
    if text.startswith(title):
        text = text[len(title) :].lstrip()
    published = when or parse_date(getattr(extracted, "date", None))
    authors = _authors(doc) or [
        a for a in re.split(r"[;；,，\s]+", getattr(extracted, "author", None) or "") if a
    ]
    return HtmlArticle(title=title, text=text, published_at=published, authors=authors)
