"""Why a page gave no article. A page is never dropped silently: it yields articles, or one of
the verdicts in `medwire_common.reasons.PAGE_VERDICTS` with a reason in words, which the shell
dead-letters and counts and the CLI prints."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from .dom import parse_document

# The names of PAGE_VERDICTS (the list lives in common, for the shell's metrics and alert).
ERROR_STATUS, BINARY, EMPTY, NOT_ARTICLE = "error_status", "binary", "empty", "not_article"

# The first bytes of formats a crawler may be served instead of a page (a wrong content type,
# an image behind an article URL, a download).
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document"),
    (b"\x1f\x8b", "gzip-compressed data"),
)
_RIFF_KINDS = {b"WEBP": "a WebP image", b"WAVE": "a WAV sound", b"AVI ": "an AVI video"}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
SNIFF_BYTES = 8192
# Text in any charset has no control bytes besides tab, newlines and form feed; binary data has
# about one in eight. A few per cent is a binary file, not a page with a stray NUL.
MAX_CONTROL_SHARE = 0.05
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
# Replacement, private-use and C1 control characters: what bytes that are no text in any
# charset decode to. Real pages have next to none (an icon font's few private-use glyphs).
_UNDECODED = re.compile("[\ufffd\ue000-\uf8ff\x80-\x9f]")
MAX_UNDECODED_SHARE = 0.2
_INVISIBLE = ("script", "style", "noscript", "template")
# A block whose text is mostly link text, with less unlinked text than a short paragraph, is a
# list of links to articles (a section index, a navigation page), not one.
LINK_LIST_SHARE = 0.6
LINK_LIST_MAX_UNLINKED = 120
_SPACE = re.compile(r"\s+")


def is_link_list(block: HtmlElement) -> bool:
    """The page's best block of text is a list of links: the page holds no article."""
    total = len(_SPACE.sub("", block.text_content()))
    linked = sum(len(_SPACE.sub("", a.text_content())) for a in block.iter("a"))
    return (
        total > 0 and linked / total >= LINK_LIST_SHARE and total - linked < LINK_LIST_MAX_UNLINKED
    )


def binary_reason(body: bytes) -> str | None:
    """What the body is, when it is not text at all (None for text in any charset)."""
    for signature, what in _SIGNATURES:
        if body.startswith(signature):
            return f"its bytes start like {what}, not text"
    if body.startswith(b"RIFF") and body[8:12] in _RIFF_KINDS:
        return f"its bytes start like {_RIFF_KINDS[body[8:12]]}, not text"
    head = body[:SNIFF_BYTES]
    if not head or head.startswith(_UTF16_BOMS):
        return None
    controls = len(_CONTROL.findall(head))
    if controls / len(head) > MAX_CONTROL_SHARE:
        return (
            f"{controls} of its first {len(head)} bytes are control bytes (NUL and the like): "
            "binary data, not text"
        )
    return None


def undecodable_reason(text: str) -> str | None:
    """Why the decoded page is no text (None when it reads as text): the bytes decoded, in the
    charset that fitted best, mostly to replacement or private-use characters."""
    sample = _SPACE.sub("", text[:20000])
    bad = len(_UNDECODED.findall(sample))
    if sample and bad / len(sample) > MAX_UNDECODED_SHARE:
        return (
            f"{bad} of its first {len(sample)} characters do not decode in any charset tried "
            "(UTF-8, GB18030, Big5, the declared one): binary data or a broken encoding"
        )
    return None


def visible_text(text: str, is_html: bool) -> str:
    """The page's text a reader would see: markup, scripts and styles removed."""
    if not is_html:
        return text.strip()
    doc = parse_document(text)
    if doc is None:
        return ""
    for el in list(doc.iter(*_INVISIBLE)):
        if el.getparent() is not None:
            el.drop_tree()
    return re.sub(r"\s+", " ", doc.text_content()).strip()


def no_article_verdict(text: str, is_html: bool, drafts: int) -> tuple[str, str]:
    """`empty` or `not_article`, with why, for a decoded page that gave no article."""
    seen = visible_text(text, is_html)
    if not seen:
        return EMPTY, "the page has no text (only markup, scripts or whitespace)"
    why = (
        f"the {drafts} block(s) the reader found were all boilerplate, bylines or spam"
        if drafts
        else "no block of it reads as an article (navigation, link lists, page furniture)"
    )
    return NOT_ARTICLE, f"{len(seen)} characters of text but no article: {why}"
