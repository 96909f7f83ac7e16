"""Item pipeline that publishes every fetched page to `pages.raw` with aiokafka, keyed by the
page's URL fingerprint, and every page that could not be fetched to `crawl.requests.dlq`
(keyed by domain, the reason in the headers). The crawl is only done when every send is
acknowledged."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer
from scrapy.crawler import Crawler

from medwire_common.ids import domain_of
from medwire_common.schemas import RawPage
from medwire_common.stage import failure_headers, new_producer

from . import metrics
from .settings import CrawlerSettings
from .spider import FetchFailure
from .store import PageState, page_store

log = logging.getLogger(__name__)
OUT_TOPIC = "pages.raw"
REQUESTS_TOPIC = "crawl.requests"
FAILED_TOPIC = f"{REQUESTS_TOPIC}.dlq"


class KafkaPublisherPipeline:
    def __init__(self, settings: CrawlerSettings, crawler: Crawler) -> None:
        self.settings = settings
        self.crawler = crawler
        self.topic = settings.topic(OUT_TOPIC)
        self.failed_topic = settings.topic(FAILED_TOPIC)
        self.requests_topic = settings.topic(REQUESTS_TOPIC)
        self.store = page_store(crawler.settings)
        self.producer: AIOKafkaProducer | None = None
        self.pending: set[asyncio.Future[Any]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KafkaPublisherPipeline:
        settings = crawler.settings.get("MEDWIRE_SETTINGS") or CrawlerSettings()
        return cls(settings, crawler)

    async def open_spider(self) -> None:
        self.producer = new_producer(self.settings)
        await self.producer.start()

    async def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        assert self.producer is not None
        if "failure" in item:
            return await self._dead_letter(item["failure"])
        page: RawPage = item["page"]
        future = await self.producer.send(
            self.topic, page.model_dump_json().encode(), key=page.page_id.encode()
        )
        self.pending.add(future)
        future.add_done_callback(lambda f, source=page.source.name: self._sent(f, source))
        state: PageState | None = item.get("state")
        if state is not None and self.store is not None:
            remembering = asyncio.ensure_future(self._remember(future, state))
            self.pending.add(remembering)
            remembering.add_done_callback(self.pending.discard)
        return {"page_id": page.page_id, "url": page.final_url, "status": page.status}

    async def _remember(self, published: asyncio.Future[Any], state: PageState) -> None:
        """Remember the page once Kafka has it (not before: a page lost on the way would never
        be fetched again). If remembering fails, the next crawl publishes the page again."""
        assert self.store is not None
        try:
            await published
        except Exception:  # noqa: BLE001 - counted and logged by _sent
            return
        try:
            await self.store.record(state)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
            if self.crawler.stats:
                self.crawler.stats.inc_value("medwire/remember_failed")
            log.warning("crawler: could not remember %s: %s", state.url, exc)

    async def _dead_letter(self, failure: FetchFailure) -> dict[str, Any]:
        assert self.producer is not None
        source = failure.request.source or "unknown"
        log.error("%s; sent to %s", failure.detail, self.failed_topic)
        metrics.FETCH_FAILED.labels(source, failure.reason).inc()
        # A dead letter of crawl.requests like the stage's own: the dead-letter alert sees it.
        metrics.STAGE.dead_letter(self.requests_topic, failure.reason)
        headers = failure_headers(failure.reason, failure.detail, "crawler")
        future = await self.producer.send(
            self.failed_topic,
            failure.request.model_dump_json().encode(),
            key=domain_of(failure.request.url or "").encode(),
            headers=headers,
        )
        self.pending.add(future)
        future.add_done_callback(self.pending.discard)
        return {"failed": failure.request.url, "reason": failure.reason}

    def _sent(self, future: asyncio.Future[Any], source: str) -> None:
        self.pending.discard(future)
        if future.cancelled() or future.exception() is not None:
            metrics.PUBLISH_FAILED.labels(source).inc()
            if self.crawler.stats:
                self.crawler.stats.inc_value("medwire/publish_failed")
            log.error(
                "crawler: publishing to %s failed: %s",
                self.topic,
                "cancelled" if future.cancelled() else future.exception(),
            )
        else:
            metrics.PUBLISHED.labels(source).inc()
            metrics.STAGE.produced.labels(self.topic).inc()
            if self.crawler.stats:
                self.crawler.stats.inc_value("medwire/published")

    async def close_spider(self) -> None:
        assert self.producer is not None
        try:
            await self.producer.flush()
            if self.pending:
                await asyncio.gather(*list(self.pending), return_exceptions=True)
        finally:
            await self.producer.stop()
