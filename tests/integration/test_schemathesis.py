"""Schemathesis against the live OpenAPI of a real API process over HTTP (real PostgreSQL,
with stored articles): no 5xx and no response outside the documented schema, in a bounded run
(`MEDWIRE_FUZZ_EXAMPLES` examples per operation, 25 by default). The admin routes are left
out: fuzzed URLs would make DNS lookups; their own tests cover them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from medwire_api.db import make_engine, migrate, upsert_articles
from medwire_api.settings import ApiSettings
from tests.support import ROOT, ServiceProcess, free_port

from .test_article_filters import ARTICLES

pytestmark = pytest.mark.integration


async def test_the_live_api_survives_schemathesis(fresh_database: str, log_dir: Path) -> None:
    engine = make_engine(ApiSettings(MEDWIRE_DATABASE_URL=fresh_database))
    await migrate(engine)
    await upsert_articles(engine, ARTICLES)
    await engine.dispose()
    api = ServiceProcess(
        "api",
        free_port(),
        {
            "MEDWIRE_DATABASE_URL": fresh_database,
            "MEDWIRE_API_CONSUME": "false",
            "MEDWIRE_RATE_LIMIT": "0",
        },
    )
    api.port = int(api.port)
    api.env["MEDWIRE_API_PORT"] = str(api.port)
    api.start(log_dir)
    try:
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "st"),
                "run",
                f"{api.url}/openapi.json",
                "--checks",
                "not_a_server_error,response_schema_conformance",
                "--max-examples",
                os.environ.get("MEDWIRE_FUZZ_EXAMPLES", "25"),
                "--seed",
                "727",
                "--exclude-path-regex",
                "^/v1/(crawls|replay)$",
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
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:] + api.log_tail()
