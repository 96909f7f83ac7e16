"""Which URLs the crawler may fetch: http(s) only, and never an address inside the deployment
(loopback, private, link-local — cloud metadata lives there —, multicast, reserved) after DNS
resolution, unless the host or address is allow-listed (`MEDWIRE_CRAWL_ALLOW`). The API applies
it to what an admin asks for; the crawler to every request it makes (redirects and links too)
and to the addresses its connections are made to."""

from __future__ import annotations

import ipaddress
import socket
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


def resolve_host(host: str) -> list[str]:
    """Every address of `host`, as the system resolver gives them."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)]


def is_internal(address: str | Address, allow_networks: Iterable[Network] = ()) -> bool:
    """Whether an address is inside the deployment (and not allow-listed): not global, or
    multicast; an IPv4 address mapped into IPv6 counts as itself."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%")[0])
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if any(address in n for n in allow_networks):
        return False
    return not address.is_global or address.is_multicast


def check_target(
    url: str,
    resolve: Callable[[str], list[str]],
    allow_hosts: Iterable[str] = (),
    allow_networks: Iterable[Network] = (),
) -> str:
    """The host of `url` if it may be crawled; `RefusedTarget` saying why not otherwise.
    `resolve` gives every address of a host name (all must be public: a name with one public
    and one private address is refused)."""
    host = url_host(url)
    check_host(host, resolve, allow_hosts, allow_networks)
    return host


def url_host(url: str) -> str:
    """The host of `url` if it is an http(s) URL without credentials; `RefusedTarget` if not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedTarget(f"only http and https URLs can be crawled, not {parts.scheme!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise RefusedTarget(f"the URL {url!r} has no host")
    if parts.username or parts.password:
        raise RefusedTarget("URLs with credentials are not crawled")
    return host


def check_host(
    host: str,
    resolve: Callable[[str], list[str]],
    allow_hosts: Iterable[str] = (),
    allow_networks: Iterable[Network] = (),
) -> None:
    """`RefusedTarget` if `host` (a name or an address) is, or resolves to, an internal address
    and is not allow-listed."""
    if host in set(allow_hosts):
        return
    networks = list(allow_networks)
    for address in _addresses(host, resolve):
        if is_internal(address, networks):
            raise RefusedTarget(
                f"the host {host!r} resolves to {address}, an internal address "
                "(loopback, private, link-local or reserved); allow-list it to crawl it"
            )


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
