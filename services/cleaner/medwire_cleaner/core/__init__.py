"""The cleaner's pure core: `clean_page(raw) -> Cleaning` (`clean(raw)` is its articles). No
network, no clock, no Kafka.

bytes → text (charset repaired) → drafts (HTML reader or plain-text reader) → normalised
articles (pinyin glosses, full-width, traditional → simplified, spam, repeats, bylines) + flags.
A page with no article gets a verdict with a reason instead (`verdict.py`): nothing is lost
silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from medwire_common.dedup import content_hash
from medwire_common.ids import article_id, canonical_url, domain_of
from medwire_common.schemas import CleanArticle, RawPage

from .bylines import Byline, merged, read_byline
from .decode import decode_page
from .draft import Draft
from .fingerprint import minhash_signature
from .html import extract_html
from .inferred_title import infer_title
from .normalize import (
    clean_paragraphs,
    normalize_chars,
    remove_pinyin_glosses,
    simplify,
    to_simplified,
)
from .text import extract_text
from .verdict import BINARY, ERROR_STATUS, binary_reason, no_article_verdict, undecodable_reason

__all__ = ["clean", "clean_page", "Cleaning", "PageTooLarge", "MAX_PAGE_BYTES", "ARTICLES"]

MAX_PAGE_BYTES = 8 * 1024 * 1024
LOW_TEXT_CHARS = 80
_CJK = re.compile(r"[\u4e00-\u9fff]")
_TRUNCATION = re.compile(r"[(（]\s*(?:下转|转下|转第|未完待续)")


ARTICLES = "articles"  # the outcome of a page that gave at least one article


class PageTooLarge(ValueError):
    pass


@dataclass(frozen=True)
class Cleaning:
    """What became of one page: its articles, or none with a verdict (`verdict.py`: one of
    `medwire_common.reasons.PAGE_VERDICTS`) and why, in words."""

    articles: list[CleanArticle]
    outcome: str = ARTICLES
    reason: str = ""


def _language(text: str) -> str:
    sample = text[:2000]
    return "zh" if sample and len(_CJK.findall(sample)) / len(sample) > 0.2 else "und"


def finish(draft: Draft, page_flags: set[str]) -> tuple[Draft, dict[str, str]] | None:
    """Normalise a draft; returns it with the traditional originals, or None if nothing is left."""
    cleaned = clean_paragraphs(draft.paragraphs)
    text = "\n".join(cleaned.paragraphs)
    if not text:
        return None
    flags = set(draft.flags) | cleaned.flags | page_flags
    title = normalize_chars(remove_pinyin_glosses(draft.title))
    if not title:
        # The page names no title: the body is kept, titled by its own first sentence.
        title = infer_title(cleaned.paragraphs)
        flags.add("title_inferred")
        if not title:
            return None
    subtitle = normalize_chars(draft.subtitle) if draft.subtitle else None
    # a byline printed where a subtitle goes (`记者 张三` under the headline) is not a subtitle
    byline = read_byline(subtitle) if subtitle else None
    if byline:
        subtitle = None
    byline = merged(
        Byline(draft.authors, draft.editors),
        Byline(cleaned.authors, cleaned.editors),
        byline or Byline(),
    )
    authors = byline.authors
    editors = [e for e in byline.editors if e not in authors]
    originals: dict[str, str] = {}
    simple_text, converted = to_simplified(text)
    if converted:
        originals = {"original_title": title, "original_text": text}
        text, title = simple_text, simplify(title)
        subtitle = simplify(subtitle) if subtitle else None
        authors = [simplify(a) for a in authors]
        editors = [simplify(e) for e in editors]
        flags.add("traditional_converted")
    if len(text) < LOW_TEXT_CHARS:
        flags.add("low_text")
    if _TRUNCATION.search(text):
        flags.add("truncated")
    finished = Draft(
        title=title,
        paragraphs=text.split("\n"),
        published_at=draft.published_at,
        authors=authors,
        editors=editors,
        subtitle=subtitle,
        flags=flags,
        published_time=draft.published_time,
        origin=draft.origin or cleaned.origin,
        captions=list(dict.fromkeys(draft.captions + cleaned.captions)),
    )
    return finished, originals


def clean(raw: RawPage) -> list[CleanArticle]:
    """Turn one fetched page into zero or more clean articles (`clean_page` says why zero)."""
    return clean_page(raw).articles


def clean_page(raw: RawPage) -> Cleaning:
    """Turn one fetched page into its articles, or a verdict on why it has none."""
    if not 200 <= raw.status < 300:
        return Cleaning([], ERROR_STATUS, f"HTTP status {raw.status}: an error page, not content")
    body = raw.body
    if len(body) > MAX_PAGE_BYTES:
        raise PageTooLarge(f"page is {len(body)} bytes, over the {MAX_PAGE_BYTES}-byte limit")
    not_text = binary_reason(body)
    if not_text:
        return Cleaning([], BINARY, not_text)
    content_type = (
        raw.headers.get("content-type") or raw.headers.get("Content-Type") or ""
    ).lower()
    head = body.lstrip()[:512].lower()
    is_html = "html" in content_type or (
        not content_type.startswith("text/plain") and head[:1] == b"<"
    )
    decoded = decode_page(body, content_type, is_html)
    not_text = undecodable_reason(decoded.text)
    if not_text:
        return Cleaning([], BINARY, not_text)
    url = raw.final_url or raw.url
    drafts = extract_html(decoded.text, url) if is_html else extract_text(decoded.text, url)
    page_flags = {"encoding_repaired"} if decoded.repaired else set()
    canonical = canonical_url(url)
    source = (
        raw.source
        if raw.source.domain
        else raw.source.model_copy(update={"domain": domain_of(url)})
    )
    articles: list[CleanArticle] = []
    for draft in drafts:
        finished = finish(draft, page_flags)
        if finished is None:
            continue
        d, originals = finished
        text = "\n".join(d.paragraphs)
        position = len(articles)
        articles.append(
            CleanArticle(
                article_id=article_id(canonical, position),
                page_id=raw.page_id,
                position=position,
                url=url,
                canonical_url=canonical,
                source=source,
                title=d.title,
                subtitle=d.subtitle,
                published_at=d.published_at,
                fetched_at=raw.fetched_at,
                published_time=d.published_time,
                authors=d.authors,
                editors=d.editors,
                origin=d.origin,
                captions=d.captions,
                text=text,
                language=_language(d.paragraphs[0] if d.paragraphs else ""),
                flags=sorted(d.flags),
                content_hash=content_hash(text),
                minhash=minhash_signature(text),
                **originals,
            )
        )
    if not articles:
        outcome, reason = no_article_verdict(decoded.text, is_html, len(drafts))
        return Cleaning([], outcome, reason)
    return Cleaning(articles)
