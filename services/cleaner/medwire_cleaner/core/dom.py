"""Small lxml helpers shared by the HTML readers."""

from __future__ import annotations

import re
from functools import lru_cache

import lxml.etree
import lxml.html
from lxml.html import HtmlElement

_CJK = re.compile(r"[\u4e00-\u9fff]")
_SPLIT_TOKENS = re.compile(r"[\s_\-]+")
_NO_TOKENS: frozenset[str] = frozenset()
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# lxml.html's parser picks each element's class in Python (forms and inputs get their own),
# once for every element the readers touch: a tenth of the cleaner's time. The readers use
# no form API, so every element is a plain HtmlElement, picked in C.
_PARSER = lxml.html.HTMLParser()
_PARSER.set_element_class_lookup(
    lxml.etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)


def parse_document(html: str) -> HtmlElement | None:
    """The page's DOM, or None when there is none to build (no markup at all). An XHTML page's
    `<?xml … encoding="utf-8"?>` goes first: lxml refuses a str that declares an encoding, and
    the text is already decoded."""
    try:
        return lxml.html.document_fromstring(
            _XML_DECLARATION.sub("", html, count=1), parser=_PARSER
        )
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
    return _words(cls or "", ident or "")


@lru_cache(maxsize=4096)
def _words(cls: str, ident: str) -> frozenset[str]:
    # Cached: the readers ask every element for its words several times, and pages repeat
    # their class names.
    return frozenset(_SPLIT_TOKENS.split(f"{cls} {ident}".lower())) - {""}


def metas(doc: HtmlElement) -> dict[str, str]:
    """`<meta>` name/property/itemprop (lower-cased) → content, first one wins."""
    found: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = (el.get("name") or el.get("property") or el.get("itemprop") or "").lower()
        content = (el.get("content") or "").strip()
        if key and content:
            found.setdefault(key, str(content))
    return found
