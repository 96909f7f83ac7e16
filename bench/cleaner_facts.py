"""Page facts (title, date) on the shared real pages (`../shared/corpus/html/`), beside plain
trafilatura's metadata on the same pages in the same run.

    uv run python bench/cleaner_facts.py      # prints the table, rewrites its BENCHMARKS.md section
    uv run python bench/cleaner_facts.py -v   # also lists the tuned pages whose facts are off

Pages whose id satisfies int(id, 16) % 4 == 0 are held out: they are measured separately and
never listed page by page. This set's gold text rarely starts with the headline (0 of the 35
tuned news pages), so a title is checked against the page itself, after NFKC and whitespace
removal: confirmed when the page's `<title>` or `og:title` holds it (portals repeat the headline
there, with the site name) and it is at least 5 characters; trafilatura's title is shown beside
it. Furniture title: a title that is a page-furniture line (hotline, view counter, `来源:`/date
line, breadcrumb, caption).
Date: the first article's `published_at` beside trafilatura's `date` (no gold date exists):
found, missed where trafilatura has one, same day as trafilatura when both have one.
"""

from __future__ import annotations

import json
import platform
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import trafilatura

from medwire_cleaner.core import clean
from medwire_cleaner.core.decode import decode_page
from medwire_common.schemas import RawPage

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT.parent / "shared" / "corpus" / "html" / "magic-html-benchmark"
sys.path.insert(0, str(Path(__file__).parent))
from benchfile import write_section  # noqa: E402

# What a page's furniture looks like when taken for a title: counters, hotlines, source/date
# lines, photo captions and credits, a bare date.
FURNITURE = re.compile(
    r"热线|电话|浏览|阅读(?:数|量|次数)|点击|来源[:：]|发布(?:时间|日期)|时间[:：]|日期[:：]|作者[:：]"
    r"|编辑[:：]|^▲|摄$|^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}|>|»|首页"
)


def held_out(page_id: str) -> bool:
    return int(page_id, 16) % 4 == 0


def squash(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


@dataclass
class PageResult:
    page_id: str
    title_ok: bool
    same_as_trafilatura: bool
    furniture: bool
    ours: str | None
    theirs: str | None
    title: str
    their_title: str


def measure(entry: dict) -> PageResult:
    body = (PAGES / "pages" / f"{entry['id']}.html").read_bytes()
    url = entry["url"] or "http://example.com/page"
    raw = RawPage.of(url, body, "text/html", datetime(2026, 1, 1, tzinfo=UTC))
    articles = clean(raw)
    title = articles[0].title if articles else ""
    ours = articles[0].published_at if articles else None
    meta = trafilatura.bare_extraction(body, url=url, with_metadata=True)
    theirs = getattr(meta, "date", None) if meta else None
    head = lxml.html.document_fromstring(decode_page(body, "text/html", True).text)
    said = squash(" ".join(head.xpath("//title//text() | //meta[@property='og:title']/@content")))
    their_title = getattr(meta, "title", None) or ""
    return PageResult(
        page_id=entry["id"],
        title_ok=len(squash(title)) >= 5 and squash(title) in said,
        same_as_trafilatura=squash(title) == squash(their_title),
        furniture=bool(FURNITURE.search(squash(title))),
        ours=ours.isoformat() if ours else None,
        theirs=theirs[:10] if theirs else None,
        title=title,
        their_title=their_title,
    )


def summary(results: list[PageResult]) -> dict[str, float]:
    both = [r for r in results if r.ours and r.theirs]
    return {
        "pages": len(results),
        "title": sum(r.title_ok for r in results),
        "same": sum(r.same_as_trafilatura for r in results),
        "furniture": sum(r.furniture for r in results),
        "ours": sum(bool(r.ours) for r in results),
        "theirs": sum(bool(r.theirs) for r in results),
        "missed": sum(bool(r.theirs) and not r.ours for r in results),
        "both": len(both),
        "agree": sum(r.ours == r.theirs for r in both),
    }


def row(name: str, s: dict[str, float]) -> str:
    return (
        f"| {name} | {s['pages']} | {s['title']} | {s['same']} | {s['furniture']} | {s['ours']} | "
        f"{s['theirs']} | {s['missed']} | {s['agree']} of {s['both']} |"
    )


def main() -> None:
    if not PAGES.exists():
        sys.exit(f"cleaner_facts: {PAGES} is missing; check out ../shared beside the repository")
    gold = [json.loads(line) for line in (PAGES / "gold.jsonl").read_text().splitlines() if line]
    news = [e for e in gold if e["kind"] == "article"]
    tuned = [measure(e) for e in news if not held_out(e["id"])]
    kept = [measure(e) for e in news if held_out(e["id"])]
    lines = [
        "## cleaner facts",
        "",
        f"`bench/cleaner_facts.py`, {datetime.now(UTC):%Y-%m-%d}, {platform.python_implementation()} "
        f"{platform.python_version()}: the news pages of `../shared/corpus/html/magic-html-benchmark` "
        "(tuned on the first row only; the held-out pages are never looked at one by one).",
        "",
        "| pages | n | title in the page's `<title>` | same title as trafilatura | furniture title | date found | trafilatura date "
        "| missed where trafilatura has one | same day as trafilatura |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        row("tuned", summary(tuned)),
        row("held out", summary(kept)),
        "",
    ]
    write_section(ROOT / "BENCHMARKS.md", "cleaner facts", "\n".join(lines))
    print("\n".join(lines))
    if "-v" in sys.argv:
        for r in tuned:
            if not r.title_ok or r.furniture or not r.same_as_trafilatura or r.ours != r.theirs:
                print(
                    f"{r.page_id}: title={r.title[:40]!r} trafilatura={r.their_title[:40]!r} "
                    f"date={r.ours} / {r.theirs}"
                )


if __name__ == "__main__":
    main()
