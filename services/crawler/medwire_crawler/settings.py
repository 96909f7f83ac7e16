"""Crawler settings (`MEDWIRE_*`, plus `MEDWIRE_CRAWLER_*`, `MEDWIRE_SOURCES` and
`MEDWIRE_DATABASE_URL`)."""

from pydantic import AliasChoices, Field

from medwire_common.settings import CommonSettings


def _env(name: str) -> AliasChoices:
    return AliasChoices(f"MEDWIRE_CRAWLER_{name}")


class CrawlerSettings(CommonSettings):
    http_port: int = Field(8003, validation_alias=_env("PORT"))
    sources: str = Field("sources.yaml", validation_alias=AliasChoices("MEDWIRE_SOURCES"))
    # Where fetched pages are remembered (table crawler_pages), shared by every instance; unset:
    # nothing is remembered, every crawl fetches and publishes every page again.
    database_url: str = Field("", validation_alias=AliasChoices("MEDWIRE_DATABASE_URL"))
    # Hosts and networks the crawler may reach although internal (comma-separated, e.g.
    # `10.0.0.0/8,intranet.local`): every other loopback, private, link-local or reserved
    # address is refused, for every request and connection (see medwire_crawler.guard).
    crawl_allow: str = Field("", validation_alias=AliasChoices("MEDWIRE_CRAWL_ALLOW"))
    user_agent: str = Field(
        "medwire/0.1 (+https://github.com/medwire/medwire)", validation_alias=_env("USER_AGENT")
    )
    concurrency_per_domain: int = Field(4, validation_alias=_env("CONCURRENCY_PER_DOMAIN"))
    download_delay_s: float = Field(0.5, validation_alias=_env("DOWNLOAD_DELAY_S"))
    autothrottle_start_delay_s: float = Field(
        1.0, validation_alias=_env("AUTOTHROTTLE_START_DELAY_S")
    )
    download_timeout_s: float = Field(30, validation_alias=_env("DOWNLOAD_TIMEOUT_S"))
    max_page_bytes: int = Field(8 * 1024 * 1024, validation_alias=_env("MAX_PAGE_BYTES"))
    retry_times: int = Field(2, validation_alias=_env("RETRY_TIMES"))
    # The n-th retry of a page waits RETRY_BACKOFF_S × 2^(n-1) seconds, at most ..._MAX_S.
    retry_backoff_base_s: float = Field(1.0, validation_alias=_env("RETRY_BACKOFF_S"))
    retry_backoff_max_s: float = Field(60.0, validation_alias=_env("RETRY_BACKOFF_MAX_S"))
    # One attempt to publish a page (or a dead letter) waits this long for the broker; a failed
    # attempt is tried again with backoff until the broker answers, never dropped.
    publish_timeout_s: float = Field(30.0, gt=0, validation_alias=_env("PUBLISH_TIMEOUT_S"))
    # Every source is crawled again this often (a source's `recrawl_s` overrides it; 0: never).
    # One crawler instance enqueues each due crawl (the schedule is in the database).
    recrawl_s: float = Field(3600, validation_alias=_env("RECRAWL_S"))
    schedule_tick_s: float = Field(30, validation_alias=_env("SCHEDULE_TICK_S"))
    # Crawl every source once when the service starts (besides what crawl.requests asks for).
    crawl_on_start: bool = Field(False, validation_alias=_env("CRAWL_ON_START"))
