"""The crawler service: consumes `crawl.requests` (keyed by domain, so one domain stays with one
instance of the consumer group) and runs the generic spider for each; `crawl` runs once and exits.
Scrapy, aiokafka and the metrics server share one asyncio loop (Scrapy's asyncio reactor)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import asyncpg
from aiokafka import ConsumerRecord
from aiokafka.errors import KafkaError
from pydantic import ValidationError
from scrapy.crawler import AsyncCrawlerRunner
from sqlalchemy.exc import DBAPIError

from medwire_common.ids import domain_of
from medwire_common.logs import configure_logging
from medwire_common.pgerrors import is_transient_sqlstate
from medwire_common.schemas import CrawlRequest
from medwire_common.sources import Source, SourcesError, load_sources
from medwire_common.stage import (
    BatchHandler,
    Processed,
    RecordError,
    Stage,
    TransientError,
    new_producer,
    parse_record,
    run_service,
    with_backoff,
)

from . import metrics
from .addon import ASYNCIO_REACTOR, CrawlContext
from .addon import scrapy_settings as addon_settings
from .core.names import source_name_for_host
from .pipeline import ITEM_ERRORS, OUT_TOPIC, PUBLISH_FAILED, StopEvent
from .settings import CrawlerSettings
from .spider import SourceSpider
from .store import PageStore

log = logging.getLogger(__name__)
IN_TOPIC = "crawl.requests"


def scrapy_settings(
    settings: CrawlerSettings, store: PageStore | None = None, stopping: StopEvent | None = None
) -> dict[str, Any]:
    """A crawl's Scrapy settings: medwire's add-on and its one context (see `addon`)."""
    context = CrawlContext(settings, store, stopping or StopEvent())
    return addon_settings(context)


async def crawl(
    runner: AsyncCrawlerRunner, source: Source, only_url: str | None = None
) -> dict[str, Any]:
    """Run one crawl to the end. Raises TransientError when it is not done (pages not published,
    stopped midway: crawl it again later) and RecordError when the pipeline failed on a page in
    a way no retry changes (the request is dead-lettered, so replaying it crawls again)."""
    crawler = runner.create_crawler(SourceSpider)
    await runner.crawl(crawler, source=source, only_url=only_url)
    stats = dict(crawler.stats.get_stats()) if crawler.stats else {}
    if stats.get(PUBLISH_FAILED) or stats.get("finish_reason") == "shutdown":
        raise TransientError(
            f"crawler: crawl of source {source.name!r} stopped before its pages were all "
            f"published to {OUT_TOPIC} ({stats.get(PUBLISH_FAILED, 0)} not); it is crawled again"
        )
    if stats.get(ITEM_ERRORS):
        raise RecordError(
            "unexpected_error",
            f"crawler: {stats[ITEM_ERRORS]} pages of source {source.name!r} failed in the "
            f"pipeline, first: {stats.get('medwire/item_error')}; see the crawler's log, then "
            "replay this request",
        )
    log.info(
        "crawled %s: %s pages published, %s robots.txt refusals",
        source.name,
        stats.get("medwire/published", 0),
        stats.get("robotstxt/forbidden", 0),
        extra={"source": source.name, "responses": stats.get("response_received_count", 0)},
    )
    return stats


def resolve(request: CrawlRequest, sources: dict[str, Source]) -> tuple[Source, str | None]:
    if request.definition is not None:  # managed through the admin API
        return request.definition, request.url
    if request.source:
        if request.source not in sources:
            raise RecordError(
                "unknown_source",
                f"crawler: no source named {request.source!r} in "
                f"sources.yaml (known: {', '.join(sorted(sources)) or 'none'})",
            )
        return sources[request.source], request.url
    if request.url and request.url.startswith(("http://", "https://")):
        return adhoc_source(request.url, sources), request.url
    raise RecordError(
        "invalid_request", "crawler: a crawl request needs `source` or an http(s) `url`"
    )


def adhoc_source(url: str, sources: dict[str, Source]) -> Source:
    """The configured source of `url`'s host, else a list source named after the host."""
    try:
        domain = domain_of(url)
        known = next((s for s in sources.values() if s.domain == domain), None)
        return known or Source(name=source_name_for_host(domain), kind="list", start_urls=[url])
    except (ValueError, ValidationError) as exc:  # urlsplit's "Invalid IPv6 URL", a long URL
        raise RecordError("invalid_request", f"crawler: cannot crawl {url[:300]!r}: {exc}") from exc


