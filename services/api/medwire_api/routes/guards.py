"""What every admin route shares: the token, bodies free of control characters, and the rule
for what may be crawled (http(s), no loopback, private, link-local or metadata address after
DNS resolution, unless `MEDWIRE_CRAWL_ALLOW` lists it)."""

from __future__ import annotations

import asyncio
import hmac
import re
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, ConfigDict, model_validator

from medwire_common.schemas import SourceConfig
from medwire_common.targets import check_target, parse_allow_list, resolve_host

from ..problems import ProblemError
from ..settings import ApiSettings

# C0, DEL and C1: no name, URL, region, language or pattern has a use for them (a pattern
# writes `\n` or `\t` as an escape), PostgreSQL text cannot hold NUL, and in a log or a
# crawler's request line they are an injection.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def control_character_at(value: Any, where: str = "") -> str | None:
    """Where in `value` (a decoded JSON body: keys, strings, nested lists and objects) the first
    control character is, as `start_urls.0: U+0000`; None if there is none."""
    if isinstance(value, str):
        found = _CONTROL.search(value)
        return f"{where or 'the value'}: U+{ord(found.group()):04X}" if found else None
    items: list[tuple[str, Any]] = []
    if isinstance(value, dict):
        items = [(str(k), k) for k in value] + [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    for key, item in items:
        found_at = control_character_at(item, f"{where}.{key}" if where else key)
        if found_at:
            return found_at
    return None


class AdminInput(BaseModel):
    """A body of an admin route: refused (422) if any string in it holds a control character,
    or if it has a field the route does not know (a typo would otherwise be ignored)."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_control_characters(cls, data: Any) -> Any:
        found = control_character_at(data)
        if found:
            raise ValueError(f"control characters are not allowed ({found})")
        return data


# Declares the `adminToken` bearer scheme in the OpenAPI document on every route that depends on
# it (Swagger UI's Authorize button); the check itself is ours, so a missing or wrong token is a
# problem+json 401 rather than FastAPI's plain 403.
admin_bearer = HTTPBearer(
    scheme_name="adminToken",
    description="`Authorization: Bearer <MEDWIRE_ADMIN_TOKEN>`; admin routes are off (403) "
    "while MEDWIRE_ADMIN_TOKEN is unset.",
    auto_error=False,
)


async def require_admin(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(admin_bearer)],
) -> None:
    settings: ApiSettings = request.app.state.settings
    token = settings.admin_token.get_secret_value()
    if not token:
        raise ProblemError(403, "admin routes are off: set MEDWIRE_ADMIN_TOKEN to turn them on")
    given = credentials.credentials if credentials is not None else ""
    if not given or not hmac.compare_digest(given.encode(), token.encode()):
        # RFC 6750's challenge: the scheme wanted, and whether a token was given and is wrong.
        challenge = 'Bearer realm="medwire admin"' + (', error="invalid_token"' if given else "")
        raise ProblemError(
            401,
            "admin routes need `Authorization: Bearer <MEDWIRE_ADMIN_TOKEN>`",
            headers={"www-authenticate": challenge},
        )


async def allowed_start_urls(settings: ApiSettings, source: SourceConfig, what: str) -> None:
    """Every start URL of `source` may be crawled; a 422 problem for the first that may not."""
    for url in source.start_urls:
        await allowed_target(settings, url, what)


async def allowed_target(settings: ApiSettings, url: str, what: str = "crawl") -> str:
    """`url`'s host (the crawl request's key) if it may be crawled; a 422 problem if not."""
    hosts, networks = parse_allow_list(settings.crawl_allow.split(","))
    try:
        return await asyncio.to_thread(check_target, url, resolve_host, hosts, networks)
    except ValueError as exc:
        # A RefusedTarget, or what urlsplit or IDNA make of a malformed URL or host name
        # (`http://[::1`, a label over 63 characters): refused all the same.
        raise ProblemError(422, f"refused to {what} {url!r}: {exc}") from exc
