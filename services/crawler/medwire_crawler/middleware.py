"""Conditional GET: a request for a page the crawler has fetched before carries that fetch's
validators (If-None-Match, If-Modified-Since); the server answers 304 when nothing changed."""

from __future__ import annotations

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from .store import PageStore

CONDITIONAL = "medwire_conditional"  # request meta: this request may be made conditional
KNOWN = "medwire_known"  # request meta: the page's stored state (None: never fetched)


class ConditionalGet:
    def __init__(self, store: PageStore | None) -> None:
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGet:
        return cls(crawler.settings.get("MEDWIRE_PAGE_STORE"))

    async def process_request(self, request: Request) -> Request | Response | None:
        if self.store is None or not request.meta.get(CONDITIONAL) or KNOWN in request.meta:
            return None
        known = await self.store.get(request.url)
        request.meta[KNOWN] = known
        for name, value in (known.validators() if known else {}).items():
            request.headers.setdefault(name, value)
        return None
