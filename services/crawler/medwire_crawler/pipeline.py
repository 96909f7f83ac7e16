"""Item pipeline that publishes every fetched page to `pages.raw` with aiokafka, keyed by the
page's URL fingerprint, and every page that could not be fetched to `crawl.requests.dlq`
(keyed by domain, the reason in the headers).

An item is done only when the broker has acknowledged it: while the broker cannot be reached the
send is tried again with backoff, for as long as it takes (a fetched page is never dropped), and
the page is remembered in the page store only after that. Only the service stopping ends the wait;
the crawl then counts the page as not published and its request is not committed."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError, MessageSizeTooLargeError, RecordTooLargeError
from scrapy import signals
from scrapy.crawler import Crawler

from medwire_common.ids import domain_of
from medwire_common.schemas import RawPage
from medwire_common.stage import failure_headers, new_producer

from . import metrics
from .addon import CrawlContext, context_of
from .spider import FetchFailure, SourceSpider
from .store import PageState

log = logging.getLogger(__name__)
OUT_TOPIC = "pages.raw"
REQUESTS_TOPIC = "crawl.requests"
FAILED_TOPIC = f"{REQUESTS_TOPIC}.dlq"
# Stats a crawl is judged by (see worker.crawl): pages given up on at shutdown, and items the
# pipeline failed on in a way that is not the broker's.
PUBLISH_FAILED = "medwire/publish_failed"
ITEM_ERRORS = "medwire/item_errors"
_TOO_LARGE = (MessageSizeTooLargeError, RecordTooLargeError)


class StopEvent(asyncio.Event):
    """The service's stop event. Scrapy deep-copies its settings: this one is shared, not copied."""

    def __deepcopy__(self, memo: dict[int, Any]) -> StopEvent:
        return self


class PublishAborted(Exception):
    """The service is stopping while a record still waits for the broker."""


class KafkaPublisherPipeline:
    def __init__(self, context: CrawlContext, crawler: Crawler) -> None:
        settings = context.settings
        self.settings = settings
        self.crawler = crawler
        self.topic = settings.topic(OUT_TOPIC)
        self.failed_topic = settings.topic(FAILED_TOPIC)
        self.requests_topic = settings.topic(REQUESTS_TOPIC)
        self.store = context.store
        self.stopping: asyncio.Event = context.stopping
        self.producer: AIOKafkaProducer | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KafkaPublisherPipeline:
        pipeline = cls(context_of(crawler), crawler)
        crawler.signals.connect(pipeline._item_failed, signal=signals.item_error)
        return pipeline

    async def open_spider(self) -> None:
        self.producer = new_producer(self.settings)
        await self.producer.start()

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        if "failure" in item:
            return await self._dead_letter(item["failure"])
        page: RawPage = item["page"]
        try:
            await self._deliver(
                self.topic, page.model_dump_json().encode(), key=page.page_id.encode()
            )
        except _TOO_LARGE as exc:  # the page itself: nothing a retry changes
            detail = (
                f"crawler: {page.final_url} is too large to publish "
                f"(max_record_bytes={self.settings.max_record_bytes}): {exc}"
            )
            return await self._dead_letter(self._failure(page.url, "oversized_page", detail))
        except PublishAborted:
            self._count(PUBLISH_FAILED)
            metrics.PUBLISH_FAILED.labels(page.source.name).inc()
            raise
        metrics.PUBLISHED.labels(page.source.name).inc()
        metrics.STAGE.produced.labels(self.topic).inc()
        self._count("medwire/published")
        state: PageState | None = item.get("state")
        if state is not None:
            await self._remember(state)
        return {"page_id": page.page_id, "url": page.final_url, "status": page.status}

    async def _deliver(
        self,
        topic: str,
        value: bytes,
        key: bytes,
        headers: list[tuple[str, bytes]] | None = None,
    ) -> None:
        """Send one record and wait for the broker's acknowledgement; every attempt is bounded
        by `publish_timeout_s`, and a failed one is tried again after 0.5 s, 1 s … 30 s until
        the service stops. A record tried twice may reach the topic twice: every consumer is
        idempotent by key."""
        assert self.producer is not None
        delay, timeout = self.settings.retry_backoff_s, self.settings.publish_timeout_s
        while True:
            try:
                send = self.producer.send(topic, value, key=key, headers=headers)
                future = await asyncio.wait_for(send, timeout)
                # An attempt given up on may still end later: its outcome is read (and dropped)
                # so that asyncio does not log it as never retrieved.
                future.add_done_callback(lambda f: f.cancelled() or f.exception())
                # shielded: a late acknowledgement is harmless, a cancelled one confuses aiokafka
                await asyncio.wait_for(asyncio.shield(future), timeout)
                return
            except _TOO_LARGE:
                raise
            except (KafkaError, TimeoutError) as exc:
                if self.stopping.is_set():
                    raise PublishAborted(f"crawler: stopping; {topic} not reached") from exc
                metrics.STAGE.retries.labels("publish").inc()
                log.warning(
                    "crawler: publishing to %s failed (%s: %s); retrying in %.1fs",
                    topic,
                    type(exc).__name__,
                    exc or f"no acknowledgement within {timeout}s",
                    delay,
                )
            try:  # a stop ends the wait at once
                await asyncio.wait_for(self.stopping.wait(), delay)
            except TimeoutError:
                pass
            delay = min(delay * 2, 30.0)

    async def _remember(self, state: PageState) -> None:
        """Remember a page Kafka has (never before: a page lost on the way would not be fetched
        again). If remembering fails, the next crawl publishes the page again."""
        if self.store is None:
            return
        try:
            await self.store.record(state)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            self._count("medwire/remember_failed")
            log.warning("crawler: could not remember %s: %s", state.url, exc)

    def _failure(self, url: str, reason: str, detail: str) -> FetchFailure:
        spider = self.crawler.spider
        assert isinstance(spider, SourceSpider)
        return spider.failure(url, reason, detail)

    async def _dead_letter(self, failure: FetchFailure) -> dict[str, Any]:
        source = failure.request.source or "unknown"
        log.error("%s; sent to %s", failure.detail, self.failed_topic)
        headers = failure_headers(failure.reason, failure.detail, "crawler")
        try:
            await self._deliver(
                self.failed_topic,
                failure.request.model_dump_json().encode(),
                key=domain_of(failure.url).encode(),
                headers=headers,
            )
        except PublishAborted:
            self._count(PUBLISH_FAILED)
            raise
        self._count("medwire/dead_lettered")
        metrics.FETCH_FAILED.labels(source, failure.reason).inc()
        # A dead letter of crawl.requests like the stage's own: the dead-letter alert sees it.
        metrics.STAGE.dead_letter(self.requests_topic, failure.reason)
        return {"failed": failure.url, "reason": failure.reason}

    def _item_failed(self, item: Any, response: Any, spider: Any, failure: Any) -> None:
        """An item the pipeline raised on (a bug, or the stop): the crawl is not clean."""
        if not failure.check(PublishAborted):
            self._count(ITEM_ERRORS)
            if self.crawler.stats and not self.crawler.stats.get_value("medwire/item_error"):
                self.crawler.stats.set_value("medwire/item_error", repr(failure.value)[:500])

    def _count(self, stat: str) -> None:
        if self.crawler.stats:
            self.crawler.stats.inc_value(stat)

    async def close_spider(self) -> None:
        assert self.producer is not None
        await self.producer.stop()
