"""What the benchmarks share: BENCHMARKS.md, where each rewrites only its own `## name` section,
and how they time."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEADER = "# Benchmarks\n\nFigures written by the scripts in `bench/`; each script rewrites only its own section.\n\n"


def write_section(path: Path, name: str, section: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    marker = f"## {name}\n"
    if marker in text:
        start = text.index(marker)
        end = text.find("\n## ", start + 1)
        text = text[:start] + section.rstrip("\n") + "\n" + (text[end:] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"
    path.write_text(text, encoding="utf-8")


def best_of(rounds: int, fn: Callable[[], object]) -> float:
    """Best wall time of `rounds` runs (the least disturbed by the rest of the machine)."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def infra(command: str) -> None:
    """A function of scripts/lib/infra.sh (pg_start, kafka_start, …)."""
    subprocess.run(["bash", "-c", f"source scripts/lib/infra.sh; {command}"], cwd=ROOT, check=True)
