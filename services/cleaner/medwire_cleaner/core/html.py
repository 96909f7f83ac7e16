"""HTML page → drafts. E-paper pages with several `<article>` blocks are split; otherwise the
block whose paragraphs hold the most Chinese text (links discounted) is the article, after the
page's chrome (navigation, share bars, comment boxes, footers…) is pruned. trafilatura is only
the fallback for pages where no such block exists."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date

import lxml.html
import trafilatura
from lxml.html import HtmlElement

from .dates import date_from_url, parse_date
from .draft import Draft
from .posts import looks_like_posts, split_posts

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
    "created",
)
_DATE_LINE = re.compile(r"(?:发布时间|发布日期|发表时间|时间|日期)\s*[:：]\s*(\S+)")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_JUNK_TAGS = (
    "script",
    "style",
    "noscript",
    "iframe",
    "form",
    "textarea",
    "select",
    "button",
    "svg",
    "canvas",
    "nav",
    "footer",
    "header",
    "aside",
    "figure",
    "template",
    "object",
    "embed",
)
_JUNK_TOKENS = frozenset(
    """nav navbar menu crumb crumbs breadcrumb position location footer ft hd copyright
share sharing bdshare related recommend comment comments reply sidebar side right hot rank ad ads advert
banner login qrcode qr follow print pages pager pagination disclaimer toolbar tags handle links logo top
topnav search subscribe info meta source views rt masthead colophon edition issue daodu guide
statement""".split()
)
_BLOCK_TAGS = frozenset(
    "p div h1 h2 h3 h4 h5 h6 li blockquote pre td section article table ul ol dd dt main".split()
)
_BYLINE_WORDS = re.compile(r"^[■●◆▲\s]+|(?:本报)?(?:记者|通讯员|作者|文/|文|摄影|编辑)[:：\s]*")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|-{1,2}|—{1,2}|–)\s*")


def _text(el: HtmlElement | None) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip() if el is not None else ""


def _cjk(text: str) -> int:
    return len(_CJK.findall(text))


_SPLIT_TOKENS = re.compile(r"[\s_\-]+")
_NO_TOKENS: frozenset[str] = frozenset()


def _tokens(el: HtmlElement) -> frozenset[str]:
    """Lower-case words of an element's class and id (`news_info` → {news, info})."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return _NO_TOKENS
    return frozenset(_SPLIT_TOKENS.split(f"{cls or ''} {ident or ''}".lower())) - {""}


def _meta(doc: HtmlElement, *names: str) -> str | None:
    wanted = set(names)
    for el in doc.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or "").lower()
        content = (el.get("content") or "").strip()
        if key in wanted and content:
            return str(content)
    return None


def page_date(doc: HtmlElement, url: str) -> date | None:
    """The page's own date: meta tags, `<time>`, an info line (`发布时间:`), the masthead, the URL."""
    found = parse_date(_meta(doc, *_DATE_METAS))
    if found:
        return found
    for el in doc.iter("time"):
        found = parse_date(el.get("datetime") or el.get("title") or _text(el))
        if found:
            return found
    for el in doc.iter("div", "span", "p", "a", "td", "em", "i", "li"):
        if _tokens(el) & {
            "date",
            "time",
            "info",
            "meta",
            "masthead",
            "pubtime",
            "publish",
            "source",
        }:
            text = _text(el)
            if len(text) < 200:
                found = parse_date(el.get("title")) or parse_date(text)
                if found:
                    return found
    body = doc.find("body")
    for m in _DATE_LINE.finditer(_text(body)[:8000] if body is not None else ""):
        found = parse_date(m.group(1))
        if found:
            return found
    return date_from_url(url)


def _is_main_content(el: HtmlElement) -> bool:
    """Never prune a block that holds the article itself (e.g. a gov site's `TRS_Editor`)."""
    paragraphs = [p for p in el.iter("p") if _cjk(_text(p)) > 30]
    return len(paragraphs) >= 2 and sum(_cjk(_text(p)) for p in paragraphs) > 150


