"""The crawler reaches no internal address that is not allow-listed: not through a redirect from
an allowed site (real crawler service, real Kafka), and not through a name that passed the check
and then resolves to an internal address for the connection (DNS rebinding; real Scrapy on the
asyncio reactor). Each internal server counts the requests it gets: none may reach it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from medwire_common.schemas import CrawlRequest
from tests.support import ROOT, ServiceProcess, consume, crawler_env, free_port, headers_of, produce

pytestmark = pytest.mark.integration


class Server:
    """An HTTP server on `host` that counts requests; `/go` redirects to `redirect_to`."""

    def __init__(self, host: str, redirect_to: str = "") -> None:
        self.hits: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                server.hits.append(self.path)
                if self.path == "/go" and redirect_to:
                    self.send_response(302)
                    self.send_header("Location", redirect_to)
                    self.end_headers()
                    return
                body = "<html><body><p>内部资料：不得外传。</p></body></html>".encode()
                self.send_response(200 if self.path != "/robots.txt" else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.base = f"http://{host}:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()


@pytest.fixture
def internal() -> Iterator[Server]:
    server = Server("127.0.0.2")  # loopback, like a service inside the deployment
    yield server
    server.stop()


async def test_a_redirect_to_an_internal_address_is_refused_and_dead_lettered(
    kafka: str, topic_prefix: str, internal: Server, log_dir: Path
) -> None:
    allowed = Server("127.0.0.1", redirect_to=f"{internal.base}/secret")
    port = free_port()
    service = ServiceProcess(
        "crawler",
        port,
        crawler_env(
            kafka,
            topic_prefix,
            MEDWIRE_CRAWLER_PORT=str(port),
            MEDWIRE_SOURCES=str(ROOT / "tests" / "fixtures" / "site" / "sources.yaml"),
            MEDWIRE_CRAWL_ALLOW="127.0.0.1",  # the allowed site, not 127.0.0.2
        ),
    ).start(log_dir)
    try:
        asked = [f"{allowed.base}/go", f"{internal.base}/direct"]
        await produce(
            kafka,
            topic_prefix + "crawl.requests",
            [(b"127.0.0.1", CrawlRequest(url=url).model_dump_json().encode()) for url in asked],
        )
        dlq = await consume(
            kafka, topic_prefix + "crawl.requests.dlq", lambda rs: len(rs) >= 2, timeout=60
        )
        failed = {CrawlRequest.model_validate_json(r.value).url: headers_of(r) for r in dlq}
        assert set(failed) == {f"{internal.base}/secret", f"{internal.base}/direct"}, failed
        for headers in failed.values():
            assert headers["medwire-error-reason"] == "refused_target"
            assert "127.0.0.2" in headers["medwire-error-detail"]
            assert "allow-list" in headers["medwire-error-detail"]
        assert "/go" in allowed.hits
        assert internal.hits == []
        counted = [
            float(line.split()[-1])
            for line in service.metrics_text().splitlines()
            if line.startswith("medwire_crawler_fetch_failures_total{")
            and 'reason="refused_target"' in line
        ]
        assert sum(counted) == 2, counted
    finally:
        service.stop()
        allowed.stop()


REBINDING_CRAWL = textwrap.dedent(
    """
    import json, sys
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from medwire_crawler.addon import CONTEXT, CrawlContext
    from medwire_crawler.guard import TargetGuard
    from medwire_crawler.settings import CrawlerSettings

    class Rebinding(TargetGuard):
        # The check is told the name is public; the connection resolves it again (to loopback).
        @classmethod
        def from_crawler(cls, crawler):
            guard = super().from_crawler(crawler)
            guard.resolve = lambda host: ["36.112.10.1"]
            return guard

    outcome = {}

    class Once(scrapy.Spider):
        name = "once"
        custom_settings = {"ROBOTSTXT_OBEY": False, "RETRY_ENABLED": False}

        async def start(self):
            yield scrapy.Request(sys.argv[1], errback=self.failed)

        def parse(self, response):
            outcome["status"] = response.status

        def failed(self, failure):
            outcome["error"] = repr(failure.value)

    process = CrawlerProcess({
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "DOWNLOADER_MIDDLEWARES": {"__main__.Rebinding": 50},
        CONTEXT: CrawlContext(CrawlerSettings(MEDWIRE_CRAWL_ALLOW="")),
        "LOG_LEVEL": "WARNING",
    })
    process.crawl(Once)
    process.start()
    print(json.dumps(outcome))
    """
)


def test_a_name_that_passed_the_check_connects_to_no_internal_address(tmp_path: Path) -> None:
    target = Server("127.0.0.1")
    try:
        port = target.httpd.server_address[1]
        script = tmp_path / "rebinding.py"
        script.write_text(REBINDING_CRAWL)
        done = subprocess.run(
            [sys.executable, str(script), f"http://localhost:{port}/secret"],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=ROOT,
        )
        assert done.returncode == 0, done.stderr
        outcome = json.loads(done.stdout.strip().splitlines()[-1])
        assert "status" not in outcome, outcome
        assert "no results for hostname lookup" in outcome["error"], outcome
        assert target.hits == []
        assert "resolved to internal 127.0.0.1" in done.stderr
    finally:
        target.stop()
