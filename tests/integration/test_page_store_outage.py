"""A crawl goes on while its page store (PostgreSQL) is away: a page whose state cannot be read
is asked for without validators and published again, never failed and dead-lettered (the chaos
suite lost every page requested while PostgreSQL restarted). The outage is played by cutting a
TCP proxy in front of the real database."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from scrapy import Request

from medwire_crawler.middleware import CONDITIONAL, KNOWN, ConditionalGet
from medwire_crawler.store import PageState, PageStore
from tests.support import TcpProxy

pytestmark = pytest.mark.integration
PAGE = "http://news.example/2025/0616/a.html"


async def test_a_page_is_asked_for_whole_when_the_page_store_is_unreachable(
    fresh_database: str,
) -> None:
    db = urlsplit(fresh_database)
    proxy = TcpProxy(db.hostname or "127.0.0.1", db.port or 5432).open()
    url = fresh_database.replace(f"{db.hostname}:{db.port}", f"127.0.0.1:{proxy.port}")
    store = await PageStore.open(url)
    try:
        await store.record(PageState(PAGE, '"v1"', None, "hash", 200))
        middleware = ConditionalGet(store)
        known = Request(PAGE, meta={CONDITIONAL: True})
        assert await middleware.process_request(known) is None
        assert known.headers.get("If-None-Match") == b'"v1"'

        proxy.cut()  # PostgreSQL restarting: every connection dropped, new ones refused
        during = Request(PAGE, meta={CONDITIONAL: True})
        assert await middleware.process_request(during) is None
        assert during.meta[KNOWN] is None
        assert "If-None-Match" not in during.headers
    finally:
        proxy.cut()
        store.pool.terminate()
