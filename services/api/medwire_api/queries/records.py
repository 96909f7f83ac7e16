"""What of a stored record a listing returns. Records are served as PostgreSQL renders them
(UTF-8 bytes, not parsed and serialised again); a view is made in the same statement:

- the whole record (feeds, one article by id);
- in lists, the text cut to a bound (`MEDWIRE_LIST_TEXT_CHARS`) with `text_truncated: true`
  when it was longer: a page of 100 articles was 280 kB, and one 12 MB article made a 21 MB
  page; the whole text is at `/v1/articles/{id}`;
- only some fields (`fields=`, or `view=summary`'s), the text among them still bounded.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Text, case, cast, func, literal_column, true

from medwire_common.schemas import EnrichedArticle

from ..schemas import INTERNAL
from ..tables import ArticleRow

PUBLIC_FIELDS = tuple(name for name in EnrichedArticle.model_fields if name not in INTERNAL)
SUMMARY_FIELDS = (
    "article_id",
    "url",
    "title",
    "subtitle",
    "published_at",
    "fetched_at",
    "source",
    "language",
    "topics",
    "relevance",
    "dup_cluster",
)


class View(StrEnum):
    full = "full"
    summary = "summary"


class UnknownField(ValueError):
    """A `fields=` name that is no field of an article (the caller's error: a 422)."""


def chosen_fields(view: View, fields: str | None) -> tuple[str, ...] | None:
    """The fields a list returns: those of `fields` (comma-separated, in the order given,
    each once), else `view`'s; None for every field."""
    if fields is not None:
        names = tuple(dict.fromkeys(n.strip() for n in fields.split(",") if n.strip()))
        unknown = [n for n in names if n not in PUBLIC_FIELDS]
        if unknown or not names:
            raise UnknownField(
                f"fields: {', '.join(map(repr, unknown)) or 'no field named'}; "
                f"an article's fields are {', '.join(PUBLIC_FIELDS)}"
            )
        return names
    return SUMMARY_FIELDS if view is View.summary else None


@dataclass(frozen=True)
class RecordView:
    fields: tuple[str, ...] | None = None  # None: every field
    text_chars: int = 0  # 0: the whole text

    def column(self) -> ColumnElement[Any]:
        """The record as `view` shows it, as UTF-8 bytes, labelled `record`. Field names and
        the bound are written into the statement (the names are checked against the model's,
        the bound is a setting), so a view's statement is one shape."""
        record: Any = ArticleRow.record
        body: Any = record
        if self.fields is not None:
            pairs = [x for name in self.fields for x in (_name(name), record[name])]
            body = func.jsonb_build_object(*pairs)
        if self.text_chars and (self.fields is None or "text" in self.fields):
            text = record["text"].astext
            bound = literal_column(str(int(self.text_chars)))
            cut = func.jsonb_build_object(
                _name("text"), func.left(text, bound), _name("text_truncated"), true()
            )
            body = case((func.length(text) > bound, body.op("||")(cut)), else_=body)
        return func.convert_to(cast(body, Text), literal_column("'UTF8'")).label("record")


def _name(field: str) -> ColumnElement[Any]:
    assert field in PUBLIC_FIELDS or field == "text_truncated", field  # never caller text
    return literal_column(f"'{field}'")


WHOLE = RecordView()
