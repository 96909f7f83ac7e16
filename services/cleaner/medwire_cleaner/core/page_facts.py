"""What an HTML page says about itself — date and time, original source, bylines, captions,
title candidates — read in one pass before the page's chrome is pruned away."""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from lxml.etree import XPath
from lxml.html import HtmlElement

from medwire_common.schemas import EARLIEST_DAY, LATEST_DAY

from .bylines import Byline, is_name, labelled_byline, merged, read_byline, strip_location
from .dates import date_from_url, parse_date, parse_time
from .dom import metas, text_of, tokens
from .furniture import is_headline, origin_in, without_info_tail

# Meta tags that carry the publication time, most trusted first (`apub:time` is Toutiao's,
# `pubdate`/`publishdate` older CMSs', `datepublished` schema.org microdata).
DATE_METAS = (
    "article:published_time",
    "og:published_time",
    "og:release_date",
    "article:published",
    "apub:time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publishtime",
    "pubtime",
    "weibo:article:create_at",
    "weibo: article:create_at",
    "dc.date",
    "dc.date.issued",
    "date",
    "created",
)
_DATE_LINE = re.compile(
    r"(?:(?:发布时间|发布日期|发表时间|时间|日期)\s*[:：]|发表于|发布于)\s*(\S+)"
    r"|(?:来源|稿源)\s*[:：]\s*[^\s\d]{0,20}?\s*((?:19|20)\d{2}\s*[-/.年]\S+)"
)
# The publication time a page's own scripts hold (`"ptime":"2024-05-09 10:20:00"`, `newsTime`…).
_SCRIPT_DATE = re.compile(
    r"[\"']?(?:newsTime|publishTime|publish_time|pubTime|pubtime|ptime|pubDate|pub_date"
    r"|datePublished|publishDate|publish_date|releaseTime|createTime|create_time)[\"']?"
    r"\s*[:=]\s*[\"']([^\"']{8,32})[\"']"
)
SCRIPT_CHARS = 200_000  # only the page's first scripts: the article data comes early
# An author box without labels names its people in a few words; a longer one is a comment or a
# profile card, whose words are not the article's authors.
SHORT_BYLINE = 40
_BYLINE_MARKS = re.compile(r"^[■●◆▲\s]+")
# How far after the headline a bare date still belongs to it (the info line under the title).
NEAR_TITLE_CHARS = 160
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|-{1,2}|—{1,2}|–)\s*")
INFO_TOKENS = frozenset(
    {"date", "time", "info", "meta", "masthead", "pubtime", "publish", "source"}
)
# Chinese CMSs' names for the date box: pinyin initials of 发布时间/日期 and glued words.
DATE_TOKENS = frozenset({"fbsj", "fbrq", "sj", "rq", "pubdate", "ptime", "fabu"})
BYLINE_TOKENS = frozenset({"author", "byline"})
# Where readers' comments live (`tie` is NetEase's 跟贴): their authors did not write the article.
COMMENT_TOKENS = frozenset(
    {"comment", "comments", "reply", "replies", "tie", "gentie", "pinglun", "cmt", "discuss"}
)
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
    editors: list[str] = field(default_factory=list)
    captions: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    head_title: str = ""
    og_title: str | None = None
    ld_headline: str | None = None
    site_name: str = ""


def byline_of(text: str) -> Byline:
    """The names in a byline element (`class="author"`): `作者:张三 编辑:李四`, `张三 李四`, `■ 张三`."""
    short = len(text) <= SHORT_BYLINE
    text = strip_location(_BYLINE_MARKS.sub("", text))
    found = read_byline(text) or labelled_byline(text)
    if found.authors or found.editors or not short:
        return found
    return Byline(authors=[n for n in re.split(r"[\s、,，()（）]+", text) if is_name(n)])


def _title_elements(doc: HtmlElement) -> list[HtmlElement]:
    found = list(doc.iter("h1"))
    for el in doc.iter("div", "h2", "p", "span", "td"):
        t = tokens(el)
        if t & TITLE_TOKENS and not t & NOT_TITLE_TOKENS:
            found.append(el)
    return found


def title_candidates(doc: HtmlElement) -> list[str]:
    """Headline-like blocks (`<h1>`, `class="title"`), with an info line they enclose cut off and
    page furniture (breadcrumbs, `招聘热线:…`, `来源:…` lines, captions) left out."""
    return _headlines(_title_elements(doc))


