"""Each source's newest publication date, the gauge behind the `MedwireSourceSilent` alert
(real PostgreSQL): read from the store at start-up by index seeks (undated articles aside), and
moved forward, never back, by what is stored afterwards."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from medwire_api.db import upsert_articles
from medwire_api.ingest import read_newest_published, saw_published
from medwire_common.schemas import Source
from tests.support import unique

from .test_entity_storage import article

pytestmark = pytest.mark.integration
GAUGE = "medwire_api_source_newest_published_timestamp_seconds"


def newest(source: str) -> date | None:
    value = REGISTRY.get_sample_value(GAUGE, {"source": source})
    return None if value is None else datetime.fromtimestamp(value, UTC).date()


async def test_the_newest_publication_date_of_each_source_is_read_then_moves_forward(
    api: tuple[httpx.AsyncClient, AsyncEngine],
) -> None:
    _, engine = api
    a, b, undated = unique("src-a-"), unique("src-b-"), unique("src-u-")

    def of(source: str, i: int, published: date | None):  # type: ignore[no-untyped-def]
        return article(
            f"{source}-{i}",
            source=Source(name=source, domain=f"{source}.test"),
            published_at=published,
        )

    await upsert_articles(
        engine,
        [
            of(a, 1, date(2026, 1, 5)),
            of(a, 2, date(2026, 3, 1)),
            of(a, 3, None),  # undated: sorts as 0001-01-01, never the newest
            of(b, 1, date(2025, 12, 31)),
            of(undated, 1, None),
        ],
    )
    assert await read_newest_published(engine) >= 3
    assert newest(a) == date(2026, 3, 1)
    assert newest(b) == date(2025, 12, 31)
    assert newest(undated) is None  # nothing dated: no series, rather than a date of year 1

    saw_published(a, date(2026, 2, 1))  # older: the newest stays
    assert newest(a) == date(2026, 3, 1)
    saw_published(b, date(2026, 1, 2))
    assert newest(b) == date(2026, 1, 2)
