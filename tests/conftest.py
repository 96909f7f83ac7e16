"""Fixtures for the real infrastructure that scripts/test starts (Kafka, PostgreSQL, OpenSearch)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from tests.support import ROOT, require_env, unique

sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "site"))


@pytest.fixture(scope="session")
def kafka() -> str:
    return require_env("MEDWIRE_TEST_KAFKA")


@pytest.fixture(scope="session")
def database_url() -> str:
    return require_env("MEDWIRE_TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def opensearch() -> str:
    """The base URL of the OpenSearch node scripts/test starts (http://127.0.0.1:PORT)."""
    return require_env("MEDWIRE_TEST_OPENSEARCH")


@pytest.fixture
def topic_prefix() -> str:
    """Each test gets its own topics and consumer groups."""
    return unique("t") + "."


@pytest.fixture
async def fresh_database(database_url: str) -> AsyncIterator[str]:
    """A database of its own for one test, dropped afterwards."""
    name = unique("medwire_t")
    admin = await asyncpg.connect(database_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url.rsplit("/", 1)[0] + "/" + name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
def fixture_site() -> Iterator[str]:
    from server import serve  # tests/fixtures/site/server.py

    httpd, base = serve()
    try:
        yield base
    finally:
        httpd.shutdown()


@pytest.fixture
def log_dir(tmp_path: Path) -> Path:
    return tmp_path
