"""Admin crawl requests are refused for internal addresses, after resolution (SSRF)."""

from __future__ import annotations

import re

import pytest

from medwire_common.targets import RefusedTarget, check_target, parse_allow_list

DNS = {
    "news.example.cn": ["203.0.113.7"],  # documentation range: not global, see below
    "nmpa.gov.cn": ["36.112.10.1"],
    "rebind.example": ["36.112.10.1", "10.0.0.5"],  # one internal address is enough to refuse
    "v6.example": ["2001:4860:4860::8888"],
    "mapped.example": ["::ffff:127.0.0.1"],
}


def resolve(host: str) -> list[str]:
    if host not in DNS:
        raise OSError("Name or service not known")
    return DNS[host]


@pytest.mark.parametrize(
    "url", ["https://nmpa.gov.cn/yaowen/1.html", "http://v6.example/", "http://36.112.10.1:8080/x"]
)
def test_public_http_targets_pass(url: str) -> None:
    assert check_target(url, resolve)


@pytest.mark.parametrize(
    "url, why",
    [
        ("ftp://nmpa.gov.cn/", "only http"),
        ("file:///etc/passwd", "only http"),
        ("http:///nohost", "no host"),
        ("http://user:pw@nmpa.gov.cn/", "credentials"),
        ("http://127.0.0.1:9092/", "internal"),
        ("http://localhost.invalid/", "does not resolve"),
        ("http://169.254.169.254/latest/meta-data/", "internal"),  # cloud metadata
        ("http://[::1]/", "internal"),
        ("http://10.1.2.3/", "internal"),
        ("http://192.168.0.1/", "internal"),
        ("http://100.64.0.1/", "internal"),  # carrier-grade NAT
        ("http://224.0.0.1/", "internal"),
        ("http://rebind.example/", "10.0.0.5"),
        ("http://mapped.example/", "internal"),
        ("http://news.example.cn/", "internal"),
    ],
)
def test_internal_or_odd_targets_are_refused(url: str, why: str) -> None:
    with pytest.raises(RefusedTarget, match=why):
        check_target(url, resolve)


def test_the_allow_list_admits_named_hosts_and_networks() -> None:
    hosts, networks = parse_allow_list(["fixture.local", " 127.0.0.0/8 ", "", "10.0.0.5"])
    assert hosts == {"fixture.local"}
    assert check_target("http://fixture.local:8001/", resolve, hosts, networks) == "fixture.local"
    assert check_target("http://127.0.0.1:8001/", resolve, hosts, networks) == "127.0.0.1"
    assert check_target("http://rebind.example/", resolve, hosts, networks) == "rebind.example"
    # An allow-listed IPv4 address is allowed mapped into IPv6 too.
    assert check_target("http://mapped.example/", resolve, hosts, networks) == "mapped.example"
    with pytest.raises(RefusedTarget):
        check_target("http://192.168.0.1/", resolve, hosts, networks)


# --- IPv6 forms: an address that carries an IPv4 address is judged as that address too, and the
# special-purpose IPv6 ranges (IANA's registry) are internal whatever Python's version says. ---


@pytest.mark.parametrize(
    "url, embedded",
    [
        ("http://[64:ff9b::a9fe:a9fe]/", "169.254.169.254"),  # NAT64 (RFC 6052) of cloud metadata
        ("http://[2002:a9fe:a9fe::]/", "169.254.169.254"),  # 6to4: bits 16-48
        ("http://[::127.0.0.1]/", "127.0.0.1"),  # IPv4-compatible (deprecated)
        ("http://[64:ff9b::10.1.2.3]/", "10.1.2.3"),
        ("http://[2002:c0a8:1::1]/", "192.168.0.1"),
        ("http://[::ffff:127.0.0.1]/", "127.0.0.1"),  # IPv4-mapped
        # Teredo: the client's address is stored inverted (here 127.0.0.1), the server's plainly.
        ("http://[2001:0:2470:a01:0:0:80ff:fffe]/", "127.0.0.1"),
    ],
)
def test_ipv6_forms_of_internal_ipv4_addresses_are_refused(url: str, embedded: str) -> None:
    with pytest.raises(RefusedTarget, match=rf"internal.*{re.escape(embedded)}"):
        check_target(url, resolve)


