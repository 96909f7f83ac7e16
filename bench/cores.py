"""Throughput of the pure cores on the fixture site's pages, beside plain trafilatura on the same
pages in the same process (the machine is noisy; only the ratio is comparable across runs).

    uv run python bench/cores.py [--rounds N]     # rewrites the "cores" section of BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

from medwire_cleaner.core import clean
from medwire_common.schemas import RawPage
from medwire_extractor.core import extract

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))
from benchfile import best_of, write_section  # noqa: E402

SITE = ROOT / "tests" / "fixtures" / "site"


def pages() -> list[tuple[RawPage, str]]:
    paths = sorted(
        {e["path"] for e in json.loads((SITE / "expected.json").read_text(encoding="utf-8"))}
    )
    out = []
    for path in paths:
        body = (SITE / "www" / path.lstrip("/")).read_bytes()
        ctype = "text/html" if path.endswith("zhuce.html") else "text/html; charset=utf-8"
        url = f"http://bench.test{path}"
        raw = RawPage.of(url, body, ctype, datetime(2026, 1, 1, tzinfo=UTC))
        html = body.decode("gbk" if path.endswith("zhuce.html") else "utf-8")
        out.append((raw, html))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=10, help="passes over the pages per round")
    args = parser.parse_args()
    corpus = pages()
    n_pages = len(corpus) * args.repeat
    n_bytes = sum(len(raw.body) for raw, _ in corpus) * args.repeat
    articles = [a for raw, _ in corpus for a in clean(raw)]
    n_chars = sum(len(a.text) for a in articles) * args.repeat

    # Interleave baseline and candidate so that both see the same machine.
    t_trafilatura = best_of(
        args.rounds, lambda: [trafilatura.extract(h) for _ in range(args.repeat) for _, h in corpus]
    )
    t_clean = best_of(
        args.rounds, lambda: [clean(r) for _ in range(args.repeat) for r, _ in corpus]
    )
    t_extract = best_of(
        args.rounds, lambda: [extract(a) for _ in range(args.repeat) for a in articles]
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    rows = [
        (
            "plain trafilatura.extract (baseline)",
            n_pages / t_trafilatura,
            n_bytes / t_trafilatura / 1e6,
            "1.00",
        ),
        (
            "medwire clean()",
            n_pages / t_clean,
            n_bytes / t_clean / 1e6,
            f"{t_clean / t_trafilatura:.2f}",
        ),
    ]
    lines = [
        "## cores",
        "",
        f"`bench/cores.py`, {datetime.now(UTC):%Y-%m-%d}, {platform.python_implementation()} "
        f"{platform.python_version()}, one process, best of {args.rounds} rounds × {args.repeat} passes over "
        f"the {len(corpus)} fixture-site pages ({n_bytes // args.repeat // 1024} KB, {len(articles)} articles).",
        "",
        "| what | pages/s | MB/s | time ratio vs baseline |",
        "|---|---:|---:|---:|",
        *[f"| {name} | {pps:,.0f} | {mbs:.2f} | {ratio} |" for name, pps, mbs, ratio in rows],
        "",
        f"extractor (whole extract()): {n_chars / t_extract:,.0f} characters/s "
        f"({len(articles) * args.repeat / t_extract:,.0f} articles/s); its baseline, jieba's tagger, is in the extractor quality section.",
        f"Peak RSS of the benchmark process: {peak_mb:.0f} MB.",
        "",
    ]
    section = "\n".join(lines)
    write_section(ROOT / "BENCHMARKS.md", "cores", section)
    print(section)


if __name__ == "__main__":
    main()
