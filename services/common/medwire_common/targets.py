"""Which URLs the crawler may fetch: http(s) only, and never an address inside the deployment
(loopback, private, link-local — cloud metadata lives there —, multicast, reserved, IPv6
special-purpose ranges, or an IPv6 form of any of these: NAT64, 6to4, Teredo) after DNS
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
    """Whether an address is inside the deployment or off the internet, and not allow-listed."""
    return internal_because(address, allow_networks) is not None


def internal_because(address: str | Address, allow_networks: Iterable[Network] = ()) -> str | None:
    """Why `address` may not be crawled, or None if it may. An IPv4 address must be public
    (not loopback, private, link-local, multicast or reserved). An IPv4 address mapped into
    IPv6 is that IPv4 address (a dual-stack socket's view of it). Any other IPv6 address must
    be public itself, and so must every IPv4 address it carries (NAT64, 6to4, Teredo,
    IPv4-compatible): a translator or relay would connect to that one. Each form passes if it
    is public or in an allow-listed network."""
    if isinstance(address, str):
        address = ipaddress.ip_address(address.split("%")[0])
    networks = list(allow_networks)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if isinstance(address, ipaddress.IPv4Address):
        if _allowed(address, networks) or (address.is_global and not address.is_multicast):
            return None
        return f"{address} is loopback, private, link-local, multicast or reserved"
    for form, carried in embedded_ipv4(address):
        if internal_because(carried, networks):
            return f"its {form} address {carried} is loopback, private, link-local or reserved"
    special = None if _allowed(address, networks) else special_ipv6_range(address)
    return f"{address} is {special}" if special else None


def _allowed(address: Address, networks: list[Network]) -> bool:
    return any(address in n for n in networks)


# IANA's IPv6 special-purpose ranges, written out rather than read from `is_global`, whose table
# changes between Python versions (3.11 deems site-local fec0::/10, IPv4-compatible ::a.b.c.d,
# SRv6 5f00::/16 and the local-use NAT64 prefix global). Outside global unicast (2000::/3) only
# the well-known NAT64 prefix is public: with DNS64, an IPv6-only network sees every IPv4-only
# site there (the IPv4 address it carries is judged as well).
_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_SPECIAL_IPV6 = [
    (ipaddress.IPv6Network(net), name)
    for net, name in (
        ("2001::/32", "Teredo (a tunnel to the IPv4 client it carries)"),
        ("2001::/23", "an IETF protocol assignment (benchmarking, ORCHID…)"),
        ("2001:db8::/32", "documentation"),
        ("3fff::/20", "documentation"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("::/96", "IPv4-compatible (deprecated)"),
        ("64:ff9b:1::/48", "local-use NAT64 (where the IPv4 address sits is the operator's)"),
        ("100::/64", "discard-only"),
        ("5f00::/16", "SRv6 segment identifiers"),
        ("fc00::/7", "unique-local"),
        ("fe80::/10", "link-local"),
        ("fec0::/10", "site-local (deprecated)"),
        ("ff00::/8", "multicast"),
    )
]


def special_ipv6_range(address: ipaddress.IPv6Address) -> str | None:
    """The name of the special-purpose range `address` is in, if it is not a public address."""
    for network, name in _SPECIAL_IPV6:
        if address in network:
            return name
    if address in _GLOBAL_UNICAST or address in _NAT64:
        return None
    return "outside global unicast (2000::/3), unassigned"


def embedded_ipv4(address: ipaddress.IPv6Address) -> list[tuple[str, ipaddress.IPv4Address]]:
    """The IPv4 addresses an IPv6 address carries, with the name of the form that carries
    them: NAT64 (64:ff9b::/96, the last 32 bits), 6to4 (2002::/16, bits 16–48), Teredo
    (2001::/32: the server's, and the client's, stored inverted), IPv4-compatible (::a.b.c.d)."""
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _NAT64:
        return [("NAT64", low32)]
    if address.sixtofour is not None:
        return [("6to4", address.sixtofour)]
    if address.teredo is not None:
        server, client = address.teredo
        return [("Teredo client", client), ("Teredo server", server)]
    if int(address) >> 32 == 0 and int(address) > 1:
        return [("IPv4-compatible", low32)]
    return []


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
        why = internal_because(address, networks)
        if why:
            raise RefusedTarget(
                f"the host {host!r} resolves to {address}, an internal address ({why}); "
                "allow-list it to crawl it"
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
