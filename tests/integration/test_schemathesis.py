"""Schemathesis against the live OpenAPI of a real API process over HTTP (real PostgreSQL with
stored articles, real OpenSearch with them indexed, real Kafka for the admin routes): every
check (`--checks all`: no 5xx, every response, status code, content type and header as documented, schema-invalid input refused,
schema-valid input accepted, and the stateful links) on every route, the admin ones with a
test token, in a bounded run (`MEDWIRE_FUZZ_EXAMPLES` examples per operation, 25 by default).
Fuzzed crawl targets need no DNS: schemathesis_hooks.py points named hosts at 127.0.0.1, which
the API is told to allow. schemathesis.toml says which refusals of schema-valid requests are
expected (semantic ones, documented as 400/422 problems)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from medwire_api.db import make_engine, migrate, upsert_articles
from medwire_api.settings import ApiSettings
from medwire_indexer.core import MAPPING_VERSION
from tests.support import ROOT, ServiceProcess, free_port

from .conftest import index_articles
from .test_article_filters import ARTICLES

pytestmark = pytest.mark.integration
TOKEN = "schemathesis-token"


async def test_the_live_api_survives_schemathesis(
    fresh_database: str, kafka: str, opensearch: str, topic_prefix: str, log_dir: Path
) -> None:
    engine = make_engine(ApiSettings(MEDWIRE_DATABASE_URL=fresh_database))
    await migrate(engine)
    await upsert_articles(engine, ARTICLES)
    await engine.dispose()
    node = httpx.AsyncClient(base_url=opensearch, timeout=30)
    await index_articles(node, f"{topic_prefix}articles", ARTICLES)
    port = free_port()
    api = ServiceProcess(
        "api",
        port,
        {
            "MEDWIRE_API_PORT": str(port),
            "MEDWIRE_DATABASE_URL": fresh_database,
            "MEDWIRE_API_CONSUME": "false",
            "MEDWIRE_RATE_LIMIT": "0",
            "MEDWIRE_KAFKA_BOOTSTRAP": kafka,
            "MEDWIRE_TOPIC_PREFIX": topic_prefix,
            "MEDWIRE_ADMIN_TOKEN": TOKEN,
            "MEDWIRE_CRAWL_ALLOW": "127.0.0.0/8",
            "MEDWIRE_OPENSEARCH_URL": opensearch,
        },
    )
    api.start(log_dir)
    try:
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "st"),
                "--config-file",
                str(Path(__file__).with_name("schemathesis.toml")),
                "run",
                f"{api.url}/openapi.json",
                "--checks",
                "all",
                "--header",
                f"Authorization: Bearer {TOKEN}",
                "--max-examples",
                os.environ.get("MEDWIRE_FUZZ_EXAMPLES", "25"),
                "--seed",
                "727",
                "--request-timeout",
                "30",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        api.stop()
        await node.delete(f"/{topic_prefix}articles-v{MAPPING_VERSION}")
        await node.aclose()
    report = log_dir / "schemathesis.txt"
    report.write_text(run.stdout + run.stderr)
    assert run.returncode == 0, f"{run.stdout[-6000:]}{run.stderr[-2000:]}\n(all of it: {report})"
