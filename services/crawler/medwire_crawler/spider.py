"""One generic spider for every source: the source's `kind` says how to find article links;
no site has parsing code of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap
from twisted.python.failure import Failure

from medwire_common.ids import page_id
from medwire_common.schemas import CrawlRequest, RawPage
from medwire_common.schemas import Source as SourceRef

from .core.links import DOCUMENTS, classify_links, feed_links, is_article
from .core.sources import Source

# What the cleaner can read; anything else fetched (an extensionless link to a binary) is not
# published.
PAGE_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml")


class FetchFailure:
    """A page that could not be fetched: the pipeline sends it to `crawl.requests.dlq` as a
    crawl request of that URL, so that replaying the dead letters fetches it again."""

    def __init__(self, request: CrawlRequest, reason: str, detail: str) -> None:
        self.request, self.reason, self.detail = request, reason, detail


class SourceSpider(scrapy.Spider):
    name = "source"
    # Error pages are published too (the cleaner turns them into no article), so every fetch is
    # on record; only robots.txt refusals and network failures never reach pages.raw.
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}

    def __init__(self, source: Source, only_url: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source
        self.only_url = only_url
        self.allowed_domains = [source.domain] if not only_url else []

    async def start(self) -> AsyncIterator[scrapy.Request]:
        if self.only_url:
            yield scrapy.Request(self.only_url, self.parse_article, errback=self.fetch_failed)
            return
        for url in self.source.start_urls:
            yield scrapy.Request(
                url, self.parse_navigation, errback=self.fetch_failed, dont_filter=True
            )

    def parse_navigation(self, response: Response) -> Iterator[scrapy.Request]:
        if response.status >= 400:
            self.crawler.stats.inc_value(f"medwire/navigation_errors/{response.status}")
            return
        kind = self.source.kind
        if kind == "sitemap":
            yield from self._from_sitemap(response)
        elif kind == "rss":
            for url in feed_links(response.body):
                if is_article(url, self.source.article_pattern) or not self.source.article_pattern:
                    yield response.follow(url, self.parse_article, errback=self.fetch_failed)
        else:  # list pages and e-paper editions: articles, plus list/edition pages to follow
            anchors = [
                (a.attrib.get("href", ""), " ".join(a.css("::text").getall()))
                for a in response.css("a[href]")
            ]
            links = classify_links(
                response.url,
                anchors,
                self.source.article_pattern,
                self.source.follow_pattern,
                self.source.domain,
            )
            for url in links.articles:
                yield response.follow(url, self.parse_article, errback=self.fetch_failed)
            for url in links.follow:
                yield response.follow(url, self.parse_navigation, errback=self.fetch_failed)
            if links.documents:  # recorded, not fetched: the cleaner reads HTML only
                self.crawler.stats.inc_value("medwire/documents_found", len(links.documents))
                self.logger.info("documents linked from %s: %s", response.url, links.documents)

    def _from_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(loc, self.parse_navigation, errback=self.fetch_failed)
            elif not self.source.article_pattern or is_article(loc, self.source.article_pattern):
                yield scrapy.Request(loc, self.parse_article, errback=self.fetch_failed)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
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
        yield {"page": page}

    def fetch_failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        """After Scrapy's retries: the page goes to the dead letters with the reason (robots.txt
        refusals are a rule kept, not a failure)."""
        if failure.check(IgnoreRequest):
            return
        url = failure.request.url  # type: ignore[attr-defined]
        oversized = failure.check(DownloadCancelledError) is not None
        reason = "oversized_page" if oversized else "fetch_failed"
        self.crawler.stats.inc_value(f"medwire/fetch_failed/{reason}")
        request = CrawlRequest(
            source=self.source.name, url=url, requested_at=datetime.now(UTC), definition=self.source
        )
        yield {"failure": FetchFailure(request, reason, f"crawler: {url}: {failure.value!r}")}
