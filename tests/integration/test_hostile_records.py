"""Records a producer should never have sent (issue #18, finding 6) are dead-lettered as
`invalid_record`, naming the field, by the real consumers on real Kafka, and never reach
PostgreSQL: a NUL in the text, relevance 5.0, published_at 0001-01-01, position -5; and a raw
page whose body is not base64."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from medwire_api.db import upsert_articles
from medwire_common.schemas import EARLIEST_DAY, LATEST_DAY, EnrichedArticle
from medwire_extractor.core import extract
from tests.integration.test_dead_letters import fixture_clean_article, fixture_raw_page
from tests.support import (
    ServiceProcess,
    consume,
    free_port,
    headers_of,
    produce,
    service_env,
    wait_for,
)
from tests.unit.test_fuzz_records import ENRICHED, FUZZ

pytestmark = pytest.mark.integration

HOSTILE: dict[str, tuple[dict[str, Any], str]] = {
    # article_id: (change, the field the dead letter must name)
    "nul-in-text": ({"text": "医疗器械\u0000注册人制度"}, "text"),
    "relevance-5": ({"relevance": 5.0}, "relevance"),
    "year-0001": ({"published_at": "0001-01-01"}, "published_at"),
    "position-minus-5": ({"position": -5}, "position"),
}


async def test_api_dead_letters_out_of_bounds_articles_and_stores_none_of_them(
    kafka: str, topic_prefix: str, fresh_database: str, log_dir: Path
) -> None:
    port = free_port()
    env = service_env(
        kafka, topic_prefix, MEDWIRE_API_PORT=str(port), MEDWIRE_DATABASE_URL=fresh_database
    )
    service = ServiceProcess("api", port, env).start(log_dir)
    try:
        good = extract(fixture_clean_article())
        valid = good.model_dump(mode="json")
        records = [
            (b"same-partition", json.dumps({**valid, **change, "article_id": ident}).encode())
            for ident, (change, _) in HOSTILE.items()
        ]
        # One key: one partition, so the good record is stored after the others were handled.
        records.append((b"same-partition", good.model_dump_json().encode()))
        await produce(kafka, topic_prefix + "articles.enriched", records)

        dlq = await consume(
            kafka,
            topic_prefix + "articles.enriched.dlq",
            lambda rs: len(rs) >= len(HOSTILE),
            timeout=60,
        )
        assert len(dlq) == len(HOSTILE), service.log_tail()
        for letter in dlq:
            ident = json.loads(letter.value)["article_id"]
            headers = headers_of(letter)
            assert headers["medwire-error-reason"] == "invalid_record", headers
            assert f"first at {HOSTILE[ident][1]}:" in headers["medwire-error-detail"], headers

        stored = await stored_ids(fresh_database, good.article_id)
        assert stored == [good.article_id], service.log_tail()
        text = service.metrics_text()
        assert (
            f'medwire_api_records_failed_total{{reason="invalid_record",'
            f'topic="{topic_prefix}articles.enriched"}} {float(len(HOSTILE))}' in text
        )
    finally:
        service.stop()


async def stored_ids(database_url: str, awaited: str, timeout: float = 60) -> list[str]:
    """Every stored article id, once `awaited` is among them (or the time is up)."""

    async def read() -> list[str] | None:
        conn = await asyncpg.connect(database_url)
        try:
            exists = await conn.fetchval("SELECT to_regclass('articles') IS NOT NULL")
            if not exists:
                return None
            ids = [r[0] for r in await conn.fetch("SELECT article_id FROM articles")]
        finally:
            await conn.close()
        return ids if awaited in ids else None

    return list(await wait_for(read, timeout=timeout) or [])


async def test_cleaner_dead_letters_a_page_whose_body_is_not_base64(
    kafka: str, topic_prefix: str, log_dir: Path
) -> None:
    port = free_port()
    env = service_env(kafka, topic_prefix, MEDWIRE_CLEANER_PORT=str(port))
    service = ServiceProcess("cleaner", port, env).start(log_dir)
    try:
        page = fixture_raw_page()
        bad = json.dumps({**page.model_dump(mode="json"), "body_b64": "%%% not base64 %%%"})
        await produce(
            kafka,
            topic_prefix + "pages.raw",
            [(b"p", bad.encode()), (b"p", page.model_dump_json().encode())],
        )
        dlq = await consume(kafka, topic_prefix + "pages.raw.dlq", lambda rs: len(rs) >= 1)
        assert len(dlq) == 1, service.log_tail()
        headers = headers_of(dlq[0])
        assert headers["medwire-error-reason"] == "invalid_record", headers
        assert "first at body_b64:" in headers["medwire-error-detail"]
        outputs = await consume(kafka, topic_prefix + "articles.clean", lambda rs: len(rs) >= 1)
        assert outputs, service.log_tail()  # and the page after it is cleaned
    finally:
        service.stop()


# Every record the schema accepts, however extreme, is one PostgreSQL stores: the schema, not the
# database, is where a bad record is refused.

STORABLE_TEXT = st.text(st.characters(exclude_characters="\x00"), max_size=40)
BIG = st.integers(min_value=0, max_value=2**70)
DAYS = st.dates(min_value=EARLIEST_DAY, max_value=LATEST_DAY)


@st.composite
def extreme_articles(draw: st.DrawFn) -> EnrichedArticle:
    start, length = draw(BIG), draw(BIG)
    span = [start, start + length]
    fetched = datetime.combine(draw(DAYS), datetime.min.time(), UTC)
    return EnrichedArticle.model_validate(
        {
            **ENRICHED,
            "article_id": draw(STORABLE_TEXT),
            "title": draw(STORABLE_TEXT),
            "text": draw(STORABLE_TEXT),
            "url": "http://x.test/" + draw(STORABLE_TEXT),
            "source": {"name": draw(STORABLE_TEXT), "domain": draw(STORABLE_TEXT)},
            "position": draw(BIG),
            "published_at": draw(st.none() | DAYS),
            "fetched_at": fetched,
            "relevance": draw(st.floats(0, 1)),
            "topics": draw(st.lists(STORABLE_TEXT, max_size=3)),
            "organizations": [{"name": draw(STORABLE_TEXT), "spans": [span]}],
            "persons": [{"name": draw(STORABLE_TEXT), "roles": [draw(STORABLE_TEXT)]}],
            "locations": [{"name": draw(STORABLE_TEXT), "adcode": draw(STORABLE_TEXT)}],
            "amounts": [{"text": "x", "value": draw(st.floats(0, 1e308))}],
            "quantities": [{"text": "x", "value": draw(st.floats(-1e308, 1e308)), "unit": "%"}],
            "events": [{"type": "launch", "date": draw(st.none() | DAYS)}],
            "agreements": [{"parties": [draw(STORABLE_TEXT)], "date": draw(st.none() | DAYS)}],
            "minhash": draw(
                st.none() | st.lists(st.integers(0, 2**32 - 1), min_size=64, max_size=64)
            ),
            "an_unknown_field": {
                draw(STORABLE_TEXT): [
                    draw(BIG),
                    draw(st.floats(allow_nan=False, allow_infinity=False)),
                ]
            },
        }
    )


async def test_postgresql_stores_every_article_the_schema_accepts(api) -> None:
    _, engine = api
    examples: dict[str, EnrichedArticle] = {}

    @FUZZ
    @given(extreme_articles())
    def collect(article: EnrichedArticle) -> None:
        examples[article.article_id] = article

    collect()
    rejected = []
    for article in examples.values():
        try:
            await upsert_articles(engine, [article])
        except DBAPIError as exc:
            rejected.append((article.article_id, str(exc.orig)[:200]))
    assert not rejected
    async with engine.connect() as conn:
        stored = set((await conn.execute(text("SELECT article_id FROM articles"))).scalars())
        assert stored == set(examples)
        # The query docs/operations.md gives to find articles outside the bounds finds none.
        outside = (await conn.execute(text(OUTSIDE_THE_BOUNDS))).scalars().all()
        assert outside == []


OUTSIDE_THE_BOUNDS = """
SELECT article_id FROM articles
WHERE relevance NOT BETWEEN 0 AND 1
   OR published_at NOT BETWEEN DATE '1900-01-01' AND DATE '2100-12-31'
   OR (record->>'position')::bigint < 0
"""
