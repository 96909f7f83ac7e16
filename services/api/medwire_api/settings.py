"""API settings (`MEDWIRE_*`; `MEDWIRE_API_PORT`, `MEDWIRE_DATABASE_URL`, `MEDWIRE_ADMIN_TOKEN`,
`MEDWIRE_PUBLIC_BASE_URL`…)."""

from urllib.parse import urlsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator

from medwire_common.dburl import sqlalchemy_url
from medwire_common.settings import CommonSettings


class ApiSettings(CommonSettings):
    http_port: int = Field(8000, validation_alias=AliasChoices("MEDWIRE_API_PORT"))
    database_url: str = Field(
        "postgresql://medwire@127.0.0.1:5432/medwire",
        validation_alias=AliasChoices("MEDWIRE_DATABASE_URL"),
    )
    # Processes serving the API on one port (docs/operations.md, "API workers").
    workers: int = Field(1, ge=1, le=64, validation_alias=AliasChoices("MEDWIRE_API_WORKERS"))
    # Characters of an article's text in lists (the whole text at /v1/articles/{id}); 0: all.
    list_text_chars: int = Field(
        2000, ge=0, validation_alias=AliasChoices("MEDWIRE_LIST_TEXT_CHARS")
    )
    # Consume articles.enriched in this process (turn off for read-only API replicas).
    consume: bool = Field(True, validation_alias=AliasChoices("MEDWIRE_API_CONSUME"))
    admin_token: SecretStr = Field(
        SecretStr(""), validation_alias=AliasChoices("MEDWIRE_ADMIN_TOKEN")
    )
    # Hosts and networks (comma-separated: `fixture.local,10.0.0.0/8`) that admin crawl
    # requests may reach although they are internal.
    crawl_allow: str = Field("", validation_alias=AliasChoices("MEDWIRE_CRAWL_ALLOW"))
    # The crawlers' sources.yaml, when the API can read it: a crawl request naming one of its
    # sources is then checked and keyed by the source's domain (else by `source:<name>`).
    sources: str = Field("", validation_alias=AliasChoices("MEDWIRE_SOURCES"))
    # Requests per minute per client address (0: no limit), and the burst allowed above it.
    rate_limit: int = Field(600, validation_alias=AliasChoices("MEDWIRE_RATE_LIMIT"))
    rate_burst: int = Field(60, validation_alias=AliasChoices("MEDWIRE_RATE_BURST"))
    # Reverse proxies (comma-separated addresses or networks, or `*`) whose X-Forwarded-For and
    # X-Forwarded-Proto are believed: behind them a client is known (and rate-limited) by its
    # own address. Anyone else's forwarded headers are ignored.
    forwarded_allow_ips: str = Field(
        "127.0.0.1,::1", validation_alias=AliasChoices("MEDWIRE_FORWARDED_ALLOW_IPS")
    )
    # Origins (comma-separated, or `*`) whose browser pages may call the API.
    cors_origins: str = Field("", validation_alias=AliasChoices("MEDWIRE_CORS_ORIGINS"))
    # How long clients and proxies may reuse a read (seconds; they revalidate with the ETag).
    cache_max_age: int = Field(30, validation_alias=AliasChoices("MEDWIRE_CACHE_MAX_AGE"))
    # The API's address as its clients reach it (`https://api.example.org`, or with a path
    # prefix behind a proxy): links the API writes into feeds start with it. Never taken from
    # the request's Host header, which any client sets and a shared cache would then serve to
    # everyone. Unset: http://127.0.0.1:$MEDWIRE_API_PORT.
    public_base_url: str = Field("", validation_alias=AliasChoices("MEDWIRE_PUBLIC_BASE_URL"))
    db_pool_size: int = Field(10, validation_alias=AliasChoices("MEDWIRE_DB_POOL_SIZE"))
    # A read that runs longer is cancelled and answered 503 (narrow the query): a broad search
    # must not hold a connection and a core for tens of seconds.
    query_timeout_s: float = Field(10, validation_alias=AliasChoices("MEDWIRE_QUERY_TIMEOUT_S"))

    # The OpenSearch alias searches go through: the indexer's (MEDWIRE_INDEXER_ALIAS, with
    # MEDWIRE_TOPIC_PREFIX in front), at MEDWIRE_OPENSEARCH_URL.
    search_alias: str = Field("articles", validation_alias=AliasChoices("MEDWIRE_INDEXER_ALIAS"))
    # A search OpenSearch has not answered in this many seconds is answered 503.
    search_timeout_s: float = Field(
        5, gt=0, validation_alias=AliasChoices("MEDWIRE_SEARCH_TIMEOUT_S")
    )

    @field_validator("public_base_url")
    @classmethod
    def _absolute_http(cls, url: str) -> str:
        parts = urlsplit(url)
        if url and (parts.scheme not in ("http", "https") or not parts.netloc or parts.query):
            raise ValueError(
                f"MEDWIRE_PUBLIC_BASE_URL must be an http(s) URL without a query, got {url!r}"
            )
        return url.rstrip("/")

    @property
    def public_base(self) -> str:
        return self.public_base_url or f"http://127.0.0.1:{self.http_port}"

    @property
    def asyncpg_url(self) -> str:
        return "postgresql://" + self.sqlalchemy_url.removeprefix("postgresql+asyncpg://")

    @property
    def sqlalchemy_url(self) -> str:
        return sqlalchemy_url(self.database_url)
