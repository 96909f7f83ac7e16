"""The API app on its own database, served in-process (no consumer): `api` is (client, engine)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from medwire_api.app import create_app
from medwire_api.settings import ApiSettings


@pytest.fixture
async def api(fresh_database: str) -> AsyncIterator[tuple[httpx.AsyncClient, object]]:
    settings = ApiSettings(MEDWIRE_DATABASE_URL=fresh_database, MEDWIRE_API_CONSUME=False)
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api.test") as client:
            yield client, app.state.engine
