"""The records that travel on medwire's topics (JSON, one per message, `schema_version` in each).

`RawPage` is what the crawler publishes to `pages.raw`, `CleanArticle` what the cleaner publishes
to `articles.clean`, `EnrichedArticle` what the extractor publishes to `articles.enriched` and
what the public API returns (DESIGN.md, "The enriched article (v1)").

A record that validates can be stored as it is: no string holds a NUL or a lone surrogate
(PostgreSQL refuses both), numbers are within their meaning (relevance 0–1, offsets ≥ 0) and
dates within a fixed window, so a bad record is refused as `invalid_record` by the first stage
that reads it (and a stage that produced one would fail on its own output)."""

from __future__ import annotations

import base64
import binascii
import math
import re
from datetime import date, datetime
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from .dedup import NUM_PERM
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

# The dates a record may carry. Fixed, not relative to today: a schema must not read the clock
# (a record valid today stays valid on replay). Wide enough for any article's date, narrow
# enough to refuse the year 0001 or 9999 that a bad parse or a hostile producer makes.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2100, 12, 31)
_DAY_WINDOW = {"formatMinimum": f"{EARLIEST_DAY}", "formatMaximum": f"{LATEST_DAY}"}
_MOMENT_WINDOW = {
    "formatMinimum": f"{EARLIEST_DAY}T00:00:00Z",
    "formatMaximum": f"{LATEST_DAY}T23:59:59Z",
}


# Neither PostgreSQL (text, jsonb) nor UTF-8 can hold these: NUL, and lone surrogates (JSON
# refuses those already; a record built in Python could still carry one to the serializer).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def refuse_unstorable(text: str) -> str:
    found = _UNSTORABLE.search(text)
    if found:
        what = "a NUL (U+0000)" if found.group() == "\x00" else "a lone surrogate"
        raise ValueError(
            f"contains {what} at offset {found.start()}, which no stored text may hold"
        )
    return text


_D = TypeVar("_D", bound=date)


def within_date_window(day: _D) -> _D:
    # A datetime is checked on its own calendar day: converting a zone could overflow at the
    # ends of the calendar, which is what this refuses.
    shown = day.date() if isinstance(day, datetime) else day
    if not EARLIEST_DAY <= shown <= LATEST_DAY:
        raise ValueError(f"{day.isoformat()} is outside {EARLIEST_DAY} … {LATEST_DAY}")
    return day


def parses_as_url(url: str) -> str:
    """Stages split URLs (ids, domains): one that cannot be split is a bad record, not a crash."""
    try:
        urlsplit(url).port  # noqa: B018 - reading the port checks it (a number 0–65535)
    except ValueError as exc:
        raise ValueError(f"{url[:200]!r} does not parse as a URL ({exc})") from None
    return url


def _start_before_end(span: tuple[int, int]) -> tuple[int, int]:
    if span[0] > span[1]:
        raise ValueError(f"span {list(span)} ends before it starts")
    return span


# Every string of every record is a StorableStr (its JSON Schema shows the NUL rule).
StorableStr = Annotated[
    str, AfterValidator(refuse_unstorable), Field(json_schema_extra={"pattern": "^[^\\u0000]*$"})
]
Url = Annotated[StorableStr, AfterValidator(parses_as_url)]
Day = Annotated[date, AfterValidator(within_date_window), Field(json_schema_extra=_DAY_WINDOW)]
Moment = Annotated[
    datetime, AfterValidator(within_date_window), Field(json_schema_extra=_MOMENT_WINDOW)
]
Offset = Annotated[int, Field(ge=0)]
Span = Annotated[tuple[Offset, Offset], AfterValidator(_start_before_end)]
# datasketch's affine32 scheme: NUM_PERM values below 2**32 (stored as PostgreSQL bigint).
MinHashValue = Annotated[int, Field(ge=0, le=2**32 - 1)]


