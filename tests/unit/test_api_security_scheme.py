"""The OpenAPI document declares the admin token as a bearer security scheme on exactly the
routes that check it, so clients and Swagger UI's Authorize button know which routes need it
(issue #22)."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator

import httpx
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from medwire_api import routes
from medwire_api.app import create_app
from medwire_api.routes.guards import require_admin
from medwire_api.settings import ApiSettings


def every_route() -> Iterator[APIRoute]:
    """Every route of every router in medwire_api.routes (the routers carry their
    router-wide dependencies, which the app's included routers keep out of sight)."""
    for info in pkgutil.iter_modules(routes.__path__):
        router = getattr(importlib.import_module(f"{routes.__name__}.{info.name}"), "router", None)
        for route in getattr(router, "routes", []):
            if isinstance(route, APIRoute):
                yield route


def calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from calls(sub)


async def test_admin_routes_and_only_they_declare_the_bearer_scheme() -> None:
    app = create_app(ApiSettings(MEDWIRE_API_CONSUME=False))  # type: ignore[call-arg]
    # Which routes check the token, read from the routes themselves, not from their tags.
    guarded = {
        (method.lower(), route.path)
        for route in every_route()
        if require_admin in set(calls(route.dependant))
        for method in route.methods
    }
    assert {("post", "/v1/crawls"), ("get", "/v1/admin/sources")} <= guarded
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://api.test"
    ) as client:
        document = (await client.get("/openapi.json")).json()
    [(name, scheme)] = document["components"]["securitySchemes"].items()
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    seen = set()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            seen.add((method, path))
            if (method, path) in guarded:
                assert operation.get("security") == [{name: []}], (method, path)
                assert {"401", "403"} <= set(operation["responses"]), (method, path)
            else:
                assert "security" not in operation, (method, path)
            headers = [p["name"].lower() for p in operation.get("parameters", [])]
            assert "authorization" not in headers, (method, path)  # the scheme carries it
    assert guarded <= seen
    assert "security" not in document  # no global requirement: the public routes are open
