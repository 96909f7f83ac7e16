"""deploy/grafana/medwire.json: every panel's query is valid PromQL (promtool checks it as a
recording rule, with the repeated row's `$stage` set to a stage) and names metrics the services
export."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from prometheus_client import REGISTRY, CollectorRegistry

from medwire_api import app  # noqa: F401 - registers the API's HTTP metrics
from medwire_api.app import stage_metrics
from medwire_crawler import metrics  # noqa: F401 - registers the crawler's metrics
from medwire_indexer.worker import freshness_histogram
from tests.support import ROOT, promtool

DASHBOARD = json.loads((ROOT / "deploy/grafana/medwire.json").read_text(encoding="utf-8"))
SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def queries() -> list[str]:
    return [
        t["expr"].replace("$stage", "medwire-cleaner")
        for panel in DASHBOARD["panels"]
        for t in panel.get("targets", [])  # rows have none
    ]


def exported() -> set[str]:
    """The sample names of every metric family the API and the crawler register (the cleaner
    and extractor export the same stage metrics as those)."""
    stage_metrics()
    indexer = CollectorRegistry()
    freshness_histogram(indexer)
    return {
        family.name + suffix
        for registry in (REGISTRY, indexer)
        for family in registry.collect()
        for suffix in SUFFIXES.get(family.type, ("",))
    }


def test_every_panel_query_is_valid_promql(tmp_path: Path) -> None:
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"medwire:panel_query_{i}", "expr": expr}
                    for i, expr in enumerate(queries())
                ],
            }
        ]
    }
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules, allow_unicode=True))
    checked = promtool("check", "rules", str(tmp_path / "rules.yml"))
    assert f"{len(queries())} rules found" in checked


def test_every_metric_a_panel_reads_is_exported() -> None:
    names = exported()
    for expr in queries():
        for pattern in re.findall(r'__name__=~"([^"]+)"', expr):
            assert any(re.fullmatch(pattern, n) for n in names), (pattern, expr)
        for name in re.findall(r"\b(medwire_[a-z_]+)\b(?![^{]*\")", expr):
            assert name in names, (name, expr)
    assert len(DASHBOARD["panels"]) == len({p["id"] for p in DASHBOARD["panels"]})
