"""What an HTML page says about itself — date and time, original source, bylines, captions,
title candidates — read in one pass before the page's chrome is pruned away."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from lxml.html import HtmlElement

from .dates import date_from_url, parse_date, parse_time
from .dom import cjk_count, metas, text_of, tokens

DATE_METAS = (
    "article:published_time",
    "og:published_time",
    "pubdate",
    "publishdate",
    "publish_date",
    "publishtime",
    "dc.date",
    "dc.date.issued",
    "date",
    "created",
)
_DATE_LINE = re.compile(r"(?:发布时间|发布日期|发表时间|时间|日期)\s*[:：]\s*(\S+)")
_ORIGIN = re.compile(r"(?:来源|稿源|转载自)\s*[:：]\s*([^\s|｜:：]{2,20})")
_BYLINE_WORDS = re.compile(r"^[■●◆▲\s]+|(?:本报)?(?:记者|通讯员|作者|文/|文|摄影|编辑)[:：\s]*")
_LABELLED_AUTHORS = re.compile(
    r"(?:作者|记者|撰稿|文/)\s*[:：]?\s*((?:[\u4e00-\u9fff]{2,3}(?:[\s、,，]+|$)){1,4})"
)
_NOT_NAMES = frozenset("字号 来源 发布 时间 分享 编辑 责任 通讯员 浏览 阅读 本报 记者".split())
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|-{1,2}|—{1,2}|–)\s*")
INFO_TOKENS = frozenset(
    {"date", "time", "info", "meta", "masthead", "pubtime", "publish", "source"}
)
BYLINE_TOKENS = frozenset({"author", "byline"})
CAPTION_TOKENS = frozenset({"caption", "pictext"})
TITLE_TOKENS, NOT_TITLE_TOKENS = (
    frozenset({"title", "headline", "tit"}),
    frozenset({"subtitle", "sub"}),
)


@dataclass
class PageFacts:
    published_at: date | None = None
    published_time: str | None = None
    origin: str | None = None
    authors: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    head_title: str = ""
    og_title: str | None = None
    site_name: str = ""


def names_in(raw: str) -> list[str]:
    parts = re.split(r"[\s、,，()（）]+", raw)
    return [n for n in parts if 2 <= len(n) <= 4 and cjk_count(n) == len(n) and n not in _NOT_NAMES]


def byline_names(text: str) -> list[str]:
    return names_in(_BYLINE_WORDS.sub(" ", text))


def title_candidates(doc: HtmlElement) -> list[str]:
    found = [text_of(h) for h in doc.iter("h1")]
    for el in doc.iter("div", "h2", "p", "span", "td"):
        t = tokens(el)
        if t & TITLE_TOKENS and not t & NOT_TITLE_TOKENS:
            found.append(text_of(el))
    return [t for t in found if 4 <= len(t) <= 120]


def read_page_facts(doc: HtmlElement, url: str) -> PageFacts:
    meta = metas(doc)
    info: list[str] = [meta[k] for k in DATE_METAS if k in meta]
    facts = PageFacts(
        head_title=text_of(doc.find(".//title")),
        og_title=meta.get("og:title"),
        site_name=meta.get("og:site_name", ""),
        titles=title_candidates(doc),
    )
    for el in doc.iter():
        tag = el.tag
        if not isinstance(tag, str):
            continue
        if tag == "time":
            info.append(el.get("datetime") or el.get("title") or text_of(el))
        elif tag == "figcaption":
            facts.captions.append(text_of(el))
        t = tokens(el)
        if not t:
            continue
        if t & BYLINE_TOKENS:
            facts.authors.extend(byline_names(text_of(el)))
        elif t & INFO_TOKENS:
            text = text_of(el)
            if len(text) < 200:
                info += [el.get("title") or "", text]
                for m in _LABELLED_AUTHORS.finditer(text):
                    facts.authors.extend(names_in(m.group(1)))
        if t & CAPTION_TOKENS:
            facts.captions.append(text_of(el))
    facts.published_at = (
        next((d for d in map(parse_date, info) if d), None)
        or _dated_line(doc)
        or date_from_url(url)
    )
    facts.published_time = next((x for x in map(parse_time, info) if x), None)
    facts.origin = next((m.group(1) for x in info for m in [_ORIGIN.search(x)] if m), None)
    facts.authors = list(dict.fromkeys(facts.authors))
    facts.captions = [c for c in dict.fromkeys(facts.captions) if c]
    return facts


def _dated_line(doc: HtmlElement) -> date | None:
    """A `发布时间:2025-06-16` line anywhere near the top of the page."""
    body = doc.find("body")
    for m in _DATE_LINE.finditer(text_of(body)[:8000] if body is not None else ""):
        found = parse_date(m.group(1))
        if found:
            return found
    return None


def clean_title(title: str, site_names: tuple[str, ...] = ()) -> str:
    """Drop site-name suffixes (`…_资讯_齐鲁生活网`, `… - 微博`) and Weibo's `#话题#【title】`."""
    title = re.sub(r"\s+", " ", title).strip()
    bracketed = re.match(r"^(?:#[^#]{1,40}#\s*)?【([^】]{4,120})】", title)
    if bracketed:
        return bracketed.group(1).strip()
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1 and len(parts[0]) >= 6:
        return parts[0]
    for name in site_names:
        if name and title.endswith(name) and len(title) > len(name) + 4:
            return title[: -len(name)].rstrip(" _-|")
    return title


def page_title(surviving: list[str], facts: PageFacts) -> str:
    """The article's heading: an <h1> or title-classed element that survived pruning (or any, if
    none did), preferring the one the <title> starts with (the site name is often an <h1> too)."""
    candidates = surviving or facts.titles
    for c in candidates:
        if facts.head_title.startswith(c) or facts.og_title == c:
            return c
    if candidates:
        return candidates[0]
    return clean_title(facts.og_title or facts.head_title, (facts.site_name,))


def authors_in(el: HtmlElement) -> list[str]:
    """Byline names inside one element (an e-paper `<article>`)."""
    names = [
        n
        for node in el.iter()
        if isinstance(node.tag, str) and tokens(node) & BYLINE_TOKENS
        for n in byline_names(text_of(node))
    ]
    return list(dict.fromkeys(names))
