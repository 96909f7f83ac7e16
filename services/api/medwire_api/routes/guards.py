"""What every admin route shares: the token, and the rule for what may be crawled (http(s),
no loopback, private, link-local or metadata address after DNS resolution, unless
`MEDWIRE_CRAWL_ALLOW` lists it)."""

from __future__ import annotations

import asyncio
import hmac
from typing import Annotated

from fastapi import Header, Request

from medwire_common.schemas import SourceConfig
from medwire_common.targets import RefusedTarget, check_target, parse_allow_list, resolve_host

from ..problems import ProblemError
from ..settings import ApiSettings


async def require_admin(
    request: Request, authorization: Annotated[str | None, Header()] = None
) -> None:
    settings: ApiSettings = request.app.state.settings
    token = settings.admin_token.get_secret_value()
    if not token:
        raise ProblemError(403, "admin routes are off: set MEDWIRE_ADMIN_TOKEN to turn them on")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.encode(), token.encode()):
        raise ProblemError(401, "admin routes need `Authorization: Bearer <MEDWIRE_ADMIN_TOKEN>`")


async def allowed_start_urls(settings: ApiSettings, source: SourceConfig, what: str) -> None:
    """Every start URL of `source` may be crawled; a 422 problem for the first that may not."""
    for url in source.start_urls:
        await allowed_target(settings, url, what)


async def allowed_target(settings: ApiSettings, url: str, what: str = "crawl") -> str:
    """`url`'s host (the crawl request's key) if it may be crawled; a 422 problem if not."""
    hosts, networks = parse_allow_list(settings.crawl_allow.split(","))
    try:
        return await asyncio.to_thread(check_target, url, resolve_host, hosts, networks)
    except RefusedTarget as exc:
        raise ProblemError(422, f"refused to {what} {url!r}: {exc}") from exc
