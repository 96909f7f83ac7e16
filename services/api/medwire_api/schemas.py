"""Response models of the public API (separate from the table models)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from medwire_common.schemas import EnrichedArticle, EventType

# MinHash signatures are pipeline plumbing (duplicate detection, in their own column), not part
# of the public record: stored records leave them out.
INTERNAL = {"minhash"}


class ArticleItem(EnrichedArticle):
    """An article in a listing; with a query, its score and a snippet of its text around the
    first match (HTML-escaped, matches in `<mark>`)."""

    score: float | None = None
    snippet: str | None = None
    text_truncated: bool | None = Field(
        None,
        description="true when `text` was cut to the list's bound (MEDWIRE_LIST_TEXT_CHARS); "
        "the whole text is at /v1/articles/{article_id}",
    )


class ArticleFields(BaseModel):
    """An article in a listing given `fields=` or `view=summary`: only those fields (with
    `score` and `snippet`, and `text_truncated` when `text` was cut)."""

    model_config = ConfigDict(extra="allow")


class ArticlePage(BaseModel):
    items: list[ArticleItem | ArticleFields]
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` to get the next page; null on the last"
    )


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    instance: str | None = None
    errors: list[dict[str, object]] | None = None


Day = date  # models below have fields named `date`, which would shadow the type


class ArticleRef(BaseModel):
    article_id: str
    title: str
    url: str
    published_at: date | None = None
    source: str


class OrganizationItem(BaseModel):
    organization_id: int
    name: str
    type: str
    aliases: list[str]
    article_count: int


class OrganizationPage(BaseModel):
    items: list[OrganizationItem]
    next_cursor: str | None = None


class CoOrganization(BaseModel):
    organization_id: int
    name: str
    type: str
    shared_articles: int


class AgreementItem(BaseModel):
    article: ArticleRef
    position: int
    title: str | None = None
    date: Day | None = None
    parties: list[str]


class PeriodCount(BaseModel):
    period: Day = Field(description="First day of the period")
    articles: int
    key: str | None = Field(None, description="The topic or region counted, with `by`")


class OrganizationDetail(OrganizationItem):
    first_published: Day | None = None
    last_published: Day | None = None
    co_organizations: list[CoOrganization] = Field(
        description="Organisations named in the same articles, most shared first (top 20)"
    )
    agreements: list[AgreementItem] = Field(description="Its agreements, newest first (20)")
    timeline: list[PeriodCount] = Field(description="Its articles per month")
    recent_articles: list[ArticleRef] = Field(description="Its newest articles (10)")


class PersonItem(BaseModel):
    person_id: int
    name: str
    organization: str | None = None
    roles: list[str]
    article_count: int


class PersonPage(BaseModel):
    items: list[PersonItem]
    next_cursor: str | None = None


class EventItem(BaseModel):
    article: ArticleRef
    position: int
    type: str
    date: Day | None = None
    location: str | None = None
    participants: list[str]
    summary: str


class EventPage(BaseModel):
    items: list[EventItem]
    next_cursor: str | None = None


class AgreementPage(BaseModel):
    items: list[AgreementItem]
    next_cursor: str | None = None


class PolicyItem(BaseModel):
    article: ArticleRef
    position: int
    title: str
    issuer: str | None = None


class PolicyPage(BaseModel):
    items: list[PolicyItem]
    next_cursor: str | None = None


class RegionCount(BaseModel):
    adcode: str
    name: str
    articles: int


class TopicCount(BaseModel):
    topic: str = Field(description="As the `topic=` filter takes it")
    articles: int


class EventTypeCount(BaseModel):
    event_type: EventType = Field(description="As the `event_type=` filter takes it")
    articles: int = Field(description="Articles reporting at least one event of this type")
    events: int


class SourceItem(BaseModel):
    name: str
    domain: str
    articles: int
    last_published: Day | None = None
    last_fetched: datetime | None = None
