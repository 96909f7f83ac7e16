"""Admin crawl requests are refused for internal addresses, after resolution (SSRF)."""

from __future__ import annotations

import pytest

from medwire_api.core.targets import RefusedTarget, check_target, parse_allow_list

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
    with pytest.raises(RefusedTarget):
        check_target("http://192.168.0.1/", resolve, hosts, networks)