def _headlines(elements: list[HtmlElement]) -> list[str]:
    found = [without_info_tail(text_of(el)) for el in elements]
    return [t for t in found if 4 <= len(t) <= 120 and is_headline(t)]


# schema.org's article keys, and the date of Baidu's `cambrian.jsonld` many Chinese sites print.
_LD_KEYS = frozenset({"headline", "datePublished", "pubDate"})


def json_ld(doc: HtmlElement) -> dict[str, Any]:
    """The article object of the page's JSON-LD (`NewsArticle`, `Article`, Baidu's), or {}."""
    for script in doc.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json":
            continue
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue  # broken JSON-LD is common and only means this signal is absent
        items = data if isinstance(data, list) else [data]
        items += [g for i in items if isinstance(i, dict) for g in i.get("@graph", [])]
        for item in items:
            if isinstance(item, dict) and _LD_KEYS & item.keys():
                return item
    return {}


def _ld_authors(item: dict[str, Any]) -> list[str]:
    authors = item.get("author") or []
    authors = authors if isinstance(authors, list) else [authors]
    names = [a.get("name") if isinstance(a, dict) else a for a in authors]
    return [n for n in names if isinstance(n, str) and is_name(n.strip())]


def _headline_element(elements: list[HtmlElement], facts: PageFacts) -> HtmlElement | None:
    """The title block the page's meta titles confirm, else the first that is no furniture (the
    site's logo is often an `<h1>` too, with the masthead's date line under it)."""
    said = [t for t in (facts.og_title, facts.ld_headline) if t]
    texts = [without_info_tail(text_of(el)) for el in elements]
    for el, text in zip(elements, texts, strict=True):
        if text and (text in said or len(text) >= 4 and facts.head_title.startswith(text)):
            return el
    return next((el for el, t in zip(elements, texts, strict=True) if is_headline(t)), None)


_NOT_DATE_BOX = re.compile(r"update|modif|timeline|times|picker|countdown")


def _in_comments(el: HtmlElement) -> bool:
    node: HtmlElement | None = el
    while node is not None:
        if tokens(node) & COMMENT_TOKENS:
            return True
        node = node.getparent()
    return False


def _is_date_token(token: str) -> bool:
    """`pubtime`, `newsdate`, `fbsj`…, but not `update`/`modified` (the last edit is not the
    publication), nor a timeline widget's or a date picker's."""
    return token in DATE_TOKENS or (
        ("time" in token or "date" in token) and _NOT_DATE_BOX.search(token) is None
    )


def _script_date(doc: HtmlElement) -> date | None:
    """The publication time in the page's own script data (portals render the date line from it)."""
    seen = 0
    for script in doc.iter("script"):
        text = script.text or ""
        seen += len(text)
        for m in _SCRIPT_DATE.finditer(text):
            found = parse_date(m.group(1) or m.group(2))
            if found:
                return found
        if seen > SCRIPT_CHARS:
            break
    return None


def read_page_facts(doc: HtmlElement, url: str) -> PageFacts:
    meta = metas(doc)
    ld = json_ld(doc)
    title_elements = _title_elements(doc)
    info: list[str] = [meta[k] for k in DATE_METAS if k in meta]
    info += [str(ld[k]) for k in ("datePublished", "pubDate") if ld.get(k)]
    headline = ld.get("headline")  # (Baidu's `title` is the <title>, site name and all)
    facts = PageFacts(
        head_title=text_of(doc.find(".//title")),
        # Chinese government sites name their article in `<meta name="ArticleTitle">` (the
        # national site standard), as other sites do in og:title
        og_title=meta.get("og:title") or meta.get("articletitle"),
        ld_headline=headline.strip() if isinstance(headline, str) else None,
        site_name=meta.get("og:site_name") or meta.get("sitename", ""),
        titles=_headlines(title_elements),
        authors=_ld_authors(ld),
    )
    bylines: list[Byline] = []
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
            if not _in_comments(el):
                bylines.append(byline_of(text_of(el)))
        elif t & INFO_TOKENS or any(_is_date_token(x) for x in t):
            text = text_of(el)
            if len(text) < 200:
                info += [el.get("title") or "", text]
                bylines.append(labelled_byline(text))
        if t & CAPTION_TOKENS:
            facts.captions.append(text_of(el))
    near = _text_under_title(_headline_element(title_elements, facts))
    facts.published_at = (
        next((d for d in map(parse_date, info) if d), None)
        or _script_date(doc)
        or parse_date(near)
        or _dated_line(doc)
        or date_from_url(url)
        or _htmldate(doc, url)
    )
    facts.published_time = next((x for x in map(parse_time, [*info, near]) if x), None)
    facts.origin = next((o for o in map(origin_in, info) if o), None)
    facts.origin = facts.origin or meta.get("contentsource")  # the same standard's source
    # (not `<meta name="author">`: Chinese CMSs such as TRS put the uploading editor there)
    found = merged(Byline(authors=facts.authors), *bylines)
    facts.authors, facts.editors = found.authors, found.editors
    facts.captions = [c for c in dict.fromkeys(facts.captions) if c]
    return facts


