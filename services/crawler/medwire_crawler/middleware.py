"""Downloader middlewares. Conditional GET: a request for a page the crawler has fetched
before carries that fetch's validators (If-None-Match, If-Modified-Since); the server answers
304 when nothing changed. Retry backoff: Scrapy retries a failed request at once; here the
n-th retry waits base × 2^(n-1) seconds (capped) first, so a struggling server gets air."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import asyncpg
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response

from .addon import context_of
from .store import PageStore

CONDITIONAL = "medwire_conditional"  # request meta: this request may be made conditional
KNOWN = "medwire_known"  # request meta: the page's stored state (None: never fetched)
log = logging.getLogger(__name__)


class ConditionalGet:
    def __init__(self, store: PageStore | None) -> None:
        self.store = store

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGet:
        return cls(context_of(crawler).store)

    async def process_request(self, request: Request) -> Request | Response | None:
        if self.store is None or not request.meta.get(CONDITIONAL) or KNOWN in request.meta:
            return None
        try:
            known = await self.store.get(request.url)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            # The store is down: fetch the page as new (it is published again, which downstream
            # absorbs) rather than fail a fetch that does not depend on the store.
            log.warning(
                "crawler: page store unreachable, %s fetched unconditionally: %s", request.url, exc
            )
            known = None
        request.meta[KNOWN] = known
        for name, value in (known.validators() if known else {}).items():
            request.headers.setdefault(name, value)
        return None


class RetryBackoff:
    def __init__(
        self,
        base_s: float,
        max_s: float,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.base_s, self.max_s, self.sleep = base_s, max_s, sleep

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryBackoff:
        settings = context_of(crawler).settings
        return cls(settings.retry_backoff_base_s, settings.retry_backoff_max_s)

    def delay(self, retries: int) -> float:
        return 0.0 if retries <= 0 else min(self.max_s, self.base_s * 2 ** (retries - 1))

    async def process_request(self, request: Request) -> Request | Response | None:
        wait = self.delay(int(request.meta.get("retry_times", 0)))
        if wait > 0:
            await self.sleep(wait)
        return None
