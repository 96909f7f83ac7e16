"""Crawler throughput: one crawler process crawls a local site of N article pages (a sitemap of
them all, ~6 kB each, served by uvicorn in a process of its own) twice per round — once
publishing every page to a real Kafka broker, once writing nowhere (no item pipeline) — and
reports pages per second for both and what publishing costs, in the same run.

    python bench/crawl_load.py [--pages 10000] [--rounds 2]

Writes the `crawl load` section of BENCHMARKS.md. Needs the Kafka jars (scripts/test fetches
them); the broker lives in a temporary directory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medwire_common.schemas import SourceConfig
from medwire_crawler.settings import CrawlerSettings
from medwire_crawler.worker import crawl, run_on_reactor, scrapy_settings

sys.path.insert(0, str(Path(__file__).parent))
from benchfile import free_port, infra, write_section  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

SITE = '''
"""A site of N synthetic article pages and a sitemap of them (ASGI, for uvicorn)."""
import os
N = int(os.environ["PAGES"])
PARA = "<p>" + "晋中市生物医药产业创新成果转化对接会在博科集团召开，四十余家企业参加。" * 12 + "</p>"

def page(i):
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>新闻 {i}</title></head>"
            f"<body><h1>医药创新转化公共服务平台新闻第{i}号</h1><div class='content'>"
            + PARA * 4 + f"<p>发布时间:2025-07-{i % 28 + 1:02d}</p></div></body></html>").encode()

async def app(scope, receive, send):
    if scope["type"] != "http":
        return
    path = scope["path"]
    if path == "/sitemap.xml":
        host = dict(scope["headers"]).get(b"host", b"127.0.0.1").decode()
        urls = "".join(f"<url><loc>http://{host}/news/2025/{i:06d}.html</loc></url>" for i in range(N))
        body = ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns='
                '"http://www.sitemaps.org/schemas/sitemap/0.9">' + urls + "</urlset>").encode()
        status, ctype = 200, b"application/xml"
    elif path.startswith("/news/2025/"):
        body, status, ctype = page(int(path.rsplit("/", 1)[1].split(".")[0])), 200, b"text/html; charset=utf-8"
    else:
        body, status, ctype = b"not found", 404, b"text/plain"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
'''


def start_site(state: Path, pages: int) -> tuple[subprocess.Popen[bytes], str]:
    (state / "benchsite.py").write_text(SITE, encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "benchsite:app", "--port", str(port), "--log-level",
         "warning", "--no-access-log"],
        cwd=state,
        env={**os.environ, "PAGES": str(pages)},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/sitemap.xml", timeout=5).read()
            return proc, base
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the bench site did not start")


async def timed_crawl(settings: CrawlerSettings, base: str, publish: bool) -> tuple[float, int]:
    from scrapy.crawler import AsyncCrawlerRunner

    options = scrapy_settings(settings)
    if not publish:
        options["ITEM_PIPELINES"] = {}
    source = SourceConfig(name="bench", kind="sitemap", start_urls=[base + "/sitemap.xml"])
    start = time.perf_counter()
    stats = await crawl(AsyncCrawlerRunner(options), source)
    seconds = time.perf_counter() - start
    pages = int(
        stats.get("medwire/published", 0) if publish else stats.get("item_scraped_count", 0)
    )
    return seconds, pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=16, help="requests per domain")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="medwire-crawl-bench."))
    kafka_port = free_port()
    infra(f"kafka_start {state}/kafka {kafka_port}")
    site, base = start_site(state, args.pages)
    settings = CrawlerSettings(
        kafka_bootstrap=f"127.0.0.1:{kafka_port}",
        topic_prefix=f"bench{os.getpid()}.",
        MEDWIRE_CRAWLER_CONCURRENCY_PER_DOMAIN=args.concurrency,
        MEDWIRE_CRAWLER_DOWNLOAD_DELAY_S=0,
        MEDWIRE_CRAWLER_AUTOTHROTTLE_START_DELAY_S=0.01,
        MEDWIRE_DATABASE_URL="",
        MEDWIRE_CRAWL_ALLOW="127.0.0.1",  # the local site
    )  # type: ignore[call-arg]
    results: dict[str, list[tuple[float, int]]] = {"kafka": [], "nowhere": []}

    async def rounds() -> None:
        for _ in range(args.rounds):
            for mode in ("nowhere", "kafka"):
                seconds, pages = await timed_crawl(settings, base, mode == "kafka")
                results[mode].append((seconds, pages))
                print(f"  {mode}: {pages} pages in {seconds:.1f} s ({pages / seconds:,.0f}/s)")

    try:
        code = run_on_reactor(rounds)
        if code:
            raise SystemExit("a crawl failed")
    finally:
        site.terminate()
        infra(f"kafka_stop {state}/kafka")
        subprocess.run(["rm", "-rf", str(state)], check=False)
    section = report(args, results)
    write_section(args.out, "crawl load", section)
    print(section)


def report(args: argparse.Namespace, results: dict[str, list[tuple[float, int]]]) -> str:
    best: dict[str, Any] = {m: max(p / s for s, p in r) for m, r in results.items()}
    pages = {m: {p for _, p in r} for m, r in results.items()}
    cost = 1 - best["kafka"] / best["nowhere"]
    return "\n".join([
        "## crawl load",
        "",
        f"`python bench/crawl_load.py --pages {args.pages} --rounds {args.rounds} --concurrency "
        f"{args.concurrency}` on this machine ({os.cpu_count()} cores), {datetime.now(UTC):%Y-%m-%d}: "
        "one crawler process (Scrapy, asyncio reactor) crawls a local site of "
        f"{args.pages:,} article pages (a sitemap of them, ~6 kB each, uvicorn in another "
        "process), publishing every page to a real Kafka broker on the same machine, and the "
        "same crawl writing nowhere, alternately, in the same run; best round of each.",
        "",
        "| crawl | pages | pages/s | target |",
        "|---|---|---|---|",
        f"| publishing to Kafka | {sorted(pages['kafka'])} | {best['kafka']:,.0f} | ≥ 300: "
        f"{'met' if best['kafka'] >= 300 else '**not met**'} |",
        f"| writing nowhere | {sorted(pages['nowhere'])} | {best['nowhere']:,.0f} | — |",
        "",
        f"Publishing costs {cost:.0%} of the crawl rate (target ≤ 15%: "
        f"{'met' if cost <= 0.15 else '**not met**'}).",
    ]) + "\n"  # fmt: skip


if __name__ == "__main__":
    main()
