"""medwire's Scrapy add-on: the one place where the crawler's components are wired into Scrapy.

A crawl's Scrapy settings hold two medwire things: `ADDONS` naming `MedwireAddon`, and
`MEDWIRE_CONTEXT`, one typed `CrawlContext` — the service's `CrawlerSettings` (the `MEDWIRE_*`
environment, validated once), the page store and the service's stop event. The add-on derives
every Scrapy setting from the context at add-on priority (a project setting given beside it
wins), and each component reads what it needs from the context (`context_of`), never from a
Scrapy key of its own: a value has one name and one source.

Components and their priorities:

| component | kind | priority | reads |
|---|---|---|---|
| `guard.TargetGuard` | downloader middleware | 50 (before robots.txt is fetched) | `settings.crawl_allow` |
| `middleware.ConditionalGet` | downloader middleware | 560 | `store` |
| `middleware.RetryBackoff` | downloader middleware | 565 (after Scrapy's retry, 550) | `settings.retry_backoff_base_s`, `retry_backoff_max_s` |
| `pipeline.KafkaPublisherPipeline` | item pipeline | 100 | `settings`, `store`, `stopping` |
| `extension.PrometheusStats` | extension | 10 | — |

Scrapy settings derived from `CrawlerSettings`: USER_AGENT (`user_agent`), AUTOTHROTTLE_*
(`autothrottle_start_delay_s`, `concurrency_per_domain`), DOWNLOAD_DELAY (`download_delay_s`),
CONCURRENT_REQUESTS_PER_DOMAIN (`concurrency_per_domain`), DOWNLOAD_TIMEOUT
(`download_timeout_s`), DOWNLOAD_MAXSIZE / WARNSIZE (`max_page_bytes`), RETRY_TIMES
(`retry_times`); fixed: ROBOTSTXT_OBEY, RETRY_ENABLED, no cookies, no telnet, Scrapy's own
logging off (the service logs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scrapy.settings import BaseSettings

from .settings import CrawlerSettings

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from .pipeline import StopEvent
    from .store import PageStore

CONTEXT = "MEDWIRE_CONTEXT"
ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def _stop_event() -> StopEvent:
    from .pipeline import StopEvent

    return StopEvent()


@dataclass(frozen=True)
class CrawlContext:
    """What medwire's components of one crawler share: settings, page store, stop event."""

    settings: CrawlerSettings
    store: PageStore | None = None
    stopping: StopEvent = field(default_factory=_stop_event)

    def __deepcopy__(self, memo: dict[int, Any]) -> CrawlContext:
        return self  # Scrapy copies its settings; a pool and an event are shared, not copied


def context_of(crawler: Crawler) -> CrawlContext:
    """The crawl's context; an error naming the fix when a crawl was set up without it."""
    return context_in(crawler.settings)


def context_in(settings: BaseSettings) -> CrawlContext:
    context = settings.get(CONTEXT)
    if not isinstance(context, CrawlContext):
        raise RuntimeError(
            f"crawler: Scrapy setting {CONTEXT} holds {type(context).__name__}, not a "
            "CrawlContext: build a crawl's settings with medwire_crawler.worker.scrapy_settings"
        )
    return context


def scrapy_settings(context: CrawlContext) -> dict[str, Any]:
    """A crawl's Scrapy settings: the add-on, its context, and the reactor (chosen before any
    crawler exists, so not the add-on's to set)."""
    return {
        "ADDONS": {MedwireAddon: 0},
        CONTEXT: context,
        "TWISTED_REACTOR": ASYNCIO_REACTOR,
    }


class MedwireAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        # Imported here: the components import this module for `context_of`.
        from scrapy.extensions.telnet import TelnetConsole

        from .extension import PrometheusStats
        from .guard import TargetGuard
        from .middleware import ConditionalGet, RetryBackoff
        from .pipeline import KafkaPublisherPipeline

        s = context_in(settings).settings
        components: list[tuple[str, type, int | None]] = [
            ("DOWNLOADER_MIDDLEWARES", TargetGuard, 50),
            ("DOWNLOADER_MIDDLEWARES", ConditionalGet, 560),
            ("DOWNLOADER_MIDDLEWARES", RetryBackoff, 565),
            ("ITEM_PIPELINES", KafkaPublisherPipeline, 100),
            ("EXTENSIONS", PrometheusStats, 10),
            ("EXTENSIONS", TelnetConsole, None),
        ]
        for name, cls, priority in components:
            settings.setdefault_in_component_priority_dict(name, cls, priority)
        derived: dict[str, Any] = {
            "USER_AGENT": s.user_agent,
            "ROBOTSTXT_OBEY": True,
            "AUTOTHROTTLE_ENABLED": True,
            "AUTOTHROTTLE_START_DELAY": s.autothrottle_start_delay_s,
            "AUTOTHROTTLE_TARGET_CONCURRENCY": float(s.concurrency_per_domain),
            "DOWNLOAD_DELAY": s.download_delay_s,
            "CONCURRENT_REQUESTS_PER_DOMAIN": s.concurrency_per_domain,
            "DOWNLOAD_TIMEOUT": s.download_timeout_s,
            "DOWNLOAD_MAXSIZE": s.max_page_bytes,
            "DOWNLOAD_WARNSIZE": s.max_page_bytes // 2,
            "RETRY_ENABLED": True,
            "RETRY_TIMES": s.retry_times,
            "LOG_LEVEL": "WARNING",
            "LOG_ENABLED": False,
            "COOKIES_ENABLED": False,
            # Scrapy parses each callback's source for `return value` in a generator, on every
            # response (its cache misses for bound methods): 16% of a crawl. The spider is ours.
            "WARN_ON_GENERATOR_RETURN_VALUE": False,
        }
        for name, value in derived.items():
            settings.set(name, value, priority="addon")
