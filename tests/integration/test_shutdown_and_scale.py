"""Stopping and scaling the stages (real Kafka, each service a real process):

- SIGTERM (what `docker compose stop` and Kubernetes send) mid-work: the cleaner exits 0 within
  10 s, and a cleaner started afterwards goes on from its commit: no page lost, none produced
  twice. (A SIGKILL at the same moment also duplicated nothing in trials — batches are short,
  so the window between produce and commit is rarely hit; the exit status and time are what
  only a graceful stop gives.)
- Three cleaners and three extractors in one consumer group each (`docker compose up --scale
  cleaner=3 --scale extractor=3`) give the same enriched records as one of each.
"""

from __future__ import annotations

import signal
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from medwire_common.schemas import EnrichedArticle, RawPage
from tests.integration.test_dead_letters import fixture_raw_page
from tests.support import (
    ServiceProcess,
    consume,
    free_port,
    produce,
    service_env,
    unique,
    wait_for,
)

pytestmark = pytest.mark.integration

START_TIMEOUT_S = 180  # workers import the cores before a service is healthy
PAGES = 120
FETCHED = datetime(2025, 7, 10, 8, 0, tzinfo=UTC)


def pages(n: int) -> list[tuple[bytes, bytes]]:
    """`n` copies of a fixture page at distinct URLs: distinct pages, articles and ids."""
    base = fixture_raw_page()
    records = []
    for i in range(n):
        page = RawPage.of(
            f"http://fixture.test/news/2025/0710/zhuce-{i}.html",
            base.body,
            "text/html",
            FETCHED,
        )
        records.append((page.page_id.encode(), page.model_dump_json().encode()))
    return records


async def test_sigterm_finishes_the_batch_commits_and_exits_within_10_s(
    kafka: str, topic_prefix: str, log_dir: Path
) -> None:
    def cleaner() -> ServiceProcess:
        port = free_port()
        env = service_env(
            kafka,
            topic_prefix,
            MEDWIRE_CLEANER_PORT=str(port),
            MEDWIRE_CLEANER_WORKERS="2",
            MEDWIRE_BATCH_SIZE="16",
        )
        return ServiceProcess("cleaner", port, env)

    await produce(kafka, topic_prefix + "pages.raw", pages(PAGES))
    first = cleaner().start(log_dir, START_TIMEOUT_S)
    second: ServiceProcess | None = None
    try:
        out = await consume(kafka, topic_prefix + "articles.clean", lambda rs: len(rs) >= 20)
        assert len(out) >= 20, first.log_tail()
        assert first.proc is not None
        sent = time.monotonic()
        first.proc.send_signal(signal.SIGTERM)  # mid-crawl: batches are in hand
        code = first.proc.wait(timeout=30)
        took = time.monotonic() - sent
        assert code == 0, first.log_tail()
        assert took < 10, f"the cleaner took {took:.1f} s to stop on SIGTERM"

        second = cleaner().start(log_dir, START_TIMEOUT_S)
        done = await consume(
            kafka, topic_prefix + "articles.clean", lambda rs: len(rs) >= PAGES, timeout=180
        )
        produced = Counter(r.key for r in done)
        assert len(produced) == PAGES, f"{PAGES - len(produced)} pages lost"
        twice = [k for k, n in produced.items() if n > 1]
        assert not twice, f"{len(twice)} articles produced twice: a batch was not committed"
    finally:
        first.stop()
        if second is not None:
            second.stop()


def outputs(records: list[Any]) -> dict[str, dict[str, Any]]:
    """Enriched records by article id, without what differs between runs by design (when it
    was extracted)."""
    found = {}
    for r in records:
        article = EnrichedArticle.model_validate_json(r.value).model_dump(mode="json")
        article.pop("extracted_at", None)
        found[article["article_id"]] = article
    return found


async def run_stages(
    kafka: str, prefix: str, log_dir: Path, copies: int
) -> dict[str, dict[str, Any]]:
    """`copies` cleaners and `copies` extractors over the same pages; their enriched records."""
    services = []
    try:
        for name in ("cleaner", "extractor"):
            for _ in range(copies):
                port = free_port()
                env = service_env(
                    kafka,
                    prefix,
                    **{f"MEDWIRE_{name.upper()}_PORT": str(port)},
                    **{f"MEDWIRE_{name.upper()}_WORKERS": "1"},
                    MEDWIRE_BATCH_SIZE="8",
                )
                services.append(ServiceProcess(name, port, env).start(log_dir, START_TIMEOUT_S))
        await produce(kafka, prefix + "pages.raw", pages(48))
        done = await consume(
            kafka, prefix + "articles.enriched", lambda rs: len(rs) >= 48, timeout=240
        )
        return outputs(done)
    finally:
        for service in services:
            service.stop()


async def test_three_cleaners_and_three_extractors_give_what_one_of_each_gives(
    kafka: str, log_dir: Path
) -> None:
    one = await run_stages(kafka, unique("one-"), log_dir, 1)
    three = await run_stages(kafka, unique("three-"), log_dir, 3)
    assert len(one) == 48
    differing = {
        key
        for article_id in one
        for key in one[article_id]
        if one[article_id][key] != three.get(article_id, {}).get(key)
    }
    assert three == one, differing


@pytest.mark.parametrize("workers", ["1", "2"])
async def test_an_api_waiting_for_its_database_stops_on_sigterm(
    kafka: str, topic_prefix: str, log_dir: Path, workers: str
) -> None:
    """uvicorn acts on SIGTERM only after the application's start-up; the API's start-up waits
    for PostgreSQL (migrations, with backoff up to 30 s a try): it ran on until SIGKILL."""
    port = free_port()
    env = service_env(
        kafka,
        topic_prefix,
        MEDWIRE_API_PORT=str(port),
        MEDWIRE_DATABASE_URL=f"postgresql://medwire@127.0.0.1:{free_port()}/medwire",  # nobody
        MEDWIRE_API_CONSUME="false",
        MEDWIRE_API_WORKERS=workers,
        MEDWIRE_RETRY_BACKOFF_S="2",
    )
    api = ServiceProcess("api", port, env).start(log_dir, wait_healthy=False)
    try:
        waiting = await wait_for(
            lambda: api.log_tail(50).count("migrating the database failed") >= int(workers),
            timeout=60,
        )
        assert waiting, api.log_tail()
        assert api.proc is not None
        sent = time.monotonic()
        api.proc.send_signal(signal.SIGTERM)
        api.proc.wait(timeout=30)
        took = time.monotonic() - sent
        assert took < 10, f"the API took {took:.1f} s to stop on SIGTERM:\n{api.log_tail()}"
    finally:
        api.stop()
