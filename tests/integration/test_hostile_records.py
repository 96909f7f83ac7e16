"""Records a producer should never have sent (issue #18, finding 6) are dead-lettered as
`invalid_record`, naming the field, by the real consumers on real Kafka, and never reach
PostgreSQL: a NUL in the text, relevance 5.0, published_at 0001-01-01, position -5; and a raw
page whose body is not base64."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import asyncpg
import pytest

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
