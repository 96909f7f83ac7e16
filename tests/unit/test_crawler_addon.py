"""The crawler's Scrapy add-on: a crawl's settings are the add-on and one typed context; the
add-on installs the components and derives Scrapy's settings from CrawlerSettings, a project
setting given beside it wins, and a component built without the context says how to fix it."""

from __future__ import annotations

import pytest
from scrapy.addons import AddonManager
from scrapy.crawler import Crawler
from scrapy.utils.test import get_crawler

from medwire_crawler.addon import CONTEXT, context_of
from medwire_crawler.guard import TargetGuard
from medwire_crawler.middleware import ConditionalGet, RetryBackoff
from medwire_crawler.pipeline import KafkaPublisherPipeline
from medwire_crawler.settings import CrawlerSettings
from medwire_crawler.spider import SourceSpider
from medwire_crawler.worker import scrapy_settings


def applied(settings: dict[str, object]):  # type: ignore[no-untyped-def]
    """A crawler whose settings went through the add-on as `crawler.crawl()` puts them (the
    add-ons are run by hand: `crawl()` would also check the reactor, which other tests in
    this process may have installed otherwise)."""
    crawler = Crawler(SourceSpider, settings)
    AddonManager(crawler).load_settings(crawler.settings)
    return crawler


def test_the_addon_installs_the_components_and_derives_scrapys_settings() -> None:
    settings = CrawlerSettings(
        MEDWIRE_CRAWLER_RETRY_TIMES="7",
        MEDWIRE_CRAWLER_USER_AGENT="medwire-test/1",
        MEDWIRE_CRAWLER_RETRY_BACKOFF_S="0.25",
    )
    crawler = applied(scrapy_settings(settings))
    assert crawler.settings.getdict("DOWNLOADER_MIDDLEWARES") == {
        TargetGuard: 50,
        ConditionalGet: 560,
        RetryBackoff: 565,
    }
    assert crawler.settings.getdict("ITEM_PIPELINES") == {KafkaPublisherPipeline: 100}
    assert crawler.settings.getint("RETRY_TIMES") == 7
    assert crawler.settings["USER_AGENT"] == "medwire-test/1"
    assert context_of(crawler).settings is settings
    # A component reads the context, not a Scrapy key of its own.
    assert RetryBackoff.from_crawler(crawler).base_s == 0.25


def test_a_project_setting_beside_the_addon_wins() -> None:
    crawler = applied({**scrapy_settings(CrawlerSettings()), "RETRY_TIMES": 1})
    assert crawler.settings.getint("RETRY_TIMES") == 1


def test_a_component_without_the_context_says_how_to_build_one() -> None:
    crawler = get_crawler(SourceSpider, {CONTEXT: {"not": "a context"}})
    with pytest.raises(RuntimeError, match="scrapy_settings"):
        RetryBackoff.from_crawler(crawler)
