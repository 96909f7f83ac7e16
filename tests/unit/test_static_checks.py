"""The code style the project holds itself to: ruff everywhere, mypy --strict on common and the
pure cores (STYLE.md)."""

import subprocess
import sys

from tests.support import ROOT

STRICT = [
    "services/common/medwire_common",
    "services/cleaner/medwire_cleaner/core",
    "services/extractor/medwire_extractor/core",
    "services/crawler/medwire_crawler/core",
    "services/api/medwire_api/core",
    "services/indexer/medwire_indexer/core",
]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_ruff_finds_nothing() -> None:
    done = run("ruff", "check", "services", "cli", "tests", "bench")
    assert done.returncode == 0, done.stdout + done.stderr


def test_common_and_cores_pass_mypy_strict() -> None:
    done = run("mypy", "--strict", *STRICT)
    assert done.returncode == 0, done.stdout + done.stderr
