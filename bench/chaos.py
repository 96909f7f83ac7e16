"""Chaos: the full scenario of tests/chaos (a generated site of 3,000 article pages crawled once
while each service is SIGKILLed and started again, the broker is SIGKILLed and started again and
PostgreSQL is restarted), run several times in a row, each run on a broker and a database of its
own; every run's recovery time per fault and counts (articles stored, missing, duplicated,
duplicates absorbed, dead letters), and how many runs in a row lost and duplicated nothing.

    python bench/chaos.py [--runs 3] [--pages 3000]

Writes the `chaos` section of BENCHMARKS.md. Needs the Kafka jars and PostgreSQL (scripts/setup).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import shutil
import sys
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchfile import ROOT, write_section  # noqa: E402

from tests.chaos.harness import FULL, Report, fmt, run_scenario, state_dir  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--pages", type=int, default=FULL.pages)
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    args = parser.parse_args()
    scenario = dataclasses.replace(FULL, pages=args.pages)
    reports = []
    for run in range(1, args.runs + 1):
        print(f"run {run} of {args.runs}", flush=True)
        state = state_dir()
        report = asyncio.run(run_scenario(scenario, state))
        print(report.summary(), flush=True)
        if report.problems:
            print(report.logs, f"\n(state kept: {state})", flush=True)
        else:
            shutil.rmtree(state, ignore_errors=True)
        reports.append(report)
        section = render(args, reports)  # after each run: a run cut short keeps the others
        write_section(args.out, "chaos", section)
    print(section)
    if any(r.problems for r in reports):
        raise SystemExit("a chaos run failed")


def render(args: argparse.Namespace, reports: list[Report]) -> str:
    passed = sum(1 for r in reports if not r.problems)
    streak = 0
    for r in reports:
        streak = streak + 1 if not r.problems else 0
    faults = reports[0].scenario.faults
    lines = [
        "## chaos",
        "",
        f"`python bench/chaos.py --runs {args.runs} --pages {args.pages}` "
        f"({len(reports)} of {args.runs} runs done) on this machine "
        f"({os.cpu_count()} cores, shared), {datetime.now(UTC):%Y-%m-%d}: the full scenario of "
        "`tests/chaos` (`MEDWIRE_CHAOS_FULL=1`). A generated site of "
        f"{args.pages:,} distinct article pages (one sitemap, each answer held "
        f"{reports[0].scenario.site_delay_s} s) is crawled once; during that crawl each fault "
        "below is injected when its share of the pages has been published, each after the "
        "previous one has recovered; the four services, Kafka (KRaft, one node) and "
        "PostgreSQL run as local processes, the broker and the database the run's own.",
        "",
        f"**{passed} of {len(reports)} runs passed** ({streak} in a row at the end): the "
        "database held exactly one row per page's article, every consumer group's lag was 0, "
        "no dead letter.",
        "",
        "| run | result | articles stored / expected | missing | duplicate rows | duplicates "
        "absorbed (pages.raw / articles.clean / articles.enriched) | dead letters | crawl | "
        "drained after the last fault |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for i, r in enumerate(reports, 1):
        result = "passed" if not r.problems else "**failed**: " + "; ".join(r.problems)[:300]
        lines.append(
            f"| {i} | {result} | {r.stored:,} / {r.expected:,} | {len(r.missing)} | "
            f"{r.duplicate_rows} | "
            + " / ".join(str(n - d) for n, d in r.records.values())
            + f" | {sum(r.dead_letters.values())} | "
            f"{fmt(r.crawl_s)} | {fmt(r.drain_s)} |"
        )
    lines += [
        "",
        "Recovery per fault, by run: *back* is until the process answered again (its restart "
        "included; Kafka is held down "
        f"{next((f.down_s for f in faults if f.kind == 'broker'), 0):.0f} s first, longer than "
        "a producer's request timeout), *resumed* until every stage the fault stopped had "
        "committed more than when it came back (the crawler: published more), or had nothing "
        "left to do.",
        "",
        "| fault | at (pages published) | during the crawl | back (s) | resumed (s) |",
        "|---|---|---|---|---|",
    ]
    for n, fault in enumerate(faults):
        recoveries = [r.recoveries[n] for r in reports if len(r.recoveries) > n]
        lines.append(
            f"| {fault.name} | {fault.at:.0%} | "
            + ", ".join("yes" if x.during_crawl else "no (draining)" for x in recoveries)
            + " | "
            + ", ".join(fmt(x.back_s).removesuffix(" s") for x in recoveries)
            + " | "
            + ", ".join(fmt(x.resumed_s).removesuffix(" s") for x in recoveries)
            + " |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
