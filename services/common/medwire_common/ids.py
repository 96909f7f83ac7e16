"""Deterministic identifiers: the same page or article always gets the same id, so every
write downstream can be an idempotent upsert and a replay changes nothing."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track a click and never change the page.
TRACKING_PARAMS = frozenset(
    {
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
        "spm",
        "from",
        "share_token",
        "fbclid",
        "gclid",
        "wfr",
        "isappinstalled",
    }
)


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, fragment and tracking parameters,
    sort the remaining query."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:  # an IPv6 literal keeps its brackets, or the URL cannot be read back
        host = f"[{host}]"
    port = parts.port
    netloc = (
        host
        if port is None or (scheme, port) in {("http", 80), ("https", 443)}
        else f"{host}:{port}"
    )
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in TRACKING_PARAMS
    )
    return urlunsplit((scheme, netloc, parts.path or "/", urlencode(query), ""))


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def page_id(url: str) -> str:
    return _digest(canonical_url(url), 24)


def article_id(canonical: str, position: int) -> str:
    return _digest(f"{canonical}#{position}", 24)


def domain_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()
