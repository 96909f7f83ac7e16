"""Query parameter types every route shares: what a client may send, checked before a route
runs (a 422 problem otherwise). Cursors are checked where they are decoded (core/cursor.py)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any

from fastapi import Query
from pydantic import BeforeValidator

from .core.cursor import MAX_CURSOR_CHARS

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _iso_day(value: Any) -> Any:
    # pydantic also takes a number as a Unix timestamp (`published_to=0` is 1970-01-01) and
    # other spellings of a date: the documented format is YYYY-MM-DD, and only it is accepted.
    if isinstance(value, str) and not _ISO_DAY.fullmatch(value):
        raise ValueError(f"{value[:40]!r} is not a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_day)]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[
    str | None,
    Query(
        max_length=MAX_CURSOR_CHARS,
        description="`next_cursor` of the previous page (opaque; valid for the same `sort`)",
    ),
]
