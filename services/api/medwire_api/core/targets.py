"""Which URLs an admin may ask the crawler to fetch: http(s) only, and never an address inside
the deployment (loopback, private, link-local — cloud metadata lives there —, multicast,
reserved) after DNS resolution, unless the host or address is allow-listed."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RefusedTarget(ValueError):
    pass


def parse_allow_list(entries: Iterable[str]) -> tuple[set[str], list[Network]]:
    """Host names and networks (`10.0.0.0/8`, `127.0.0.1`) from `MEDWIRE_CRAWL_ALLOW`."""
    hosts: set[str] = set()
    networks: list[Network] = []
    for entry in (e.strip().lower() for e in entries):
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry)
    return hosts, networks


def check_target(
    url: str,
    resolve: Callable[[str], list[str]],
    allow_hosts: Iterable[str] = (),
    allow_networks: Iterable[Network] = (),
) -> str:
    """The host of `url` if it may be crawled; `RefusedTarget` saying why not otherwise.
    `resolve` gives every address of a host name (all must be public: a name with one public
    and one private address is refused)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedTarget(f"only http and https URLs can be crawled, not {parts.scheme!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise RefusedTarget(f"the URL {url!r} has no host")
    if parts.username or parts.password:
        raise RefusedTarget("URLs with credentials are not crawled")
    if host in set(allow_hosts):
        return host
    addresses = _addresses(host, resolve)
    networks = list(allow_networks)
    for address in addresses:
        if any(address in n for n in networks):
            continue
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise RefusedTarget(
                f"the host {host!r} resolves to {address}, an internal address "
                "(loopback, private, link-local or reserved); allow-list it to crawl it"
            )
    return host


def _addresses(host: str, resolve: Callable[[str], list[str]]) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass  # a name, not an address
    try:
        found = [ipaddress.ip_address(a.split("%")[0]) for a in resolve(host)]
    except OSError as exc:
        raise RefusedTarget(f"the host {host!r} does not resolve ({exc})") from exc
    if not found:
        raise RefusedTarget(f"the host {host!r} does not resolve")
    return found
