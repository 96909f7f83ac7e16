"""The broker going away in the middle of a crawl loses no page: pages fetched meanwhile wait for
it (publishing is retried with backoff, never dropped) and reach `pages.raw` when it is back.

The outage is played with a TcpProxy in front of a broker of the test's own that advertises the
proxy's port, so that every client connection (not only the bootstrap one) goes through the
proxy and is cut with it. Real Kafka, real PostgreSQL (the page store), the crawler service as a
process, a local site served over HTTP."""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import asyncpg
import pytest

from medwire_common.schemas import CrawlRequest
from tests.support import (
    ROOT,
    ServiceProcess,
    TcpProxy,
    consume,
    crawler_env,
    free_port,
    produce,
    wait_for,
)

pytestmark = pytest.mark.integration
PAGES = 200  # articles of the site
BEFORE_CUT = 40  # articles served before the broker goes away; the rest wait for the cut


def free_port_pair() -> int:
    """A free port whose next port is free too (a KRaft broker's controller takes port + 1)."""
    for _ in range(50):
        port = free_port()
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise AssertionError("no two consecutive free ports on 127.0.0.1")


@contextmanager
def broker_behind(proxy: TcpProxy, port: int, state: Path) -> Iterator[None]:
    """A broker of its own on `port` (scripts/lib/infra.sh) that sends every client to `proxy`
    (which forwards to `port`)."""
    infra = ROOT / "scripts/lib/infra.sh"

    def run(command: str, *args: str) -> None:
        script = f'source "{infra}" && {command}'
        subprocess.run(["bash", "-c", script, "infra", *args], check=True, timeout=150)

    run('kafka_start "$1" "$2" "$3"', str(state), str(port), str(proxy.port))
    try:
        yield
    finally:
        run('kafka_stop "$1"', str(state))


class GatedSite(ThreadingHTTPServer):
    """A sitemap of PAGES articles; after BEFORE_CUT articles, the others wait for `gate`."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _SiteHandler)
        self.base = f"http://127.0.0.1:{self.server_address[1]}"
        self.gate = threading.Event()
        self.lock = threading.Lock()
        self.served: list[str] = []
        threading.Thread(target=self.serve_forever, daemon=True).start()

    def article_urls(self) -> list[str]:
        return [f"{self.base}/news/2025/0701/{n:05d}.html" for n in range(PAGES)]


class _SiteHandler(BaseHTTPRequestHandler):
    server: GatedSite

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - keep output quiet
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path == "/sitemap.xml":
            locs = "".join(f"<url><loc>{u}</loc></url>" for u in self.server.article_urls())
            sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
            self._send(200, sitemap.encode(), "application/xml")
        elif self.path.startswith("/news/"):
            with self.server.lock:
                self.server.served.append(self.path)
                held = len(self.server.served) > BEFORE_CUT
            if held:
                self.server.gate.wait(timeout=120)
            text = f"<p>第{self.path}号公告:医疗器械产业园签约项目进展顺利。</p>" * 30
            page = f"<html><head><meta charset='utf-8'><title>{self.path}</title></head>"
            self._send(200, f"{page}<body><h1>公告</h1>{text}</body></html>".encode(), "text/html")
        else:
            self._send(404, b"", "text/plain")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{ctype}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


async def test_pages_fetched_while_the_broker_is_away_reach_pages_raw_when_it_is_back(
    topic_prefix: str, fresh_database: str, log_dir: Path, tmp_path: Path
) -> None:
    site = GatedSite()
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f"sources:\n  - name: outage-site\n    kind: sitemap\n"
        f"    start_urls: ['{site.base}/sitemap.xml']\n",
        encoding="utf-8",
    )
    broker_port = free_port_pair()
    proxy = TcpProxy("127.0.0.1", broker_port)
    kafka = f"127.0.0.1:{proxy.port}"
    crawler: ServiceProcess | None = None
    try:
        with broker_behind(proxy, broker_port, tmp_path / "kafka"):
            proxy.open()
            port = free_port()
            env = crawler_env(
                kafka,
                topic_prefix,
                MEDWIRE_CRAWLER_PORT=str(port),
                MEDWIRE_SOURCES=str(sources),
                MEDWIRE_DATABASE_URL=fresh_database,
                MEDWIRE_CRAWLER_RECRAWL_S="0",
                MEDWIRE_CRAWLER_PUBLISH_TIMEOUT_S="2",
            )
            crawler = ServiceProcess("crawler", port, env).start(log_dir)
            request = CrawlRequest(source="outage-site").model_dump_json().encode()
            await produce(kafka, topic_prefix + "crawl.requests", [(b"127.0.0.1", request)])
            assert await wait_for(lambda: len(site.served) >= BEFORE_CUT, timeout=90), (
                crawler.log_tail()
            )

            proxy.cut()  # the broker goes away with the crawl under way
            site.gate.set()  # and the rest of the site is fetched meanwhile
            assert await wait_for(lambda: len(site.served) >= PAGES, timeout=60)
            # Before the fix the pages fetched now were dropped after the producer's own 40 s
            # timeout, without a retry: the wait is bounded, the outage lasts until a retry
            # is seen or the bound is reached.
            await wait_for(lambda: "publishing to" in crawler.log_tail(200), timeout=90, interval=1)
            proxy.open()

            wanted = set(site.article_urls())
            pages = await consume(
                kafka,
                topic_prefix + "pages.raw",
                lambda rs: wanted <= {json.loads(r.value)["url"] for r in rs},
                timeout=120,
            )
            missing = wanted - {json.loads(r.value)["url"] for r in pages}
            assert not missing, f"{len(missing)} pages lost:\n{crawler.log_tail()}"
            # A page tried again may be on the topic twice; downstream is idempotent by key
            # (page id → article ids → upsert), so a duplicate changes nothing.
            assert await wait_for(lambda: "crawled outage-site" in crawler.log_tail(), 60)
            dlq = await consume(
                kafka, topic_prefix + "crawl.requests.dlq", lambda rs: False, timeout=2
            )
            assert dlq == []
            # Every page is remembered, and only now that the broker has it.
            db = await asyncpg.connect(fresh_database)
            try:
                remembered = await db.fetchval(
                    "SELECT count(*) FROM crawler_pages WHERE url LIKE '%/news/%'"
                )
            finally:
                await db.close()
            assert remembered == PAGES
            crawler.stop()
    finally:
        if crawler is not None:
            crawler.stop()
        proxy.cut()
        site.gate.set()
        site.shutdown()
