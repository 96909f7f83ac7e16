"""The API's documentation pages work offline: /docs (Swagger UI) and /redoc load their scripts
and styles from the API itself, never from a CDN (issue #22)."""

from __future__ import annotations

import re

import httpx
import pytest

from medwire_api.app import create_app
from medwire_api.settings import ApiSettings

# src= and href= of <script> and <link> tags: what a browser fetches to render the page.
ASSET = re.compile(r"""<(?:script|link)\b[^>]*?\b(?:src|href)\s*=\s*["']([^"']+)["']""", re.I)
# Swagger UI's page names its assets again in its start-up script (`url: '/openapi.json'`).
SCRIPT_URL = re.compile(r"""\burl\s*:\s*["']([^"']+)["']""")


@pytest.fixture
async def client() -> httpx.AsyncClient:
    # No lifespan: the documentation pages need no database.
    app = create_app(ApiSettings(MEDWIRE_API_CONSUME=False))  # type: ignore[call-arg]
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://api.test")


def expected_type(url: str) -> str:
    path = url.split("?")[0]
    if path.endswith(".js"):
        return "javascript"
    if path.endswith(".css"):
        return "text/css"
    if path.endswith(".png"):
        return "image/png"
    if path.endswith(".json"):
        return "application/json"
    raise AssertionError(f"unexpected asset {url}")


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_pages_load_every_asset_from_the_api(
    client: httpx.AsyncClient, page: str
) -> None:
    async with client:
        response = await client.get(page)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        html = response.text
        assert "cdn." not in html and "https://" not in html and "http://" not in html, html
        assets = set(ASSET.findall(html)) | set(SCRIPT_URL.findall(html))
        # A script, its styles (Swagger UI only), a favicon, and the OpenAPI document.
        assert any(a.endswith(".js") for a in assets), assets
        assert "/openapi.json" in assets or "/openapi.json" in html
        assets.add("/openapi.json")
        for url in sorted(assets):
            assert url.startswith("/"), f"{page} loads {url} from elsewhere than the API"
            asset = await client.get(url)
            assert asset.status_code == 200, url
            assert expected_type(url) in asset.headers["content-type"], (url, asset.headers)
            assert len(asset.content) > 0, url


async def test_swagger_ui_script_is_the_full_bundle(client: httpx.AsyncClient) -> None:
    async with client:
        html = (await client.get("/docs")).text
        [script] = [a for a in ASSET.findall(html) if a.endswith("swagger-ui-bundle.js")]
        body = (await client.get(script)).text
        assert "SwaggerUIBundle" in body and len(body) > 500_000
