"""docker-compose.yml is valid for Debian's docker-compose, and it, the Prometheus configs and
scripts/dev agree on services, ports and versions (no Docker engine is needed for `config`)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from medwire_api.settings import ApiSettings
from medwire_cleaner.settings import CleanerSettings
from medwire_crawler.settings import CrawlerSettings
from medwire_extractor.settings import ExtractorSettings
from medwire_indexer.settings import IndexerSettings
from tests.support import ROOT, promtool

SERVICES = {
    "api": ApiSettings,
    "cleaner": CleanerSettings,
    "extractor": ExtractorSettings,
    "indexer": IndexerSettings,
    "crawler": CrawlerSettings,
}


@pytest.fixture(scope="module")
def compose() -> dict:
    tool = shutil.which("docker-compose")
    assert tool, "docker-compose is not installed: scripts/setup installs it from Debian"
    done = subprocess.run(
        [tool, "-f", str(ROOT / "docker-compose.yml"), "config"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return yaml.safe_load(done.stdout)


def test_compose_runs_infrastructure_and_the_five_services(compose: dict) -> None:
    services = compose["services"]
    assert set(services) == {"kafka", "postgres", "opensearch", "prometheus", "grafana", *SERVICES}
    assert services["kafka"]["image"].startswith("apache/kafka:3.9.")
    for name in SERVICES:
        svc = services[name]
        assert svc["build"]["args"]["SERVICE"] == name
        assert (ROOT / svc["build"]["dockerfile"]).is_file()
        assert svc["depends_on"]["kafka"]["condition"] == "service_healthy"
        assert (
            "healthcheck" in svc and svc["environment"]["MEDWIRE_KAFKA_BOOTSTRAP"] == "kafka:9092"
        )
    assert services["api"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["indexer"]["depends_on"]["opensearch"]["condition"] == "service_healthy"
    assert services["indexer"]["environment"]["MEDWIRE_OPENSEARCH_URL"] == "http://opensearch:9200"


def test_every_healthcheck_gives_up_on_a_wedged_service(compose: dict) -> None:
    for name, svc in compose["services"].items():
        if "healthcheck" in svc:
            assert svc["healthcheck"].get("timeout"), f"{name}'s healthcheck has no timeout"
            assert svc["healthcheck"].get("retries"), f"{name}'s healthcheck is never given up"


def test_healthchecks_and_prometheus_targets_use_each_service_port(compose: dict) -> None:
    prometheus = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    dev = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.dev.yml").read_text())
    targets = {
        t
        for job in prometheus["scrape_configs"]
        for c in job["static_configs"]
        for t in c["targets"]
    }
    dev_targets = {
        t for job in dev["scrape_configs"] for c in job["static_configs"] for t in c["targets"]
    }
    dev_script = (ROOT / "scripts/dev").read_text()
    for name, settings_cls in SERVICES.items():
        port = settings_cls.model_fields["http_port"].default
        assert f"127.0.0.1:{port}/healthz" in " ".join(
            compose["services"][name]["healthcheck"]["test"]
        )
        assert f"{name}:{port}" in targets
        assert f"127.0.0.1:{port}" in dev_targets
        variable = settings_cls.model_fields["http_port"].validation_alias.choices[0]
        assert f"[{name}]=${{{variable}:-{port}}}" in dev_script, (
            f"scripts/dev does not run {name} on {variable} (default {port})"
        )


def test_prometheus_config_and_alert_rules_pass_promtool() -> None:
    promtool("check", "config", str(ROOT / "deploy/prometheus/prometheus.yml"))


def pinned(pom: str, prop: str) -> str:
    found = re.search(rf"<{prop}>([^<]+)</{prop}>", (ROOT / pom).read_text())
    assert found, f"{pom} pins no <{prop}>"
    return found.group(1)


def test_compose_runs_the_opensearch_that_setup_assembles(compose: dict) -> None:
    version = pinned("deploy/opensearch/pom.xml", "opensearch.version")
    modules = sorted((ROOT / "deploy/opensearch/modules").glob("*.xml"))
    assert {m.stem for m in modules} >= {"transport-netty4", "analysis-common"}
    for module in modules:
        assert pinned(str(module.relative_to(ROOT)), "opensearch.version") == version, module
    node = compose["services"]["opensearch"]
    assert node["image"] == f"opensearchproject/opensearch:{version}"
    env = node["environment"]
    assert env["discovery.type"] == "single-node"
    assert env["DISABLE_SECURITY_PLUGIN"] == "true"
    assert re.fullmatch(r"-Xms(\S+) -Xmx\1", env["OPENSEARCH_JAVA_OPTS"]), "heap not pinned"
    assert "/usr/share/opensearch/data" in " ".join(
        str(v.get("target", v) if isinstance(v, dict) else v) for v in node["volumes"]
    )
    assert "_cluster/health" in " ".join(node["healthcheck"]["test"])
    assert compose["services"]["api"]["environment"]["MEDWIRE_OPENSEARCH_URL"] == (
        "http://opensearch:9200"
    )


def test_dev_and_test_scripts_run_an_opensearch_node_and_point_at_it() -> None:
    dev = (ROOT / "scripts/dev").read_text()
    assert 'opensearch_start "$STATE/opensearch" "$OPENSEARCH_PORT"' in dev
    assert 'opensearch_stop "$STATE/opensearch"' in dev
    assert (
        "MEDWIRE_OPENSEARCH_URL=${MEDWIRE_OPENSEARCH_URL:-http://127.0.0.1:$OPENSEARCH_PORT}" in dev
    )
    test = (ROOT / "scripts/test").read_text()
    assert 'opensearch_start "$STATE/opensearch" "$OPENSEARCH_PORT"' in test
    assert 'export MEDWIRE_TEST_OPENSEARCH="http://127.0.0.1:$OPENSEARCH_PORT"' in test


def test_compose_provisions_grafana_with_prometheus_and_the_dashboard(compose: dict) -> None:
    grafana = compose["services"]["grafana"]
    # docker-compose v1 prints `host:container[:mode]`, the host side absolute
    binds = [v.split(":") for v in grafana["volumes"] if v.startswith("/")]
    mounts = {container: Path(host) for host, container, *_ in binds}
    provisioning = mounts["/etc/grafana/provisioning"]
    datasources = yaml.safe_load((provisioning / "datasources/prometheus.yml").read_text())
    (source,) = datasources["datasources"]
    assert source["type"] == "prometheus" and source["isDefault"]
    assert source["url"] == "http://prometheus:9090"  # the compose service and its port
    providers = yaml.safe_load((provisioning / "dashboards/medwire.yml").read_text())
    path = providers["providers"][0]["options"]["path"]
    dashboard = mounts[f"{path}/medwire.json"]
    assert dashboard == ROOT / "deploy/grafana/medwire.json" and dashboard.is_file()
    assert "healthcheck" in grafana
