"""`medwire`: the pipeline's cores from the command line, offline, and a few operator commands.

medwire process FILE... [--url URL | --url-map MAP.json] [--fetched-at ISO] [--format jsonl]
medwire extract --jsonl            < {"id", "text", "published_at"?} lines
medwire enqueue-crawl [SOURCE...]  puts crawl requests on crawl.requests
medwire openapi [--out FILE]       the API's OpenAPI document, for client generation
"""

# Only the standard library is imported here: the cores (lxml, opencc, numpy; the extractor's
# jieba and word lists) take a second or more to import, so each command imports what it uses
# when it runs, and `medwire --help` answers at once.
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from medwire_common.schemas import EnrichedArticle, RawPage

from .parallel import available_cpus, ordered_map

CONTENT_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".shtml": "text/html",
    ".txt": "text/plain",
}
# `medwire process` exits with this when any file failed (could not be read, or the cleaner
# failed on it); a page read and judged to hold no article is an answer, not a failure.
FILE_FAILED = 1
PROCESS_EPILOG = """\
On stderr, one line per file: `FILE: 2 articles`, `FILE: no article (VERDICT: why)` (an error
page, a binary file, an empty page, or text that is no article: not a failure, the page was read
and judged), or `FILE: failed: why`. A file fails when it is missing, is not a regular file,
cannot be read, or the cleaner fails on it (e.g. over 8 MB); the other files are processed all
the same, and the exit status is 1 if any file failed, 0 otherwise (2 for a usage error).
"""


def raw_page_from_file(path: Path, url: str, fetched_at: datetime) -> RawPage:
    from medwire_common.schemas import RawPage

    body = path.read_bytes()
    ctype = CONTENT_TYPES.get(path.suffix.lower()) or (
        "text/html" if body.lstrip()[:1] == b"<" else "text/plain"
    )
    return RawPage.of(url, body, ctype, fetched_at)


@dataclass
class FileOutcome:
    """What became of one input file: its articles, and the line that reports it on stderr."""

    path: Path
    report: str
    articles: list[EnrichedArticle] = field(default_factory=list)
    failed: bool = False


def process_file(job: tuple[Path, str, datetime]) -> FileOutcome:
    """Clean and extract one file (in a worker process for large batches)."""
    from medwire_cleaner.core import PageTooLarge, clean_page
    from medwire_extractor.core import extract

    path, url, fetched_at = job
    if not path.is_file():
        why = "no such file" if not path.exists() else "not a regular file"
        return FileOutcome(path, f"failed: {why}", failed=True)
    try:
        raw = raw_page_from_file(path, url, fetched_at)
    except OSError as exc:
        return FileOutcome(path, f"failed: cannot read it ({exc.strerror or exc})", failed=True)
    try:
        cleaning = clean_page(raw)
    except PageTooLarge as exc:
        return FileOutcome(path, f"failed: {exc}", failed=True)
    if not cleaning.articles:
        return FileOutcome(path, f"no article ({cleaning.outcome}: {cleaning.reason})")
    articles = [extract(article) for article in cleaning.articles]
    count = len(articles)
    return FileOutcome(path, f"{count} article{'s' if count > 1 else ''}", articles)


def process_files(
    files: Iterable[Path],
    urls: dict[str, str],
    default_url: str | None,
    fetched_at: datetime,
    jobs: int = 1,
) -> Iterator[FileOutcome]:
    """Each file's outcome, in order, cleaned and extracted over `jobs` processes; the files
    are one batch, so near-duplicates among them share `dup_cluster`, assigned here in file
    order."""
    # Imported before the workers fork, so that each starts with the cores loaded.
    import medwire_cleaner.core  # noqa: F401
    import medwire_extractor.core  # noqa: F401
    from medwire_common.dedup import DuplicateIndex

    index = DuplicateIndex()
    work = [
        (
            path,
            urls.get(str(path)) or urls.get(path.name) or default_url or path.resolve().as_uri(),
            fetched_at,
        )
        for path in files
    ]
    for outcome in ordered_map(process_file, work, jobs):
        for enriched in outcome.articles:
            enriched.dup_cluster = index.assign(
                enriched.article_id,
                enriched.minhash,
                enriched.content_hash or enriched.dup_cluster or "",
            )
        yield outcome


