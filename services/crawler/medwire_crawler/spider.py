"""One generic spider for every source: the source's `kind` says how to find article links;
no site has parsing code of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from medwire_common.ids import canonical_url, page_id
from medwire_common.schemas import CrawlRequest, RawPage
from medwire_common.schemas import Source as SourceRef
from medwire_common.sources import Source

from . import metrics
from .addon import context_of
from .core.links import DOCUMENTS, classify_links, feed_links, is_article
from .guard import RefusedFetch
from .middleware import CONDITIONAL, KNOWN
from .store import PageState, PageStore, body_hash

# What the cleaner can read; anything else fetched (an extensionless link to a binary) is not
# published.
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml")


class FetchFailure:
    """A page that could not be fetched: the pipeline sends it to `crawl.requests.dlq` as a
    crawl request (of that URL, or of the whole source for a list page, feed or sitemap), so
    that replaying the dead letters fetches it again."""

    def __init__(self, request: CrawlRequest, url: str, reason: str, detail: str) -> None:
        self.request, self.url, self.reason, self.detail = request, url, reason, detail


class SourceSpider(scrapy.Spider):
    name = "source"
    # Client error pages (404, 410…) are published too (the cleaner turns them into no article),
    # so every fetch is on record; a server that still fails after Scrapy's retries (5xx, 408,
    # 429) is a fetch failure, dead-lettered like a network failure (see failed_status).
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}

    def __init__(self, source: Source, only_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.only_url = only_url
        self.allowed_domains = [source.domain] if not only_url else []
        # List pages, feeds and editions read in this crawl: remembered only when it finishes
        # (a list page remembered before its articles were published would hide them).
        self.navigation: list[PageState] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider: SourceSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.remember_navigation, signal=signals.spider_closed)
        return spider

    @property
    def store(self) -> PageStore | None:
        return context_of(self.crawler).store

    def _request(self, url: str, callback: Any, **kwargs: Any) -> scrapy.Request:
        meta = {CONDITIONAL: True}
        return scrapy.Request(url, callback, errback=self.fetch_failed, meta=meta, **kwargs)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.only_url:
            yield self._request(self.only_url, self.parse_article)
            return
        for url in self.source.start_urls:
            yield self._request(url, self.parse_navigation, dont_filter=True)

    def _unchanged(self, response: Response, digest: str) -> bool:
        """304, or the same body as last time (servers without validators)."""
        known: PageState | None = response.meta.get(KNOWN)
        if response.status == 304 or (
            known and known.status == response.status and known.content_hash == digest
        ):
            self.crawler.stats.inc_value("medwire/unchanged")
            metrics.UNCHANGED.labels(self.source.name).inc()
            return True
        return False

    def failed_status(self, response: Response) -> dict[str, Any] | None:
        """The dead letter of a response that is still a server failure after Scrapy's retries
        (any 5xx, and the statuses Scrapy retries: 408, 429…); None for any other status."""
        retried = self.crawler.settings.getlist("RETRY_HTTP_CODES")
        if response.status < 500 and response.status not in {int(c) for c in retried}:
            return None
        request = response.request
        retries = request.meta.get("retry_times", 0) if request else 0
        detail = f"crawler: {response.url} answered HTTP {response.status} after {retries} retries"
        self.crawler.stats.inc_value("medwire/fetch_failed/fetch_failed")
        url = (request.meta.get("redirect_urls") or [response.url])[0] if request else response.url
        navigation = request is not None and request.callback == self.parse_navigation
        return {"failure": self.failure(url, "fetch_failed", detail, navigation)}

    def failure(self, url: str, reason: str, detail: str, navigation: bool = False) -> FetchFailure:
        """The dead letter of `url`: a crawl request of that page, or of the whole source when
        it is a list page, feed or sitemap (fetched alone, it would be published as a page)."""
        request = CrawlRequest(
            source=self.source.name,
            url=None if navigation else url,
            requested_at=datetime.now(UTC),
            definition=self.source,
        )
        return FetchFailure(request, url, reason, detail)

    async def parse_navigation(
        self, response: Response
    ) -> AsyncIterator[scrapy.Request | dict[str, Any]]:
        if failed := self.failed_status(response):
            yield failed
            return
        digest = body_hash(response.body)
        if self._unchanged(response, digest):  # nothing new linked from here
            return
        if response.status >= 400:
            self.crawler.stats.inc_value(f"medwire/navigation_errors/{response.status}")
            return
        self.navigation.append(page_state(response, digest))
        articles, follow = self._links(response)
        # Articles fetched before are asked for conditionally: a 304 or the same body is not
        # published again, a corrected article is.
        for url in dict.fromkeys(articles):
            yield self._request(url, self.parse_article)
        for url in follow:
            yield self._request(url, self.parse_navigation)

    def _links(self, response: Response) -> tuple[list[str], list[str]]:
        """(articles, pages to follow) of a navigation page, absolute."""
        kind, pattern = self.source.kind, self.source.article_pattern
        if kind == "sitemap":
            sitemap = Sitemap(response.body)
            locs = [e["loc"] for e in sitemap if e.get("loc")]
            if sitemap.type == "sitemapindex":
                return [], locs
            return [u for u in locs if not pattern or is_article(u, pattern)], []
        if kind == "rss":
            return [
                u for u in feed_links(response.body) if not pattern or is_article(u, pattern)
            ], []
        # list pages and e-paper editions: articles, plus list/edition pages to follow
        anchors = [
            (a.attrib.get("href", ""), " ".join(a.css("::text").getall()))
            for a in response.css("a[href]")
        ]
        links = classify_links(
            response.url, anchors, pattern, self.source.follow_pattern, self.source.domain
        )
        if links.documents:  # recorded, not fetched: the cleaner reads HTML only
            self.crawler.stats.inc_value("medwire/documents_found", len(links.documents))
            self.logger.info("documents linked from %s: %s", response.url, links.documents)
        return links.articles, links.follow

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        if failed := self.failed_status(response):
            yield failed
            return
        digest = body_hash(response.body)
        if self._unchanged(response, digest):
            return
        redirects = response.request.meta.get("redirect_urls") or [] if response.request else []
        requested = redirects[0] if redirects else response.url
        headers = {
            k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        content_type = headers.get("content-type", "")
        media_type = content_type.split(";", 1)[0].strip().lower()
        if media_type and media_type not in PAGE_TYPES and response.status < 400:
            is_document = media_type == "application/pdf" or response.url.lower().endswith(
                DOCUMENTS
            )
            self.crawler.stats.inc_value(
                "medwire/documents_found" if is_document else "medwire/skipped_binary"
            )
            self.logger.info("not a page (%s), not published: %s", media_type, response.url)
            return
        declared = None
        if "charset=" in content_type:
            declared = content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"') or None
        page = RawPage(
            page_id=page_id(response.url),
            url=requested,
            final_url=response.url,
            status=response.status,
            headers=headers,
            body_b64=RawPage.encode_body(response.body),
            declared_encoding=declared,
            fetched_at=datetime.now(UTC),
            source=SourceRef(name=self.source.name, domain=self.source.domain),
        )
        yield {"page": page, "state": page_state(response, digest, requested)}

    def fetch_failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        """After Scrapy's retries: the page goes to the dead letters with the reason (robots.txt
        refusals are a rule kept, not a failure; an internal address is refused by the rule
        of `guard`, and dead-lettered so that an operator sees it)."""
        if failure.check(RefusedFetch):
            reason = "refused_target"
        elif failure.check(IgnoreRequest):
            return
        elif failure.check(DownloadCancelledError):
            reason = "oversized_page"
        else:
            reason = "fetch_failed"
        request = failure.request  # type: ignore[attr-defined]
        self.crawler.stats.inc_value(f"medwire/fetch_failed/{reason}")
        detail = f"crawler: {request.url}: {failure.value!r}"
        navigation = request.callback == self.parse_navigation
        yield {"failure": self.failure(request.url, reason, detail, navigation)}

    async def remember_navigation(self, spider: scrapy.Spider, reason: str) -> None:
        stats = self.crawler.stats
        failed = stats and any(
            stats.get_value(name)
            for name in ("medwire/publish_failed", "medwire/dead_lettered", "medwire/item_errors")
        )
        if self.store is None or reason != "finished" or failed:
            return
        for state in self.navigation:
            await self.store.record(state)


def page_state(response: Response, digest: str, url: str | None = None) -> PageState:
    def header(name: str) -> str | None:
        value = response.headers.get(name)
        return value.decode("latin-1") if value else None

    return PageState(
        url=canonical_url(url or response.url),
        etag=header("ETag"),
        last_modified=header("Last-Modified"),
        content_hash=digest,
        status=response.status,
    )
