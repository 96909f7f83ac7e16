"""End to end: the five services as processes, real Kafka, PostgreSQL and OpenSearch, a real
Scrapy crawl of the fixture site over HTTP, the result read back through the public API and from
the search index, and Prometheus scraping every service's /metrics."""

from __future__ import annotations

import asyncio
import json
import re
import shlex
import shutil
import subprocess
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from medwire_cli.dashboard import DEFAULT_DASHBOARD, render
from medwire_common.ids import article_id, canonical_url
from medwire_common.schemas import CrawlRequest, RawPage
from medwire_indexer.core import MAPPING_VERSION
from tests.support import (
    ROOT,
    ServiceProcess,
    consume,
    free_port,
    headers_of,
    produce,
    service_env,
    wait_for,
)

pytestmark = pytest.mark.e2e
SITE = Path(__file__).parents[1] / "fixtures" / "site"
EXPECTED = json.loads((SITE / "expected.json").read_text(encoding="utf-8"))
SOURCES = ["demo-portal", "demo-feed", "demo-epaper"]


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def metric_value(service: ServiceProcess, name: str) -> float:
    total = 0.0
    for family in text_string_to_metric_families(service.metrics_text()):
        total += sum(s.value for s in family.samples if s.name == name)
    return total


@pytest.fixture
def stack(
    kafka: str,
    topic_prefix: str,
    fresh_database: str,
    fixture_site: str,
    opensearch: str,
    log_dir: Path,
) -> Iterator[dict[str, ServiceProcess]]:
    ports = {name: free_port() for name in ("api", "cleaner", "extractor", "indexer", "crawler")}
    env = service_env(
        kafka,
        topic_prefix,
        MEDWIRE_DATABASE_URL=fresh_database,
        MEDWIRE_OPENSEARCH_URL=opensearch,
        MEDWIRE_DEMO_SITE=fixture_site,
        MEDWIRE_SOURCES=str(SITE / "sources.yaml"),
        MEDWIRE_CRAWLER_DOWNLOAD_DELAY_S="0",
        MEDWIRE_CRAWLER_AUTOTHROTTLE_START_DELAY_S="0.01",
        MEDWIRE_CRAWLER_RECRAWL_S="0",  # the test asks for each crawl itself
        MEDWIRE_CRAWL_ALLOW="127.0.0.1",  # the fixture site
        MEDWIRE_API_WORKERS="2",  # consumers and /metrics shared by two processes
        **{f"MEDWIRE_{name.upper()}_PORT": str(port) for name, port in ports.items()},
    )
    services = {name: ServiceProcess(name, port, env) for name, port in ports.items()}
    try:
        for service in services.values():
            service.start(log_dir)
        yield services
    finally:
        for service in services.values():
            service.stop()
        # The test's index (its alias is the topic prefix's `articles`).
        request = urllib.request.Request(
            f"{opensearch}/{topic_prefix}articles-v{MAPPING_VERSION}", method="DELETE"
        )
        try:
            urllib.request.urlopen(request, timeout=10).close()
        except urllib.error.HTTPError as exc:
            assert exc.code == 404, exc  # no index: the indexer never ran a batch


async def crawl_all(kafka: str, prefix: str) -> None:
    await produce(
        kafka,
        prefix + "crawl.requests",
        [(b"127.0.0.1", CrawlRequest(source=s).model_dump_json().encode()) for s in SOURCES],
    )