@pytest.mark.parametrize(
    "address",
    [
        "64:ff9b:1::a9fe:a9fe",  # local-use NAT64 (RFC 8215): where the IPv4 sits is the operator's
        "::36.112.10.1",  # IPv4-compatible, even of a public address: deprecated, never routed
        "2001:0:2470:a01::dc8f:f5fe",  # Teredo of a public client (35.112.10.1): a tunnel
        "fec0::1",  # site-local (deprecated)
        "fc00::1",  # unique-local
        "fd12:3456::1",
        "fe80::1",  # link-local
        "ff02::1",  # multicast, link scope
        "ff0e::1",  # multicast, global scope
        "2001:db8::1",  # documentation
        "3fff::1",  # documentation (RFC 9637)
        "100::1",  # discard-only
        "2001:10::1",  # ORCHID
        "2001:2::1",  # benchmarking
        "5f00::1",  # SRv6 SIDs
        "::",
        "::1",
    ],
)
def test_special_purpose_ipv6_addresses_are_refused(address: str) -> None:
    with pytest.raises(RefusedTarget, match="internal"):
        check_target(f"http://[{address}]/", resolve)


@pytest.mark.parametrize(
    "address",
    [
        "2001:4860:4860::8888",
        "64:ff9b::2470:a01",  # NAT64 of 36.112.10.1: an IPv6-only network with DNS64 sees this
        "2002:2470:a01::1",  # 6to4 of 36.112.10.1
    ],
)
def test_ipv6_forms_of_public_addresses_pass(address: str) -> None:
    assert check_target(f"http://[{address}]/", resolve) == address


def test_a_name_resolving_to_an_ipv6_form_of_an_internal_address_is_refused() -> None:
    dns = {"nat64.example": ["2001:4860:4860::8888", "64:ff9b::7f00:1"]}
    with pytest.raises(RefusedTarget, match="127.0.0.1"):
        check_target("http://nat64.example/", dns.__getitem__)


def test_an_embedding_address_is_admitted_only_if_each_of_its_forms_is_allowed() -> None:
    hosts, v4_only = parse_allow_list(["10.0.0.0/8"])
    # A mapped address is the IPv4 address itself (a dual-stack socket's view of it).
    assert check_target("http://[::ffff:10.1.2.3]/", resolve, hosts, v4_only)
    # NAT64 and 6to4 of an allow-listed network: the IPv6 form is public, the IPv4 allowed.
    assert check_target("http://[64:ff9b::10.1.2.3]/", resolve, hosts, v4_only)
    assert check_target("http://[2002:a01:203::]/", resolve, hosts, v4_only)
    # Teredo and IPv4-compatible forms are internal as IPv6 addresses: allowing 10/8 is not
    # allowing a tunnel or a deprecated form to it.
    with pytest.raises(RefusedTarget, match="internal"):
        check_target("http://[::10.1.2.3]/", resolve, hosts, v4_only)
    # Allow-listing the IPv6 range does not admit the internal IPv4 address it carries.
    hosts, v6_only = parse_allow_list(["64:ff9b::/96", "2001::/32"])
    with pytest.raises(RefusedTarget, match="169.254.169.254"):
        check_target("http://[64:ff9b::a9fe:a9fe]/", resolve, hosts, v6_only)
    with pytest.raises(RefusedTarget, match="127.0.0.1"):
        check_target("http://[2001:0:2470:a01:0:0:80ff:fffe]/", resolve, hosts, v6_only)
    # Both allowed: admitted.
    hosts, both = parse_allow_list(["2001::/32", "127.0.0.0/8"])
    assert check_target("http://[2001:0:2470:a01:0:0:80ff:fffe]/", resolve, hosts, both)
    # The local-use NAT64 prefix is admitted only when it is allow-listed itself.
    hosts, local_nat64 = parse_allow_list(["64:ff9b:1::/48"])
    assert check_target("http://[64:ff9b:1::a9fe:a9fe]/", resolve, hosts, local_nat64)


# --- the crawler's guard: every request, and the addresses its connections are made to ---------

from twisted.internet.address import IPv4Address, IPv6Address  # noqa: E402
from zope.interface.verify import verifyObject  # noqa: E402