# Outside the record: retried with backoff by the stage (never dead-lettered).
TRANSIENT = (TransientError, KafkaError, ConnectionError)
DATABASE_DOWN = (asyncpg.PostgresConnectionError, asyncpg.InterfaceError)


def database_away(exc: BaseException) -> bool:
    """The page store unreachable, restarting or busy: the crawl is retried, not dead-lettered."""
    if isinstance(exc, DATABASE_DOWN):
        return True
    return isinstance(exc, asyncpg.PostgresError) and is_transient_sqlstate(exc.sqlstate)


def crawl_handler(runner: AsyncCrawlerRunner, sources: dict[str, Source]) -> BatchHandler:
    async def handle(records: Sequence[ConsumerRecord]) -> list[Processed]:
        results: list[Processed] = []
        for record in records:
            start = time.perf_counter()
            try:
                await crawl_request(runner, sources, record.value)
            except RecordError as exc:
                results.append(Processed(failure=exc))
                continue
            except TRANSIENT:
                raise
            except Exception as exc:  # noqa: BLE001 - one request's crash is its dead letter
                if database_away(exc):
                    raise TransientError(f"crawler: page store unavailable: {exc}") from exc
                log.exception("crawler: crawl request at offset %s failed", record.offset)
                detail = f"crawler: crawl request failed: {type(exc).__name__}: {exc}"
                results.append(Processed(failure=RecordError("unexpected_error", detail)))
                continue
            results.append(Processed(seconds=time.perf_counter() - start))
        return results

    return handle


async def crawl_request(
    runner: AsyncCrawlerRunner, sources: dict[str, Source], value: bytes | None
) -> None:
    if value is None:  # a tombstone: no request at all
        raise RecordError("invalid_record", "crawler: crawl.requests record has no value")
    request = parse_record(
        CrawlRequest, value, "crawler: crawl.requests record is not a CrawlRequest v1"
    )
    source, url = resolve(request, sources)
    await crawl(runner, source, url)


async def open_store(settings: CrawlerSettings) -> PageStore | None:
    if not settings.database_url:
        log.warning("MEDWIRE_DATABASE_URL is unset: pages are not remembered between crawls")
        return None

    async def connect() -> PageStore:
        try:
            return await PageStore.open(settings.database_url)
        # e.g. starting up; SQLAlchemy's errors come from the migrations (`schema`)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, DBAPIError) as exc:
            raise TransientError(str(exc)) from exc

    store: PageStore = await with_backoff(
        "crawler: page store (PostgreSQL)", connect, settings, asyncio.Event()
    )
    return store


async def serve(settings: CrawlerSettings, sources: dict[str, Source]) -> None:
    store = await open_store(settings)
    stopping = StopEvent()
    runner = AsyncCrawlerRunner(scrapy_settings(settings, store, stopping))
    stage = Stage(
        settings, "crawler", IN_TOPIC, [OUT_TOPIC], crawl_handler(runner, sources), metrics.STAGE
    )
    tasks = [asyncio.create_task(stop_crawls(stopping, runner))]
    if settings.crawl_on_start:
        tasks.append(asyncio.create_task(crawl_all(runner, sources)))
    if store is not None and settings.recrawl_s > 0:
        tasks.append(asyncio.create_task(schedule_recrawls(settings, sources, store)))
    try:
        await run_service(stage, settings, settings.http_port, stopping)
    except TransientError as exc:
        if not stopping.is_set():
            raise
        # The crawl under way was not committed: the next start crawls it again.
        log.warning("crawler stopped during a crawl: %s", exc)
    finally:
        for task in tasks:
            task.cancel()
        if store is not None:
            await store.close()


async def stop_crawls(stopping: asyncio.Event, runner: AsyncCrawlerRunner) -> None:
    """On SIGTERM, end the crawl under way rather than finish it (it is not committed, and is
    crawled again after the restart)."""
    await stopping.wait()
    await runner.stop()


