"""Response models of the public API (separate from the table models)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from medwire_common.schemas import EnrichedArticle


class ArticleItem(EnrichedArticle):
    """An article in a listing; with a query, its score and a snippet of its text around the
    first match (HTML-escaped, matches in `<mark>`)."""

    score: float | None = None
    snippet: str | None = None


class ArticlePage(BaseModel):
    items: list[ArticleItem]
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