def run_process(outcomes: Iterable[FileOutcome]) -> int:
    """Write each file's records on stdout and its report on stderr; the exit status."""
    failed = 0
    for outcome in outcomes:
        for enriched in outcome.articles:
            record = enriched.model_dump(mode="json")
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
        sys.stdout.flush()  # a file's records before its report, in a terminal too
        print(f"{outcome.path}: {outcome.report}", file=sys.stderr, flush=True)
        failed += outcome.failed
    return FILE_FAILED if failed else 0


def extract_lines(lines: Iterable[str], fetched_at: datetime) -> Iterator[dict[str, Any]]:
    from medwire_common.schemas import CleanArticle, Source
    from medwire_extractor.core import extract

    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, ident = item["text"], str(item["id"])
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise SystemExit(
                f'medwire extract: line {n} is not a {{"id", "text"}} object: {exc}'
            ) from exc
        try:
            published = (
                date.fromisoformat(item["published_at"][:10]) if item.get("published_at") else None
            )
        except (ValueError, TypeError) as exc:
            raise SystemExit(
                f"medwire extract: line {n} (id {ident}): published_at "
                f"{item['published_at']!r} is not an ISO date such as 2025-08-01: {exc}"
            ) from exc
        article = CleanArticle.of(
            ident,
            text,
            fetched_at,
            title=item.get("title", ""),
            published_at=published,
            source=Source(name="stdin", domain=""),
        )
        yield {"id": ident, **extract(article).model_dump(mode="json")}


def record_schemas() -> dict[str, dict[str, Any]]:
    from medwire_common.schemas import CleanArticle, CrawlRequest, EnrichedArticle, RawPage

    records = {
        "raw-page": RawPage,
        "clean-article": CleanArticle,
        "enriched-article": EnrichedArticle,
        "crawl-request": CrawlRequest,
    }
    return {name: model.model_json_schema() for name, model in records.items()}