from medwire_crawler.guard import GuardedResolver, RefusedFetch, TargetGuard  # noqa: E402


class Request:
    def __init__(self, url: str) -> None:
        self.url = url


def guard(allow: str = "") -> tuple[TargetGuard, list[str]]:
    asked: list[str] = []

    def counted(host: str) -> list[str]:
        asked.append(host)
        return resolve(host)

    hosts, networks = parse_allow_list(allow.split(","))
    return TargetGuard(hosts, networks, counted), asked


@pytest.mark.parametrize(
    "url, why",
    [
        ("http://127.0.0.2:8080/secret", "internal"),
        ("http://rebind.example/", "10.0.0.5"),
        ("file:///etc/passwd", "only http"),
        ("http://[::1]/", "internal"),
        ("http://[64:ff9b::a9fe:a9fe]/", "169.254.169.254"),
        ("http://[2002:a9fe:a9fe::]/", "169.254.169.254"),
        ("http://[::127.0.0.1]/", "internal"),
    ],
)
async def test_the_crawler_refuses_requests_for_internal_addresses(url: str, why: str) -> None:
    with pytest.raises(RefusedFetch, match=why):
        await guard("127.0.0.1")[0].process_request(Request(url))  # type: ignore[arg-type]


async def test_the_crawler_lets_public_and_allow_listed_requests_through_and_keeps_verdicts() -> (
    None
):
    checker, asked = guard("127.0.0.1, intranet.local")
    for url in (
        "https://nmpa.gov.cn/a.html",
        "https://nmpa.gov.cn/b.html",
        "http://127.0.0.1:8765/news/1.html",
        "http://intranet.local/x",  # allow-listed by name: not even resolved
    ):
        assert await checker.process_request(Request(url)) is None  # type: ignore[arg-type]
    assert asked == ["nmpa.gov.cn"]  # one resolution for both of its pages
    with pytest.raises(RefusedFetch):
        await checker.process_request(Request("http://rebind.example/"))  # type: ignore[arg-type]
    with pytest.raises(RefusedFetch):  # the refusal is kept too
        await checker.process_request(Request("http://rebind.example/2"))  # type: ignore[arg-type]
    assert asked == ["nmpa.gov.cn", "rebind.example"]


class Receiver:
    def __init__(self) -> None:
        self.events: list[object] = []

    def resolutionBegan(self, resolution: object) -> None:  # noqa: N802
        self.events.append("began")

    def addressResolved(self, address: object) -> None:  # noqa: N802
        self.events.append(address)

    def resolutionComplete(self) -> None:  # noqa: N802
        self.events.append("complete")


class SystemResolver:
    """What the reactor's resolver would find: a public and an internal address for any name."""

    def resolveHostName(  # noqa: N802
        self, receiver: Receiver, host: str, port: int = 0, *args: object
    ) -> None:
        receiver.resolutionBegan(object())
        for address in (
            IPv4Address("TCP", "36.112.10.1", port),
            IPv4Address("TCP", "127.0.0.1", port),
            IPv6Address("TCP", "fe80::1%eth0", port),
            IPv6Address("TCP", "64:ff9b::a9fe:a9fe", port),  # NAT64 of the metadata address
            IPv4Address("TCP", "10.1.2.3", port),
        ):
            receiver.addressResolved(address)
        receiver.resolutionComplete()


def test_connections_are_made_only_to_permitted_addresses_whatever_the_name_resolved_to_before() -> (
    None
):
    hosts, networks = parse_allow_list(["10.0.0.0/8", "intranet.local"])
    resolver = GuardedResolver(SystemResolver(), hosts, networks)
    from twisted.internet.interfaces import IHostnameResolver

    assert verifyObject(IHostnameResolver, resolver)
    got = Receiver()
    resolver.resolveHostName(got, "news.example.cn", 80)
    hosts_reached = [e.host for e in got.events if not isinstance(e, str)]
    assert hosts_reached == ["36.112.10.1", "10.1.2.3"]  # 10.1.2.3: allow-listed network
    assert got.events[0] == "began" and got.events[-1] == "complete"
    everything = Receiver()
    resolver.resolveHostName(everything, "intranet.local", 80)  # an allow-listed name
    assert len([e for e in everything.events if not isinstance(e, str)]) == 5
