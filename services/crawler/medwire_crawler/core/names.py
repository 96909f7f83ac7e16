"""The name of an ad-hoc source (a crawl request of a bare URL): its host, made a valid source
name (`^[\\w.-]+$`, at most 100 characters) whatever the host's shape."""

from __future__ import annotations

import hashlib

NAME_MAX = 100
ADHOC = "adhoc"  # a URL without a host


def _name_char(ch: str) -> str:
    # Letters and decimal digits of any script (an IDN host stays readable: 中国医药.cn), ASCII
    # `_.-`; anything else (the colons of an IPv6 literal, `%` of a zone id) becomes `-`.
    # isalpha/isdecimal rather than `\w`: Python's `\w` also takes characters (²) that the
    # schema's pattern, checked by pydantic's Rust regex, refuses.
    return ch if ch.isalpha() or ch.isdecimal() or ch in "_.-" else "-"


def source_name_for_host(host: str) -> str:
    """`64:ff9b::a9fe:a9fe` → `64-ff9b--a9fe-a9fe`, `Example.COM.` → `example.com`; a name too
    long is cut and ends with a digest of the host, so two long hosts do not share a name."""
    host = host.strip().lower().rstrip(".")
    name = "".join(_name_char(ch) for ch in host) or ADHOC
    if len(name) > NAME_MAX:
        digest = hashlib.sha256(host.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        name = f"{name[: NAME_MAX - len(digest) - 1]}-{digest}"
    return name