def write_schemas(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, schema in record_schemas().items():
        text = json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        (out / f"{name}.v1.schema.json").write_text(text, encoding="utf-8")


async def enqueue_crawl(names: list[str]) -> int:
    from medwire_common.schemas import CrawlRequest
    from medwire_common.settings import CommonSettings
    from medwire_common.sources import load_sources
    from medwire_common.stage import new_producer
    from medwire_crawler.settings import CrawlerSettings

    sources = load_sources(CrawlerSettings().sources)
    unknown = [n for n in names if n not in sources]
    if unknown:
        print(f"medwire: unknown source(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    settings = CommonSettings()
    producer = new_producer(settings)
    await producer.start()
    try:
        for name in names or list(sources):
            request = CrawlRequest(source=name, requested_at=datetime.now(UTC))
            await producer.send_and_wait(
                settings.topic("crawl.requests"),
                request.model_dump_json().encode(),
                key=sources[name].domain.encode(),
            )
            print(f"enqueued crawl of {name}")
    finally:
        await producer.stop()
    return 0


def print_openapi(out: Path | None) -> None:
    """The API's OpenAPI document, built from the app without a database or broker."""
    from medwire_api.app import create_app
    from medwire_api.settings import ApiSettings

    spec = create_app(ApiSettings(MEDWIRE_API_CONSUME=False)).openapi()
    document = json.dumps(spec, ensure_ascii=False, indent=2) + "\n"
    if out:
        out.write_text(document, encoding="utf-8")
    else:
        sys.stdout.write(document)


async def run_reindex(batch: int, delete_old: bool) -> int:
    """`medwire reindex` with the services' settings (MEDWIRE_DATABASE_URL, MEDWIRE_OPENSEARCH_URL,
    MEDWIRE_INDEXER_ALIAS/SHARDS/REPLICAS, MEDWIRE_TOPIC_PREFIX); 1 if a step failed."""
    from medwire_api.settings import ApiSettings
    from medwire_indexer.settings import IndexerSettings

    from .reindex import ReindexError, progress_bar, reindex

    indexer = IndexerSettings()
    alias = indexer.topic(indexer.alias)
    try:
        done = await reindex(
            ApiSettings().asyncpg_url,
            indexer.opensearch_url,
            alias,
            indexer.shards,
            indexer.replicas,
            batch=batch,
            delete_old=delete_old,
            progress=progress_bar(),
        )
    except ReindexError as exc:
        print(f"medwire reindex: {exc}", file=sys.stderr)
        return 1
    print(
        f"medwire reindex: alias {alias} now on {done.index} ({done.copied:,} articles copied, "
        f"{done.caught_up:,} caught up after the swap); before: {', '.join(done.previous) or 'none'}"
        + (" (deleted)" if delete_old and done.previous else ""),
        file=sys.stderr,
    )
    if done.rejected:
        print(
            f"medwire reindex: OpenSearch refused {len(done.rejected)} articles: "
            f"{', '.join(done.rejected[:10])}",
            file=sys.stderr,
        )
        return 1
    return 0


def draw_dashboard(path: Path | None, prometheus: str, out: Path, minutes: float) -> int:
    """Draw the dashboard and say per panel what it showed; 1 if Prometheus could not be read."""
    from .dashboard import DEFAULT_DASHBOARD, render

    dashboard = json.loads((path or DEFAULT_DASHBOARD).read_text(encoding="utf-8"))
    try:
        drawn = render(dashboard, prometheus, out, minutes)
    except (OSError, RuntimeError, ValueError) as exc:
        print(f"medwire dashboard: {exc}", file=sys.stderr)
        return 1
    for panel in drawn:
        shown = f"{len(panel.series)} series" if panel.series else "no data"
        print(f"{panel.title}: {shown}", file=sys.stderr)
    print(f"medwire dashboard: {out} ({len(drawn)} panels)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="medwire", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "process",
        help="clean + extract saved pages, one enriched record per line",
        epilog=PROCESS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", type=Path)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--url", help="the URL the page came from (one file only)")
    group.add_argument("--url-map", type=Path, help="JSON object: file name or path → URL")
    p.add_argument("--fetched-at", help="ISO timestamp (default: now)")
    p.add_argument("--format", choices=["jsonl"], default="jsonl")
    p.add_argument(
        "--jobs",
        type=int,
        default=available_cpus(),
        help="worker processes for a batch of files (default: the CPUs available)",
    )
    e = sub.add_parser("extract", help="extract from clean text lines on stdin")
    e.add_argument("--jsonl", action="store_true", required=True)
    c = sub.add_parser("enqueue-crawl", help="request a crawl of configured sources (default: all)")
    c.add_argument("sources", nargs="*")
    sc = sub.add_parser("schemas", help="write the records' JSON Schemas")
    sc.add_argument("--out", type=Path, default=Path("docs/schemas"))
    o = sub.add_parser("openapi", help="print the API's OpenAPI document (for client generation)")
    o.add_argument("--out", type=Path, help="write it to this file instead of stdout")
    d = sub.add_parser(
        "dashboard",
        help="draw the Grafana dashboard from Prometheus into a PNG (no Grafana needed)",
    )
    d.add_argument("--prometheus", default="http://127.0.0.1:9090", help="Prometheus' base URL")
    d.add_argument("--out", type=Path, default=Path("medwire-dashboard.png"))
    d.add_argument("--minutes", type=float, default=30.0, help="the time range, ending now")
    d.add_argument("--dashboard", type=Path, help="default: deploy/grafana/medwire.json")
    r = sub.add_parser(
        "reindex",
        help="rebuild the search index from PostgreSQL and move the alias to it (no downtime)",
    )
    r.add_argument("--batch", type=int, default=500, help="articles per bulk request")
    r.add_argument("--delete-old", action="store_true", help="delete the index it replaces")
    args = parser.parse_args(argv)

    if args.command == "reindex":
        import asyncio  # here: 35 ms of start-up (ssl with it) the other commands do not need

        sys.exit(asyncio.run(run_reindex(args.batch, args.delete_old)))

    if args.command == "dashboard":
        sys.exit(draw_dashboard(args.dashboard, args.prometheus, args.out, args.minutes))

    if args.command == "openapi":
        print_openapi(args.out)
        return

    if args.command == "schemas":
        write_schemas(args.out)
        return

    if args.command == "enqueue-crawl":
        import asyncio

        sys.exit(asyncio.run(enqueue_crawl(args.sources)))
    fetched_at = (
        datetime.fromisoformat(args.fetched_at)
        if getattr(args, "fetched_at", None)
        else datetime.now(UTC)
    )
    if args.command == "process":
        if args.url and len(args.files) > 1:
            p.error(
                f"--url gives one URL to all {len(args.files)} files, so their articles would "
                "get the same ids and overwrite each other: give each file its URL with "
                "--url-map MAP.json (file name or path → URL), or run one file at a time"
            )
        urls = json.loads(args.url_map.read_text(encoding="utf-8")) if args.url_map else {}
        sys.exit(run_process(process_files(args.files, urls, args.url, fetched_at, args.jobs)))
    for record in extract_lines(sys.stdin, fetched_at):
        sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
