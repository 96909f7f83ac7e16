"""Admin crawl requests are refused for internal addresses, after resolution (SSRF)."""

from __future__ import annotations

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
    assert len([e for e in everything.events if not isinstance(e, str)]) == 4
