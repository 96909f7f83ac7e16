"""The crawler reaches nothing inside the deployment unless `MEDWIRE_CRAWL_ALLOW` lists it (the
rule of `medwire_common.targets`, which the API applies to what an admin asks for):

- every request the crawler makes (start URLs, links, redirects, robots.txt) is checked before
  it goes out, and a refused one is dead-lettered as `refused_target`, saying why;
- the addresses its connections are made to pass the same rule, so that a name that resolved
  to a public address for the check and to an internal one for the connection (DNS rebinding)
  reaches nothing: the connection finds no address and fails."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from twisted.internet.interfaces import (
    IHostnameResolver,
    IHostResolution,
    IResolutionReceiver,
)
from zope.interface import implementer

from medwire_common.targets import (
    Network,
    RefusedTarget,
    check_host,
    is_internal,
    parse_allow_list,
    resolve_host,
    url_host,
)

from .addon import context_of

log = logging.getLogger(__name__)

# A host's verdict is kept this long (the connection's own addresses are checked every time).
VERDICT_TTL_S = 60.0
MAX_VERDICTS = 10_000


class RefusedFetch(IgnoreRequest):
    """A request for an internal address that is not allow-listed."""


class TargetGuard:
    """Downloader middleware: refuses requests for internal addresses (see the module)."""

    def __init__(
        self,
        allow_hosts: set[str],
        allow_networks: Sequence[Network],
        resolve: Callable[[str], list[str]] = resolve_host,
    ) -> None:
        self.allow_hosts, self.allow_networks, self.resolve = allow_hosts, allow_networks, resolve
        self._verdicts: dict[str, tuple[float, str | None]] = {}  # host → (until, why refused)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> TargetGuard:
        hosts, networks = parse_allow_list(context_of(crawler).settings.crawl_allow.split(","))
        return cls(hosts, networks)

    async def process_request(self, request: Request) -> Request | Response | None:
        # Here, not at start-up: a CrawlerProcess installs its own resolver when it starts.
        install_resolver(self.allow_hosts, self.allow_networks)
        try:
            host = url_host(request.url)
        except RefusedTarget as exc:
            raise RefusedFetch(f"crawler: refused {request.url}: {exc}") from exc
        why = await self.verdict(host)
        if why is not None:
            raise RefusedFetch(f"crawler: refused {request.url}: {why}")
        return None

    async def verdict(self, host: str) -> str | None:
        """Why `host` is refused, or None (resolved off the event loop, then kept a while)."""
        now = time.monotonic()
        until, why = self._verdicts.get(host, (0.0, None))
        if until > now:
            return why
        try:
            await asyncio.to_thread(
                check_host, host, self.resolve, self.allow_hosts, self.allow_networks
            )
            why = None
        except RefusedTarget as exc:
            why = str(exc)
        if len(self._verdicts) >= MAX_VERDICTS:
            self._verdicts.clear()
        self._verdicts[host] = (now + VERDICT_TTL_S, why)
        return why


def install_resolver(allow_hosts: set[str], allow_networks: Sequence[Network]) -> None:
    """Put `GuardedResolver` in front of the reactor's name resolver, unless it is there."""
    from twisted.internet import reactor  # the one installed by now (importing it installs one)

    current = reactor.nameResolver  # type: ignore[attr-defined]
    if isinstance(current, GuardedResolver):
        current.allow_hosts, current.allow_networks = allow_hosts, allow_networks
        return
    reactor.installNameResolver(GuardedResolver(current, allow_hosts, allow_networks))  # type: ignore[attr-defined]


@implementer(IHostnameResolver)
class GuardedResolver:
    """A name resolver that passes on only the addresses the crawler may connect to."""

    def __init__(
        self, inner: Any, allow_hosts: set[str], allow_networks: Sequence[Network]
    ) -> None:
        self.inner, self.allow_hosts, self.allow_networks = inner, allow_hosts, allow_networks

    def resolveHostName(  # noqa: N802 (Twisted's interface)
        self,
        resolutionReceiver: Any,  # noqa: N803
        hostName: str,  # noqa: N803
        portNumber: int = 0,  # noqa: N803
        addressTypes: Any = None,  # noqa: N803
        transportSemantics: str = "TCP",  # noqa: N803
    ) -> Any:
        receiver = resolutionReceiver
        if hostName.lower() not in self.allow_hosts:
            receiver = _PermittedOnly(resolutionReceiver, hostName, self.allow_networks)
        return self.inner.resolveHostName(
            receiver, hostName, portNumber, addressTypes, transportSemantics
        )


@implementer(IResolutionReceiver)
class _PermittedOnly:
    def __init__(self, receiver: Any, host: str, allow_networks: Sequence[Network]) -> None:
        self.receiver, self.host, self.allow_networks = receiver, host, allow_networks

    def resolutionBegan(self, resolutionInProgress: IHostResolution) -> None:  # noqa: N802, N803
        self.receiver.resolutionBegan(resolutionInProgress)

    def addressResolved(self, address: Any) -> None:  # noqa: N802
        if is_internal(address.host, self.allow_networks):
            log.warning(
                "crawler: %s resolved to internal %s: not connecting", self.host, address.host
            )
            return
        self.receiver.addressResolved(address)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.receiver.resolutionComplete()