def prune(doc: HtmlElement) -> set[str]:
    """Remove page chrome in place; returns flags (hidden spam seen)."""
    flags: set[str] = set()
    from .normalize import spam_score

    doomed = []
    for el in doc.iter():
        if not isinstance(el.tag, str):
            doomed.append(el)
            continue
        style = (el.get("style") or "").replace(" ", "").lower()
        if "display:none" in style or "visibility:hidden" in style:
            if spam_score(_text(el)) >= 2:
                flags.add("spam_injection")
            doomed.append(el)
        elif el.tag in _JUNK_TAGS or (_tokens(el) & _JUNK_TOKENS and not _is_main_content(el)):
            doomed.append(el)
    for el in doomed:
        if el.getparent() is not None:
            el.drop_tree()
    return flags


def _leaf_blocks(root: HtmlElement) -> list[HtmlElement]:
    """Block elements with no block element inside, in document order."""
    has_block_child: set[HtmlElement] = set()
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS:
            parent = el.getparent()
            while parent is not None and parent is not root.getparent():
                has_block_child.add(parent)
                parent = parent.getparent()
    return [
        el
        for el in root.iter()
        if isinstance(el.tag, str) and el.tag in _BLOCK_TAGS and el not in has_block_child
    ]


def _block_lines(el: HtmlElement) -> list[str]:
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return [
        re.sub(r"[ \t\u3000]+", " ", line).strip()
        for line in el.text_content().split("\n")
        if line.strip()
    ]


def _link_text(el: HtmlElement) -> int:
    return sum(len(_text(a)) for a in el.iter("a"))


def content_root(doc: HtmlElement) -> HtmlElement | None:
    """The element whose leaf blocks carry the most Chinese text (readability-style scoring)."""
    scores: dict[HtmlElement, float] = defaultdict(float)
    body = doc.find("body") if doc.find("body") is not None else doc
    for block in _leaf_blocks(body):
        text = _text(block)
        n = _cjk(text)
        if n < 10:
            continue
        weight = n * (1 - min(1.0, _link_text(block) / max(1, len(text))))
        parent = block.getparent()
        if parent is not None:
            scores[parent] += weight
            grand = parent.getparent()
            if grand is not None:
                scores[grand] += weight / 3
    if not scores:
        return None
    return max(scores, key=lambda el: scores[el])


def _with_siblings(root: HtmlElement) -> list[HtmlElement]:
    """The root plus siblings of the same class holding text (a page of several posts)."""
    parent = root.getparent()
    if parent is None or not root.get("class"):
        return [root]
    return [
        el
        for el in parent
        if el is root or (el.get("class") == root.get("class") and _cjk(_text(el)) > 30)
    ]


def paragraphs_of(root: HtmlElement) -> list[str]:
    out: list[str] = []
    for block in _leaf_blocks(root):
        if block.tag in ("h1",) or _tokens(block) & {
            "author",
            "byline",
            "caption",
            "kicker",
            "subtitle",
        }:
            continue
        out.extend(_block_lines(block))
    if not out:
        out = _block_lines(root)
    return out


def _title_candidates(doc: HtmlElement) -> list[str]:
    found = [_text(h) for h in doc.iter("h1")]
    for el in doc.iter("div", "h2", "p", "span", "td"):
        tokens = _tokens(el)
        if tokens & {"title", "headline", "tit"} and not tokens & {"subtitle", "sub"}:
            found.append(_text(el))
    return [t for t in found if 4 <= len(t) <= 120]


def clean_title(title: str, site_names: tuple[str, ...] = ()) -> str:
    """Drop site-name suffixes (`…_资讯_齐鲁生活网`, `… - 微博`) and Weibo's `#话题#【title】`."""
    title = re.sub(r"\s+", " ", title).strip()
    bracketed = re.match(r"^(?:#[^#]{1,40}#\s*)?【([^】]{4,120})】", title)
    if bracketed:
        return bracketed.group(1).strip()
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) > 1:
        head = parts[0]
        if len(head) >= 6:
            return head
    for name in site_names:
        if name and title.endswith(name) and len(title) > len(name) + 4:
            return title[: -len(name)].rstrip(" _-|")
    return title