async def schedule_recrawls(
    settings: CrawlerSettings, sources: dict[str, Source], store: PageStore
) -> None:
    """Enqueue each source's crawl on `crawl.requests` (keyed by its domain, so that the
    instance that owns the domain crawls it) whenever it is due; the schedule lives in the
    database, so that of several instances one enqueues each crawl. Re-crawls are cheap: pages
    are asked for conditionally and only changed ones published. The sources are those of
    sources.yaml and those switched on through the API's admin routes, read again at each tick
    (a request for a managed one carries its definition, as the API's own requests do; a name
    in sources.yaml wins)."""
    producer = new_producer(settings)
    await with_backoff("crawler: schedule producer", producer.start, settings, asyncio.Event())
    topic = settings.topic(IN_TOPIC)

    async def enqueue_due() -> None:
        managed = [s for s in await store.managed_sources() if s.name not in sources]
        due: list[tuple[Source, Source | None]] = [
            *((s, None) for s in sources.values()),
            *((s, s) for s in managed),
        ]
        for source, definition in due:
            if not await store.claim(source.name, source.recrawl_s or settings.recrawl_s):
                continue
            request = CrawlRequest(
                source=source.name, requested_at=datetime.now(UTC), definition=definition
            )
            try:
                await producer.send_and_wait(
                    topic, request.model_dump_json().encode(), key=source.domain.encode()
                )
            except Exception:
                await store.release(source.name)  # due again next tick
                raise
            metrics.SCHEDULED.labels(source.name).inc()

    try:
        while True:
            try:
                await enqueue_due()
            except Exception as exc:  # noqa: BLE001 - the schedule goes on at the next tick
                log.warning("crawler: re-crawl schedule: %s: %s", type(exc).__name__, exc)
            await asyncio.sleep(settings.schedule_tick_s)
    finally:
        await producer.stop()


async def crawl_all(runner: AsyncCrawlerRunner, sources: dict[str, Source]) -> None:
    for source in sources.values():
        await crawl(runner, source)


async def crawl_once(
    settings: CrawlerSettings, sources: dict[str, Source], names: list[str]
) -> None:
    unknown = [n for n in names if n not in sources]
    if unknown:
        raise SourcesError(f"unknown source(s): {', '.join(unknown)}")
    store = await open_store(settings)
    try:
        runner = AsyncCrawlerRunner(scrapy_settings(settings, store))
        await crawl_all(runner, {n: sources[n] for n in names or sources})
    finally:
        if store is not None:
            await store.close()


def run_on_reactor(coro_factory: Any) -> int:
    """Install Scrapy's asyncio reactor, run the coroutine on its loop, return an exit code."""
    from scrapy.utils.reactor import install_reactor

    install_reactor(ASYNCIO_REACTOR)
    from twisted.internet import reactor

    outcome = {"code": 0}

    def start() -> None:
        task = asyncio.ensure_future(coro_factory())

        def done(t: asyncio.Task[None]) -> None:
            if not t.cancelled() and t.exception() is not None:
                log.error("crawler stopped: %s", t.exception(), exc_info=t.exception())
                outcome["code"] = 1
            reactor.stop()  # type: ignore[attr-defined]

        task.add_done_callback(done)

    reactor.callWhenRunning(start)  # type: ignore[attr-defined]
    reactor.run(installSignalHandlers=False)  # type: ignore[attr-defined]
    return outcome["code"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m medwire_crawler")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="serve: consume crawl.requests (the default)")
    once = sub.add_parser("crawl", help="crawl sources once, publish to pages.raw, exit")
    once.add_argument("--source", action="append", default=[], help="source name (default: all)")
    args = parser.parse_args(argv)
    settings = CrawlerSettings()
    configure_logging("crawler", settings.log_level)
    try:
        sources = load_sources(settings.sources)
    except SourcesError as exc:
        print(f"crawler: {exc}", file=sys.stderr)
        sys.exit(2)
    log.info("crawler starting", extra={"settings": settings.masked(), "sources": len(sources)})
    if args.command == "crawl":
        sys.exit(run_on_reactor(lambda: crawl_once(settings, sources, args.source)))
    sys.exit(run_on_reactor(lambda: serve(settings, sources)))