def indexed_ids(opensearch: str, prefix: str) -> set[str]:
    alias = f"{opensearch}/{prefix}articles"
    try:
        refresh = urllib.request.Request(f"{alias}/_refresh", method="POST")
        urllib.request.urlopen(refresh, timeout=10).close()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:  # the indexer has not made its index yet
            return set()
        raise
    body = json.dumps({"query": {"match_all": {}}, "size": 1000, "_source": False}).encode()
    request = urllib.request.Request(
        f"{alias}/_search", data=body, headers={"content-type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as r:
        return {hit["_id"] for hit in json.loads(r.read())["hits"]["hits"]}


def readme_curls() -> list[str]:
    """The `curl` lines of the README's shell examples, as a user pastes them."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    return [line.split("   #")[0].strip() for b in blocks for line in b.splitlines()
            if line.startswith("curl ")]  # fmt: skip


def run_readme_examples(api: ServiceProcess) -> None:
    """Each README curl example, pointed at this stack's API, answers 200 with JSON that
    holds articles (`curl -f` fails on a 4xx/5xx, such as uvicorn's answer to a raw
    non-ASCII URL)."""
    curls = readme_curls()
    assert len(curls) >= 2, curls
    for example in curls:
        command = example.replace("127.0.0.1:8000", f"127.0.0.1:{api.port}")
        args = ["curl", "-fsS", *shlex.split(command)[1:]]
        done = subprocess.run(args, capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, (example, done.stderr)
        assert json.loads(done.stdout)["items"], (example, done.stdout[:500])


def all_articles(api: ServiceProcess) -> list[dict]:
    items, cursor = [], None
    while True:
        page = get_json(f"{api.url}/v1/articles?limit=5" + (f"&cursor={cursor}" if cursor else ""))
        items.extend(page["items"])
        cursor = page["next_cursor"]
        if not cursor:
            return items


async def test_crawl_to_api_finds_every_fixture_article_once(
    stack: dict[str, ServiceProcess],
    kafka: str,
    topic_prefix: str,
    fixture_site: str,
    opensearch: str,
) -> None:
    api, crawler = stack["api"], stack["crawler"]
    expected = {
        article_id(canonical_url(fixture_site + e["path"]), e["position"]): (
            e["title"],
            e["published_at"],
        )
        for e in EXPECTED
    }

    await crawl_all(kafka, topic_prefix)
    found = await wait_for(
        lambda: len(all_articles(api)) >= len(expected) and all_articles(api), timeout=180
    )
    assert found, "\n\n".join(s.log_tail(15) for s in stack.values())
    got = {a["article_id"]: (a["title"], a["published_at"]) for a in found}
    assert got == expected
    # The indexer put every article in the search index, and nothing else.
    searchable = await wait_for(
        lambda: indexed_ids(opensearch, topic_prefix) == set(expected), timeout=60
    )
    assert searchable, stack["indexer"].log_tail(15)
    run_readme_examples(api)  # search included: the articles are indexed

    # A second crawl of the same site finds nothing changed: the crawler asks conditionally
    # (304) and publishes nothing again; the articles stay as they were.
    published_once = metric_value(crawler, "medwire_crawler_pages_published_total")
    requests_once = metric_value(crawler, "medwire_crawler_processing_seconds_count")
    await crawl_all(kafka, topic_prefix)
    assert await wait_for(
        lambda: (
            metric_value(crawler, "medwire_crawler_processing_seconds_count")
            >= requests_once + len(SOURCES)
        ),
        timeout=120,
    )
    assert metric_value(crawler, "medwire_crawler_pages_published_total") == published_once
    assert metric_value(crawler, "medwire_crawler_pages_unchanged_total") >= len(SOURCES)
    again = all_articles(api)
    assert len(again) == len(expected)
    assert {a["article_id"] for a in again} == set(expected)
    assert indexed_ids(opensearch, topic_prefix) == set(expected)

    # Nothing valid went to a dead-letter queue: only the fixture's page that answers 500, as a
    # fetch failure of each crawl.
    failed = await consume(kafka, f"{topic_prefix}crawl.requests.dlq", lambda rs: False, timeout=2)
    assert {CrawlRequest.model_validate_json(r.value).url for r in failed} == {
        f"{fixture_site}/news/2025/0602/broken.html"
    }
    assert {headers_of(r)["medwire-error-reason"] for r in failed} == {"fetch_failed"}
    # The page that answers 404 holds no article: the cleaner's verdict on it, not a loss.
    verdicts = await consume(kafka, f"{topic_prefix}pages.raw.dlq", lambda rs: False, timeout=2)
    assert {
        (RawPage.model_validate_json(r.value).url, headers_of(r)["medwire-error-reason"])
        for r in verdicts
    } == {(f"{fixture_site}/news/2025/0601/missing.html", "error_status")}
    for topic in ("articles.clean", "articles.enriched"):
        assert await consume(kafka, f"{topic_prefix}{topic}.dlq", lambda rs: False, timeout=2) == []


async def test_every_service_exports_stage_metrics_that_prometheus_scrapes(
    stack: dict[str, ServiceProcess], kafka: str, topic_prefix: str, tmp_path: Path
) -> None:
    prometheus = shutil.which("prometheus")
    assert prometheus, "prometheus is not installed: scripts/setup installs it from Debian"
    port = free_port()
    # One job per service, named as deploy/prometheus/prometheus.yml names them (the dashboard
    # and the alerts read `job`).
    jobs = "".join(
        f"  - job_name: medwire-{name}\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{service.port}']}}]\n"
        for name, service in stack.items()
    )
    (tmp_path / "prometheus.yml").write_text(
        f"global: {{scrape_interval: 1s}}\nscrape_configs:\n{jobs}"
    )
    proc = subprocess.Popen(
        [
            prometheus,
            f"--config.file={tmp_path / 'prometheus.yml'}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "prometheus.log").open("wb"),
    )
    try:

        def all_up() -> bool:
            try:
                result = get_json(f"http://127.0.0.1:{port}/api/v1/query?query=up")["data"][
                    "result"
                ]
            except OSError:
                return False
            return len(result) == len(stack) and all(r["value"][1] == "1" for r in result)

        assert await wait_for(all_up, timeout=60), (tmp_path / "prometheus.log").read_text()[-2000:]

        # Prometheus scrapes from before the crawl, as in production: rates and the
        # freshness quantiles see the counters grow.
        await crawl_all(kafka, topic_prefix)
        # A stage counts a batch as consumed before it handles it and times each record after:
        # wait until every stage has timed one (the API's first batch includes a database write).
        assert await wait_for(
            lambda: all(
                metric_value(service, f"medwire_{name}_processing_seconds_count") > 0
                for name, service in stack.items()
            ),
            timeout=180,
        )
        for name, service in stack.items():
            families = {f.name: f for f in text_string_to_metric_families(service.metrics_text())}
            for counter in ("records_consumed", "records_produced", "records_failed"):
                assert families[f"medwire_{name}_{counter}"].type == "counter", name
            histogram = families[f"medwire_{name}_processing_seconds"]
            assert histogram.type == "histogram"
            assert any(s.name.endswith("_count") and s.value > 0 for s in histogram.samples), name
            assert f"medwire_{name}_consumer_lag_records" in families
            lag_seconds = families[f"medwire_{name}_consumer_lag_seconds"]
            assert lag_seconds.samples, name  # the crawler's too: crawl.requests
            assert all(s.value >= 0 for s in lag_seconds.samples), name
        api = {f.name: f for f in text_string_to_metric_families(stack["api"].metrics_text())}
        stored = api["medwire_api_fetch_to_store_seconds"].samples
        assert next(s.value for s in stored if s.name.endswith("_count")) > 0

        query = f"http://127.0.0.1:{port}/api/v1/query?query=medwire_cleaner_records_consumed_total"
        scraped = await wait_for(lambda: get_json(query)["data"]["result"], timeout=30)
        assert float(scraped[0]["value"][1]) > 0

        # The dashboard, drawn from this Prometheus after the crawl, shows the pipeline: every
        # service up, each stage's row with its records and lag, the freshness of articles.
        await asyncio.sleep(3)  # a few scrapes, so that rate() has two samples
        png = tmp_path / "dashboard.png"
        dashboard = json.loads(DEFAULT_DASHBOARD.read_text(encoding="utf-8"))
        drawn = {
            panel.title: panel
            for panel in await asyncio.to_thread(
                render, dashboard, f"http://127.0.0.1:{port}", png, 5.0
            )
        }
        assert png.read_bytes().startswith(b"\x89PNG") and png.stat().st_size > 50_000
        up = drawn["Services up"].series
        assert {s.name for s in up} >= {f"medwire-{name}" for name in stack}, up
        assert all(s.values[-1] == 1 for s in up)
        for name in ("crawler", "cleaner", "extractor", "api", "indexer"):
            for panel in ("records /s", "consumer lag"):
                assert drawn[f"medwire-{name}: {panel}"].series, (name, panel)
        freshness = drawn["Freshness: page fetched → article stored"].series
        assert any(s.name == "p95" and s.values[-1] > 0 for s in freshness), freshness
    finally:
        proc.terminate()
        proc.wait(timeout=20)