def page_title(
    candidates: list[str], fallback: list[str], head_title: str, og: str | None, site: str
) -> str:
    """The article's heading: an <h1> or title-classed element that survived pruning (or any, if
    none did), preferring the one the <title> starts with (the site name is often an <h1> too)."""
    candidates = candidates or fallback
    if candidates:
        for c in candidates:
            if head_title.startswith(c) or (og and og == c):
                return c
        return candidates[0]
    return clean_title(og or head_title, (site,))


_LABELLED_AUTHORS = re.compile(
    r"(?:作者|记者|撰稿|文/)\s*[:：]?\s*((?:[\u4e00-\u9fff]{2,3}(?:[\s、,，]+|$)){1,4})"
)
_NOT_NAMES = frozenset("字号 来源 发布 时间 分享 编辑 责任 通讯员 浏览 阅读 本报 记者".split())


def _names(raw: str) -> list[str]:
    parts = re.split(r"[\s、,，()（）]+", raw)
    return [n for n in parts if 2 <= len(n) <= 4 and _cjk(n) == len(n) and n not in _NOT_NAMES]


def authors_of(el: HtmlElement) -> list[str]:
    """Names in byline elements (`■ 班娟娟`, `记者 陈晓`) and in info lines (`作者:王强`)."""
    names: list[str] = []
    for node in el.iter():
        if not isinstance(node.tag, str):
            continue
        tokens = _tokens(node)
        if tokens & {"author", "byline"}:
            names.extend(_names(_BYLINE_WORDS.sub(" ", _text(node))))
        elif tokens & {"info", "meta", "source"}:
            text = _text(node)
            if len(text) < 200:
                for m in _LABELLED_AUTHORS.finditer(text):
                    names.extend(_names(m.group(1)))
    return list(dict.fromkeys(names))


def _article_block(el: HtmlElement, when: date | None) -> Draft | None:
    heading = next(
        (h for tag in ("h1", "h2", "h3") for h in el.iter(tag) if "kicker" not in _tokens(h)), None
    )
    title = _text(heading)
    kicker = next(
        (
            _text(k)
            for k in el.iter()
            if isinstance(k.tag, str) and _tokens(k) & {"kicker", "subtitle"}
        ),
        None,
    )
    authors = authors_of(el)
    for node in [
        heading,
        *[
            k
            for k in el.iter()
            if isinstance(k.tag, str) and _tokens(k) & {"kicker", "subtitle", "author", "byline"}
        ],
    ]:
        if node is not None and node.getparent() is not None:
            node.drop_tree()
    paragraphs = paragraphs_of(el)
    if not title or not paragraphs:
        return None
    own = next(
        (parse_date(t.get("datetime")) for t in el.iter("time") if parse_date(t.get("datetime"))),
        None,
    )
    return Draft(
        title=title,
        paragraphs=paragraphs,
        published_at=own or when,
        authors=authors,
        subtitle=kicker,
    )


def extract_html(html: str, url: str) -> list[Draft]:
    try:
        doc = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    # What the page says about itself is read before its chrome is pruned away.
    when = page_date(doc, url)
    head_title = _text(doc.find(".//title"))
    og, site = _meta(doc, "og:title"), _meta(doc, "og:site_name") or ""
    all_titles = _title_candidates(doc)
    authors = authors_of(doc)
    flags = prune(doc)
    blocks = list(doc.iter("article"))
    if len(blocks) >= 2:
        drafts = [d for d in (_article_block(b, when) for b in blocks) if d]
        if drafts:
            return drafts
    root = content_root(doc)
    if root is None:
        return _fallback(html, url, when)
    paragraphs = [p for el in _with_siblings(root) for p in paragraphs_of(el)]
    if looks_like_posts(paragraphs):
        return split_posts(paragraphs, when)
    title = page_title(_title_candidates(doc), all_titles, head_title, og, site)
    if paragraphs and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    return [
        Draft(title=title, paragraphs=paragraphs, published_at=when, authors=authors, flags=flags)
    ]


def _fallback(html: str, url: str, when: date | None) -> list[Draft]:
    extracted = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False
    )
    text = (getattr(extracted, "text", None) or "").strip() if extracted else ""
    if not text:
        return []
    title = clean_title(getattr(extracted, "title", None) or "")
    published = when or parse_date(getattr(extracted, "date", None))
    return [Draft(title=title, paragraphs=text.split("\n"), published_at=published)]
