"""Small lxml helpers shared by the HTML readers."""

from __future__ import annotations

import re

import lxml.html
from lxml.html import HtmlElement

_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPLIT_TOKENS = re.compile(r"[\s_\-]+")
_NO_TOKENS: frozenset[str] = frozenset()
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def parse_document(html: str) -> HtmlElement | None:
    """The page's DOM, or None when there is none to build (no markup at all). An XHTML page's
    `<?xml … encoding="utf-8"?>` goes first: lxml refuses a str that declares an encoding, and
    the text is already decoded."""
    try:
        return lxml.html.document_fromstring(_XML_DECLARATION.sub("", html, count=1))
    except (ValueError, lxml.etree.ParserError):
        return None


def text_of(el: HtmlElement | None) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip() if el is not None else ""


def cjk_count(text: str) -> int:
    return len(_CJK.findall(text))


def tokens(el: HtmlElement) -> frozenset[str]:
    """Lower-case words of an element's class and id (`news_info` → {news, info})."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return _NO_TOKENS
    return frozenset(_SPLIT_TOKENS.split(f"{cls or ''} {ident or ''}".lower())) - {""}


def metas(doc: HtmlElement) -> dict[str, str]:
    """`<meta>` name/property/itemprop (lower-cased) → content, first one wins."""
    found: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or "").lower()
        content = (el.get("content") or "").strip()
        if key and content:
            found.setdefault(key, str(content))
    return found
