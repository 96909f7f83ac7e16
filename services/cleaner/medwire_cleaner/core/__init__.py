"""The cleaner's pure core: `clean(raw) -> list[CleanArticle]`. No network, no clock, no Kafka."""

from __future__ import annotations

import re

from medwire_common.ids import article_id, canonical_url, domain_of
from medwire_common.schemas import CleanArticle, RawPage

from .decode import decode_page
from .html import HtmlArticle, extract_html

__all__ = ["clean", "PageTooLarge", "MAX_PAGE_BYTES"]

MAX_PAGE_BYTES = 8 * 1024 * 1024
_CJK = re.compile(r"[\u4e00-\u9fff]")


class PageTooLarge(ValueError):
    pass


def _language(text: str) -> str:
    sample = text[:2000]
    return "zh" if sample and len(_CJK.findall(sample)) / len(sample) > 0.2 else "und"


def _plain_text_article(text: str) -> list[HtmlArticle]:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    if len(lines) < 2:
        return []
    return [HtmlArticle(title=lines[0].lstrip("# "), text="\n".join(lines[1:]), published_at=None)]


def clean(raw: RawPage) -> list[CleanArticle]:
    """Turn one fetched page into zero or more clean articles (zero for error pages)."""
    if not 200 <= raw.status < 300:
        return []
    body = raw.body
    if len(body) > MAX_PAGE_BYTES:
        raise PageTooLarge(f"page is {len(body)} bytes, over the {MAX_PAGE_BYTES}-byte limit")
    content_type = raw.headers.get("content-type") or raw.headers.get("Content-Type") or ""
    is_html = "html" in content_type or body.lstrip()[:1] == b"<" or not content_type
    decoded = decode_page(body, content_type, is_html)
    url = raw.final_url or raw.url
    found = extract_html(decoded.text, url) if is_html else _plain_text_article(decoded.text)
    canonical = canonical_url(url)
    flags = ["encoding_repaired"] if decoded.repaired else []
    return [
        CleanArticle(
            article_id=article_id(canonical, position),
            page_id=raw.page_id,
            position=position,
            url=url,
            canonical_url=canonical,
            source=raw.source
            if raw.source.domain
            else raw.source.model_copy(update={"domain": domain_of(url)}),
            title=a.title,
            subtitle=a.subtitle,
            published_at=a.published_at,
            fetched_at=raw.fetched_at,
            authors=a.authors,
            text=a.text,
            language=_language(a.text),
            flags=list(flags),
        )
        for position, a in enumerate(found)
    ]
