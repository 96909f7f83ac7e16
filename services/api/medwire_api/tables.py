"""Table models (SQLModel). Response models live in `schemas.py`; the two never mix."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Computed,
    Date,
    DateTime,
    Index,
    Text,
    column,
    func,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

# The sort date of an article without a publication date: it sorts last. As text, because
# asyncpg sends date.min as -infinity.
UNDATED_SORT_DATE = "0001-01-01"


class ArticleRow(SQLModel, table=True):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_sort", text("sort_date DESC"), text("article_id DESC")),
        Index(
            "ix_articles_source_sort",
            "source_name",
            text("sort_date DESC"),
            text("article_id DESC"),
        ),
        Index("ix_articles_domain", "source_domain"),
    )

    article_id: str = Field(primary_key=True)
    url: str
    canonical_url: str
    source_name: str
    source_domain: str
    title: str
    published_at: date | None = None
    # Keyset pagination needs a non-null sort key; undated articles sort last.
    sort_date: date | None = Field(
        default=None,
        sa_column=Column(
            Date,
            Computed(f"coalesce(published_at, '{UNDATED_SORT_DATE}'::date)", persisted=True),
            nullable=False,
        ),
    )
    fetched_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    language: str
    relevance: float
    topics: list[str] = Field(default_factory=list, sa_column=Column(ARRAY(Text), nullable=False))
    record: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    dup_cluster: str | None = None
    content_hash: str | None = None
    minhash: list[int] | None = Field(
        default=None, sa_column=Column(ARRAY(BigInteger), nullable=True)
    )
    # LSH band keys of the MinHash (medwire_common.dedup.band_keys): duplicate candidates.
    bands: list[int] | None = Field(
        default=None, sa_column=Column(ARRAY(BigInteger), nullable=True)
    )
    ingested_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), server_default=func.now(), nullable=False),
    )
    updated_at: datetime | None = Field(
        default=None,
        sa_column=Column(DateTime(timezone=True), server_default=func.now(), nullable=False),
    )


# Entity tables (migration 0003), written by `entities.py` with bulk SQL; described here for
# the queries that filter and aggregate on them.
organizations = table("organizations", column("organization_id"), column("name"), column("type"))
organization_aliases = table("organization_aliases", column("alias"), column("organization_id"))
article_organizations = table(
    "article_organizations",
    column("article_id"),
    column("organization_id"),
    column("mentions"),
    column("sort_date"),  # the article's (migration 0007)
)
persons = table("persons", column("person_id"), column("name"), column("organization"))
article_persons = table(
    "article_persons", column("article_id"), column("person_id"), column("roles")
)
article_locations = table(
    "article_locations",
    column("article_id"),
    column("name"),
    column("adcode"),
    column("province"),
    column("city"),
    column("district"),
    column("sort_date"),  # the article's (migration 0007)
)
article_events = table(
    "article_events",
    column("article_id"),
    column("position"),
    column("type"),
    column("date"),
    column("location"),
    column("participants"),
    column("summary"),
)
article_agreements = table(
    "article_agreements",
    column("article_id"),
    column("position"),
    column("title"),
    column("date"),
    column("parties"),
)
agreement_parties = table(
    "agreement_parties", column("article_id"), column("position"), column("organization_id")
)
article_policies = table(
    "article_policies", column("article_id"), column("position"), column("title"), column("issuer")
)
