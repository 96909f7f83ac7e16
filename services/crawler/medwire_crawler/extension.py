"""A Scrapy extension that exports the crawl to Prometheus (the engine does not know it)."""

from __future__ import annotations

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response

from medwire_common.reasons import FETCH_FAILURES

from . import metrics


class PrometheusStats:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PrometheusStats:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.response_received, signal=signals.response_received)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @staticmethod
    def _source(spider: Spider) -> str:
        return getattr(getattr(spider, "source", None), "name", "unknown")

    def spider_opened(self, spider: Spider) -> None:
        """A source's failure counters exist at 0 from its first crawl on, so that its first
        failure is an increase (see `medwire_common.reasons`)."""
        source = self._source(spider)
        for reason in FETCH_FAILURES:
            metrics.FETCH_FAILED.labels(source, reason)
        metrics.PUBLISH_FAILED.labels(source)

    def response_received(self, response: Response, request: Request, spider: Spider) -> None:
        source = self._source(spider)
        metrics.PAGES.labels(source, str(response.status)).inc()
        metrics.BYTES.labels(source).inc(len(response.body))
        latency = request.meta.get("download_latency")
        if latency is not None:
            metrics.DOWNLOAD_LATENCY.labels(source).observe(latency)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        refused = (
            self.crawler.stats.get_value("robotstxt/forbidden", 0) if self.crawler.stats else 0
        )
        metrics.ROBOTS_REFUSED.labels(self._source(spider)).inc(refused)
