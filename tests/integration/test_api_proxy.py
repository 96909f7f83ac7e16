"""Behind a reverse proxy the rate limit counts each client by the address the proxy forwards,
but only for a proxy listed in `MEDWIRE_FORWARDED_ALLOW_IPS`: anyone else's X-Forwarded-For is
ignored (a client cannot choose its own bucket). The API as a real uvicorn process."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.support import ServiceProcess, free_port, service_env

pytestmark = pytest.mark.integration


def status(port: int, forwarded_for: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/v1/sources", headers={"X-Forwarded-For": forwarded_for}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.parametrize(
    "trusted, expected",
    [
        (
            "127.0.0.1,::1",
            [200, 200, 429, 429],
        ),  # this test is the proxy: two clients, a bucket each
        ("10.9.9.9", [200, 429, 429, 429]),  # not a listed proxy: one client, whatever it says
    ],
)
def test_the_rate_limit_counts_clients_behind_listed_proxies_only(
    fresh_database: str, log_dir: Path, trusted: str, expected: list[int]
) -> None:
    port = free_port()
    env = service_env(
        "127.0.0.1:9",  # nothing consumed: no broker needed
        "unused.",
        MEDWIRE_API_PORT=str(port),
        MEDWIRE_API_CONSUME="false",
        MEDWIRE_DATABASE_URL=fresh_database,
        MEDWIRE_RATE_LIMIT="1",
        MEDWIRE_RATE_BURST="1",
        MEDWIRE_FORWARDED_ALLOW_IPS=trusted,
    )
    api = ServiceProcess("api", port, env).start(log_dir)
    try:
        clients = ["198.51.100.1", "198.51.100.2", "198.51.100.1", "198.51.100.2"]
        assert [status(port, c) for c in clients] == expected, api.log_tail()
    finally:
        api.stop()