def _visible_text(root: HtmlElement) -> list[str]:
    return [
        str(t)
        for t in root.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")
        if str(t).strip()
    ]


# The first text nodes after an element, outside scripts (bounded: only the info line matters).
_FOLLOWING_TEXT = XPath(
    "following::text()[normalize-space()][not(ancestor::script)][not(ancestor::style)]"
    "[position() <= 12]"
)


def _text_under_title(heading: HtmlElement | None) -> str:
    """The text printed right after the page's headline block, where a plain `<span>2019-09-24
    09:10</span>` or `2019年06月10日` line gives the publication date without any label or class."""
    if heading is None:
        return ""
    block = re.sub(r"\s+", " ", " ".join(_visible_text(heading))).strip()
    # from the end of the headline itself: the info line may sit inside the title block
    after = block[len(without_info_tail(block)) :]
    following = " ".join(str(t) for t in _FOLLOWING_TEXT(heading))
    return re.sub(r"\s+", " ", f"{after} {following}").strip()[:NEAR_TITLE_CHARS]


def _htmldate(doc: HtmlElement, url: str) -> date | None:
    """Last resort: htmldate (trafilatura's date finder) reads the markup patterns of many CMSs
    (`class="published"`, `<abbr>`, comment dates…). It prunes the tree it is given, hence the
    copy; the latest day records allow is passed in so the result never depends on the clock."""
    from htmldate import find_date  # imported here: only pages without any other date need it

    found = find_date(
        copy.deepcopy(doc),
        url=url,
        original_date=True,
        extensive_search=False,
        min_date=datetime(EARLIEST_DAY.year, EARLIEST_DAY.month, EARLIEST_DAY.day),
        max_date=datetime(LATEST_DAY.year, LATEST_DAY.month, LATEST_DAY.day),
    )
    return parse_date(found)


def _dated_line(doc: HtmlElement) -> date | None:
    """A `发布时间:2025-06-16` line anywhere near the top of the page."""
    body = doc.find("body")
    for m in _DATE_LINE.finditer(text_of(body)[:8000] if body is not None else ""):
        found = parse_date(m.group(1) or m.group(2))
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
    """The article's heading, never a line of page furniture, in order of trust: a headline block
    `og:title` or the JSON-LD `headline` repeats, the JSON-LD headline, a block the `<title>` starts
    with, the first headline block that survived pruning (or any, if none did), the meta titles."""
    candidates = [c for c in surviving if is_headline(c)] or facts.titles
    said = [t for t in (facts.og_title, facts.ld_headline) if t]
    for c in candidates:
        if c in said:
            return c
    if facts.ld_headline and is_headline(facts.ld_headline):
        return facts.ld_headline
    for c in candidates:
        if facts.head_title.startswith(c):
            return c
    # a block printed three times or more, that no meta title repeats, heads widgets (tabs,
    # ranking boxes), not the article
    seen = Counter(candidates)
    candidates = [c for c in candidates if seen[c] < 3]
    if candidates:
        return candidates[0]
    title = clean_title(facts.og_title or facts.head_title, (facts.site_name,))
    return title if is_headline(title) else ""


def authors_in(el: HtmlElement) -> list[str]:
    """Byline names inside one element (an e-paper `<article>`)."""
    names = [
        n
        for node in el.iter()
        if isinstance(node.tag, str) and tokens(node) & BYLINE_TOKENS
        for n in byline_of(text_of(node)).authors
    ]
    return list(dict.fromkeys(names))
