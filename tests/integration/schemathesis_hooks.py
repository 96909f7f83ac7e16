"""Schemathesis hooks for test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS): the admin
routes are fuzzed without DNS. A generated http(s) URL naming a host keeps its path but is
pointed at 127.0.0.1 (allow-listed by the test), so the crawl guard never resolves a name;
IP literals and malformed URLs are left as generated, since the guard needs no DNS for them."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

import schemathesis


def dns_free(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return url
    if parts.scheme not in ("http", "https") or not host:
        return url
    try:
        ipaddress.ip_address(host.split("%")[0])
        return url
    except ValueError:
        return parts._replace(netloc="127.0.0.1").geturl()


@schemathesis.hook
def map_body(context: Any, body: Any) -> Any:
    if not isinstance(body, dict):
        return body
    mapped = dict(body)
    if isinstance(mapped.get("url"), str):
        mapped["url"] = dns_free(mapped["url"])
    if isinstance(mapped.get("start_urls"), list):
        mapped["start_urls"] = [
            dns_free(u) if isinstance(u, str) else u for u in mapped["start_urls"]
        ]
    return mapped
