"""docs/metrics.md lists exactly the metrics the services export: every family the code
registers (stage metrics under the `<service>` placeholder) is documented, and every documented
name is one the code registers."""

from __future__ import annotations

import re

from prometheus_client import REGISTRY, CollectorRegistry

from medwire_common.metrics import StageMetrics
from medwire_common.opensearch import opensearch_up_gauge
from tests.support import ROOT

CATALOGUE = ROOT / "docs" / "metrics.md"


def exposed_names(registry: CollectorRegistry) -> set[str]:
    """The names a scrape shows: counters with `_total`, the rest as registered."""
    names = set()
    for family in registry.collect():
        names.add(family.name + "_total" if family.type == "counter" else family.name)
    return {n for n in names if n.startswith("medwire_")}


def code_metrics() -> set[str]:
    # Modules that register on the default registry when imported (the crawler's include its
    # StageMetrics).
    import medwire_api.edge  # noqa: F401
    import medwire_api.ingest  # noqa: F401
    import medwire_crawler.metrics  # noqa: F401
    from medwire_indexer.worker import freshness_histogram

    def stage_names(service: str) -> set[str]:
        registry = CollectorRegistry()
        StageMetrics(service, registry=registry)
        return exposed_names(registry)

    own = CollectorRegistry()
    freshness_histogram(own)
    opensearch_up_gauge(own)
    placeholder = {
        n.replace("medwire_cleaner_", "medwire_<service>_") for n in stage_names("cleaner")
    }
    # The default registry may also hold other stages' metrics that tests made in-process.
    stages = set().union(
        *(stage_names(s) for s in ("cleaner", "extractor", "api", "indexer", "crawler"))
    )
    return placeholder | exposed_names(own) | (exposed_names(REGISTRY) - stages)


def documented() -> set[str]:
    return set(re.findall(r"^\| `(medwire_[a-z_<>]+)`", CATALOGUE.read_text(), re.MULTILINE))


def test_every_metric_of_the_code_is_in_the_catalogue_and_nothing_else() -> None:
    code, docs = code_metrics(), documented()
    assert code - docs == set(), f"metrics missing from {CATALOGUE.name}"
    assert docs - code == set(), f"{CATALOGUE.name} lists metrics the code does not export"
