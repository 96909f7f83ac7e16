"""One generic spider for every source: the source's `kind` says how to find article links;
no site has parsing code of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from typing import Any

import scrapy
from scrapy.http import Response
from scrapy.utils.sitemap import Sitemap

from medwire_common.ids import page_id
from medwire_common.schemas import RawPage
from medwire_common.schemas import Source as SourceRef

from .core.links import classify_links, feed_links, is_article
from .core.sources import Source


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
            yield scrapy.Request(self.only_url, callback=self.parse_article)
            return
        for url in self.source.start_urls:
            yield scrapy.Request(url, callback=self.parse_navigation, dont_filter=True)

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
                    yield response.follow(url, callback=self.parse_article)
        else:  # list pages and e-paper editions: articles, plus list/edition pages to follow
            articles, follow = classify_links(
                response.url,
                response.css("a::attr(href)").getall(),
                self.source.article_pattern,
                self.source.follow_pattern,
            )
            for url in articles:
                yield response.follow(url, callback=self.parse_article)
            for url in follow:
                yield response.follow(url, callback=self.parse_navigation)

    def _from_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        sitemap = Sitemap(response.body)
        for entry in sitemap:
            loc = entry.get("loc")
            if not loc:
                continue
            if sitemap.type == "sitemapindex":
                yield scrapy.Request(loc, callback=self.parse_navigation)
            elif not self.source.article_pattern or is_article(loc, self.source.article_pattern):
                yield scrapy.Request(loc, callback=self.parse_article)

    def parse_article(self, response: Response) -> Iterator[dict[str, Any]]:
        redirects = response.request.meta.get("redirect_urls") or [] if response.request else []
        requested = redirects[0] if redirects else response.url
        headers = {
            k.decode("latin-1").lower(): b", ".join(v).decode("latin-1")
            for k, v in response.headers.items()
        }
        content_type = headers.get("content-type", "")
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
