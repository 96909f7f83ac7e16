"""Token buckets per client (a clock the test moves)."""

from __future__ import annotations

from medwire_api.core.ratelimit import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_passes_then_the_rate_holds_per_client() -> None:
    clock = Clock()
    limiter = RateLimiter(rate=2, burst=3, clock=clock)
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") == 0.5  # empty: one token comes every half second
    assert limiter.take("b") == 0  # another client has its own bucket
    clock.now = 0.5
    assert limiter.take("a") == 0
    clock.now = 100
    assert [limiter.take("a") for _ in range(4)] == [0, 0, 0, 0.5]  # refills to the burst only


def test_idle_clients_are_forgotten_beyond_the_limit() -> None:
    limiter = RateLimiter(rate=1, burst=1, clock=Clock(), max_clients=2)
    for client in ("a", "b", "c"):
        limiter.take(client)
    assert limiter.take("a") == 0  # forgotten, so a fresh bucket
