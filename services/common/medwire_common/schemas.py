"""The records that travel on medwire's topics (JSON, one per message, `schema_version` in each).

`RawPage` is what the crawler publishes to `pages.raw`, `CleanArticle` what the cleaner publishes
to `articles.clean`, `EnrichedArticle` what the extractor publishes to `articles.enriched` and
what the public API returns (DESIGN.md, "The enriched article (v1)").
"""

from __future__ import annotations

import base64
import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .ids import domain_of

SCHEMA_VERSION: Literal[1] = 1

OrgType = Literal[
    "government",
    "company",
    "university",
    "hospital",
    "research_institute",
    "association",
    "park",
    "media",
    "other",
]
EventType = Literal[
    "launch",
    "signing",
    "forum",
    "matchmaking",
    "unveiling",
    "groundbreaking",
    "visit",
    "founding",
    "release",
    "other",
]
AmountKind = Literal["investment", "revenue", "output", "fund", "other"]
Span = tuple[int, int]
Day = date  # alias: records have fields named `date`, which would shadow the type


class Record(BaseModel):
    """Base of every record: unknown fields are kept so that an old consumer passes them on."""

    model_config = ConfigDict(extra="allow")
    schema_version: Literal[1] = SCHEMA_VERSION


class Source(BaseModel):
    name: str
    domain: str


class RawPage(Record):
    """One fetched HTTP response, body included (base64, since pages are bytes of any charset)."""

    page_id: str = Field(description="Fingerprint of the canonical URL")
    url: str = Field(description="URL as requested")
    final_url: str = Field(description="URL after redirects")
    status: int
    headers: dict[str, str] = Field(default_factory=dict)
    body_b64: str = Field(description="Response body, base64")
    declared_encoding: str | None = Field(None, description="Charset from the Content-Type header")
    fetched_at: datetime
    source: Source

    @property
    def body(self) -> bytes:
        return base64.b64decode(self.body_b64)

    @staticmethod
    def encode_body(body: bytes) -> str:
        return base64.b64encode(body).decode("ascii")

    @classmethod
    def of(
        cls,
        url: str,
        body: bytes,
        content_type: str,
        fetched_at: datetime,
        source: Source | None = None,
        status: int = 200,
    ) -> RawPage:
        """A page fetched from `url` (no redirect), for offline use: the CLI, tests, benchmarks."""
        from .ids import domain_of, page_id

        domain = domain_of(url)
        return cls(
            page_id=page_id(url),
            url=url,
            final_url=url,
            status=status,
            headers={"content-type": content_type},
            body_b64=cls.encode_body(body),
            fetched_at=fetched_at,
            source=source or Source(name=domain or "local", domain=domain),
        )


class CleanArticle(Record):
    article_id: str
    page_id: str
    position: int = Field(0, description="Index of the article on its page")
    url: str
    canonical_url: str
    source: Source
    title: str
    subtitle: str | None = None
    published_at: date | None = None
    published_time: str | None = Field(
        None, description="HH:MM (page-local time) when the page gives one"
    )
    fetched_at: datetime
    authors: list[str] = Field(default_factory=list)
    origin: str | None = Field(None, description="Original source the page names (来源:…)")
    captions: list[str] = Field(default_factory=list, description="Photo captions and credits")
    text: str
    language: str = "zh"
    flags: list[str] = Field(default_factory=list)
    original_title: str | None = Field(
        None, description="The title before traditional → simplified"
    )
    original_text: str | None = Field(None, description="The text before traditional → simplified")
    content_hash: str | None = Field(
        None, description="Hash of the text without whitespace (exact duplicates)"
    )
    minhash: list[int] | None = Field(
        None, description="MinHash signature (64 values) for near-duplicates"
    )

    @classmethod
    def of(
        cls,
        article_id: str,
        text: str,
        fetched_at: datetime,
        title: str = "",
        published_at: Day | None = None,
        source: Source | None = None,
    ) -> CleanArticle:
        """Text that is already clean, for offline use: `medwire extract`, tests, benchmarks."""
        url = f"urn:medwire:{article_id}"
        return cls(
            article_id=article_id,
            page_id=article_id,
            url=url,
            canonical_url=url,
            source=source or Source(name="local", domain=""),
            title=title,
            published_at=published_at,
            fetched_at=fetched_at,
            text=text,
        )


class Organization(BaseModel):
    name: str
    aliases: list[str] = Field(default_factory=list)
    type: OrgType = "other"
    spans: list[Span] = Field(default_factory=list)


class Person(BaseModel):
    name: str
    roles: list[str] = Field(default_factory=list)
    organization: str | None = None
    spans: list[Span] = Field(default_factory=list)


class Location(BaseModel):
    name: str
    province: str | None = None
    city: str | None = None
    district: str | None = None
    adcode: str | None = None
    spans: list[Span] = Field(default_factory=list)


class Amount(BaseModel):
    text: str
    value: float
    unit: str = "CNY"
    kind: AmountKind = "other"


class Quantity(BaseModel):
    text: str
    value: float
    unit: str
    approx: bool = False


class Event(BaseModel):
    type: EventType
    date: Day | None = None
    location: str | None = None
    participants: list[str] = Field(default_factory=list)
    summary: str = ""


class Agreement(BaseModel):
    parties: list[str]
    title: str | None = None
    date: Day | None = None


class Policy(BaseModel):
    title: str
    issuer: str | None = None


class EnrichedArticle(CleanArticle):
    organizations: list[Organization] = Field(default_factory=list)
    persons: list[Person] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    amounts: list[Amount] = Field(default_factory=list)
    quantities: list[Quantity] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    agreements: list[Agreement] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)
    topics: list[str] = Field(default_factory=list)
    relevance: float = 0.0
    dup_cluster: str | None = None
    extractor_version: str = ""


class SourceConfig(BaseModel):
    """A source to crawl: an entry of `sources.yaml`, or one managed through the admin API."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.-]+$")
    kind: Literal["sitemap", "rss", "list", "epaper"]
    start_urls: list[str] = Field(min_length=1, max_length=50)
    # Regexes on absolute URLs: which links are articles, which are list/edition pages to follow.
    article_pattern: str | None = Field(None, max_length=500)
    follow_pattern: str | None = Field(None, max_length=500)
    region: str | None = Field(None, max_length=100)
    language: str = Field("zh", max_length=20)
    verified: bool = Field(True, description="False when the source could not be checked from here")
    recrawl_s: int | None = Field(
        None, ge=60, le=7 * 86400, description="Seconds between crawls (default: the crawler's)"
    )

    @field_validator("start_urls")
    @classmethod
    def _http_only(cls, urls: list[str]) -> list[str]:
        for url in urls:
            if not url.startswith(("http://", "https://")) or len(url) > 2000:
                raise ValueError(
                    f"start URL {url[:100]!r} is not http(s) (or over 2,000 characters)"
                )
        return urls

    @field_validator("article_pattern", "follow_pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a valid regular expression: {exc}") from exc
        return pattern

    @property
    def domain(self) -> str:
        return domain_of(self.start_urls[0])


class CrawlRequest(Record):
    """A request on `crawl.requests` (keyed by domain): crawl a configured source, or one URL."""

    source: str | None = Field(None, description="Name of a source in sources.yaml")
    url: str | None = Field(None, description="A single page to fetch (admin requests)")
    requested_at: datetime | None = None
    definition: SourceConfig | None = Field(
        None,
        description="The source itself when it is managed through the admin API (crawlers "
        "need not know it from sources.yaml)",
    )