class Record(BaseModel):
    """Base of every record: unknown fields are kept so that an old consumer passes them on."""

    model_config = ConfigDict(extra="allow")
    schema_version: Literal[1] = SCHEMA_VERSION

    @model_validator(mode="after")
    def _extra_fields_are_storable(self) -> Record:
        # Kept unknown fields are passed on and stored too (the API's jsonb record).
        for name, value in (self.__pydantic_extra__ or {}).items():
            _refuse_unstorable_within(name, "an unknown field's name")
            _refuse_unstorable_within(value, name)
        return self


def _refuse_unstorable_within(value: Any, where: str) -> None:
    if isinstance(value, str):
        try:
            refuse_unstorable(value)
        except ValueError as exc:
            raise ValueError(f"{where} {exc}") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_unstorable_within(key, f"{where} (a key)")
            _refuse_unstorable_within(item, f"{where}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_unstorable_within(item, f"{where}[{i}]")
    elif isinstance(value, float) and not math.isfinite(value):
        # NaN, Infinity or 1e400: no JSON number (it would be passed on as null)
        raise ValueError(f"{where} is {value}, which is not a JSON number")


class Source(BaseModel):
    name: StorableStr
    domain: StorableStr


class RawPage(Record):
    """One fetched HTTP response, body included (base64, since pages are bytes of any charset)."""

    page_id: StorableStr = Field(description="Fingerprint of the canonical URL")
    url: Url = Field(description="URL as requested")
    final_url: Url = Field(description="URL after redirects")
    status: int = Field(ge=100, le=999)
    headers: dict[str, StorableStr] = Field(default_factory=dict)
    body_b64: str = Field(
        description="Response body, base64", json_schema_extra={"contentEncoding": "base64"}
    )
    declared_encoding: StorableStr | None = Field(
        None, description="Charset from the Content-Type header"
    )
    fetched_at: Moment
    source: Source
    # The body, decoded, with the body_b64 it was decoded from: the cleaner reads it more than
    # once, and `of` starts from the bytes (decoding was 2.5% of `medwire process`).
    _decoded: tuple[str, bytes] | None = PrivateAttr(default=None)

    @field_validator("headers")
    @classmethod
    def _header_names_are_storable(cls, headers: dict[str, str]) -> dict[str, str]:
        # Not in the key's type: JSON Schema would describe a constrained key as a looser object.
        for name in headers:
            refuse_unstorable(name)
        return headers

    @field_validator("body_b64")
    @classmethod
    def _is_base64(cls, body_b64: str) -> str:
        # Checked here, so that a page that exists has a body: a bad one is an invalid record.
        try:
            base64.b64decode(body_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError(f"is not valid base64 ({exc})") from None
        return body_b64

    @property
    def body(self) -> bytes:
        decoded = self._decoded
        if decoded is not None and decoded[0] is self.body_b64:  # not a copy with a new body
            return decoded[1]
        body = base64.b64decode(self.body_b64, validate=True)
        self._decoded = (self.body_b64, body)
        return body

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
        page = cls(
            page_id=page_id(url),
            url=url,
            final_url=url,
            status=status,
            headers={"content-type": content_type},
            body_b64="",
            fetched_at=fetched_at,
            source=source or Source(name=domain or "local", domain=domain),
        )
        # Encoded here, so valid base64 by construction: not decoded again to be checked (the
        # validator's decode was 1.5% of `medwire process` over the real pages).
        page = page.model_copy(update={"body_b64": cls.encode_body(body)})
        page._decoded = (page.body_b64, body)
        return page


class CleanArticle(Record):
    article_id: StorableStr
    page_id: StorableStr
    position: Offset = Field(0, description="Index of the article on its page")
    url: StorableStr
    canonical_url: StorableStr
    source: Source
    title: StorableStr
    subtitle: StorableStr | None = None
    published_at: Day | None = None
    published_time: StorableStr | None = Field(
        None, description="HH:MM (page-local time) when the page gives one"
    )
    fetched_at: Moment
    authors: list[StorableStr] = Field(default_factory=list)
    editors: list[StorableStr] = Field(
        default_factory=list,
        description="Editors the page names (责任编辑, 编辑, 责编): not authors of the text",
    )
    origin: StorableStr | None = Field(None, description="Original source the page names (来源:…)")
    captions: list[StorableStr] = Field(
        default_factory=list, description="Photo captions and credits"
    )
    text: StorableStr
    language: StorableStr = "zh"
    flags: list[StorableStr] = Field(default_factory=list)
    original_title: StorableStr | None = Field(
        None, description="The title before traditional → simplified"
    )
    original_text: StorableStr | None = Field(
        None, description="The text before traditional → simplified"
    )
    content_hash: StorableStr | None = Field(
        None, description="Hash of the text without whitespace (exact duplicates)"
    )
    minhash: list[MinHashValue] | None = Field(
        None,
        min_length=NUM_PERM,
        max_length=NUM_PERM,
        description=f"MinHash signature ({NUM_PERM} values) for near-duplicates",
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
    name: StorableStr
    aliases: list[StorableStr] = Field(default_factory=list)
    type: OrgType = "other"
    spans: list[Span] = Field(default_factory=list)


class Person(BaseModel):
    name: StorableStr
    roles: list[StorableStr] = Field(default_factory=list)
    organization: StorableStr | None = None
    spans: list[Span] = Field(default_factory=list)


class Location(BaseModel):
    name: StorableStr
    province: StorableStr | None = None
    city: StorableStr | None = None
    district: StorableStr | None = None
    adcode: StorableStr | None = None
    spans: list[Span] = Field(default_factory=list)


class Amount(BaseModel):
    text: StorableStr
    value: float = Field(ge=0, allow_inf_nan=False)
    unit: StorableStr = "CNY"
    kind: AmountKind = "other"


class Quantity(BaseModel):
    text: StorableStr
    # Negative for a fall (`下降5%` is -5 %).
    value: float = Field(allow_inf_nan=False)
    unit: StorableStr
    approx: bool = False


class DatedMention(BaseModel):
    """A date as the text writes it, resolved against the page's date: a day (`7月25号`), a range
    (`2025年7月25日至27日`) or a period (`二〇二五年三月`, `上半年`) from `date` to `end_date`."""

    text: StorableStr
    span: Span
    date: Day = Field(description="The day; the first day of a range or a period")
    end_date: Day | None = Field(None, description="The last day of a range or a period")
    period: bool = Field(False, description="A month or half-year: it names no single day")


class Event(BaseModel):
    type: EventType
    date: Day | None = None
    location: StorableStr | None = None
    participants: list[StorableStr] = Field(default_factory=list)
    summary: StorableStr = ""


class Agreement(BaseModel):
    parties: list[StorableStr]
    title: StorableStr | None = None
    date: Day | None = None


class Policy(BaseModel):
    title: StorableStr
    issuer: StorableStr | None = None


class EnrichedArticle(CleanArticle):
    organizations: list[Organization] = Field(default_factory=list)
    persons: list[Person] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    amounts: list[Amount] = Field(default_factory=list)
    quantities: list[Quantity] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    dates: list[DatedMention] = Field(
        default_factory=list, description="Every date the text writes, in text order"
    )
    agreements: list[Agreement] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)
    topics: list[StorableStr] = Field(default_factory=list)
    relevance: float = Field(0.0, ge=0.0, le=1.0, allow_inf_nan=False)
    dup_cluster: StorableStr | None = None
    extractor_version: StorableStr = ""


class SourceConfig(BaseModel):
    """A source to crawl: an entry of `sources.yaml`, or one managed through the admin API."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=r"^[\w.-]+$")
    kind: Literal["sitemap", "rss", "list", "epaper"]
    start_urls: list[Url] = Field(min_length=1, max_length=50)
    # Regexes on absolute URLs: which links are articles, which are list/edition pages to follow.
    article_pattern: StorableStr | None = Field(None, max_length=500)
    follow_pattern: StorableStr | None = Field(None, max_length=500)
    region: StorableStr | None = Field(None, max_length=100)
    language: StorableStr = Field("zh", max_length=20)
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

    source: StorableStr | None = Field(None, description="Name of a source in sources.yaml")
    url: Url | None = Field(None, description="A single page to fetch (admin requests)")
    requested_at: Moment | None = None
    definition: SourceConfig | None = Field(
        None,
        description="The source itself when it is managed through the admin API (crawlers "
        "need not know it from sources.yaml)",
    )
