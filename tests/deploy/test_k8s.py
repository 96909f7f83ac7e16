"""deploy/k8s is valid Kubernetes, offline: every manifest against the API schemas that
kubernetes-validate ships in its wheel (strict: an unknown field fails), and its settings,
ports, mounts and autoscalers agree with what the services read, listen on and consume."""

from __future__ import annotations

import inspect
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from pydantic_settings import BaseSettings

from medwire_api.settings import ApiSettings
from medwire_cleaner.settings import CleanerSettings
from medwire_common.stage import ensure_topics
from medwire_crawler.settings import CrawlerSettings
from medwire_extractor.settings import ExtractorSettings
from medwire_indexer.settings import IndexerSettings
from tests.support import ROOT, promtool

K8S = ROOT / "deploy/k8s"
# The oldest Kubernetes the manifests are written for, and the newest whose schemas the
# package ships: a field added after the first or removed before the second fails.
KUBERNETES_VERSIONS = ["1.29.0", "1.37.0"]

SETTINGS: dict[str, type[BaseSettings]] = {
    "api": ApiSettings,
    "cleaner": CleanerSettings,
    "extractor": ExtractorSettings,
    "indexer": IndexerSettings,
    "crawler": CrawlerSettings,
}
# Each autoscaled stage and the topic its consumer group reads.
AUTOSCALED = {"cleaner": "pages.raw", "extractor": "articles.clean"}


def manifest_files() -> list[Path]:
    return sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")


def documents(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


@pytest.fixture(scope="module")
def resources() -> list[dict[str, Any]]:
    return [d for p in manifest_files() for d in documents(p)]


def kind_name(resource: dict[str, Any]) -> tuple[str, str]:
    return resource["kind"], resource["metadata"]["name"]


def of_kind(resources: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {r["metadata"]["name"]: r for r in resources if r["kind"] == kind}


def env_names(settings_cls: type[BaseSettings]) -> set[str]:
    """The environment variables a settings class reads: its fields' aliases, or the prefix
    and the field's name."""
    prefix = settings_cls.model_config.get("env_prefix", "")
    names = set()
    for name, field in settings_cls.model_fields.items():
        alias = field.validation_alias
        if alias is None:
            names.add(f"{prefix}{name}".upper())
        else:
            choices = getattr(alias, "choices", [alias])
            names.update(c for c in choices if isinstance(c, str))
    return names


def container_env(
    deployment: dict[str, Any], resources: list[dict[str, Any]]
) -> Iterator[tuple[str, str]]:
    """Every variable the container gets and its value (a ConfigMap's or a Secret's key
    resolved from the manifests)."""
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    config_maps = of_kind(resources, "ConfigMap")
    secrets = of_kind(resources, "Secret")
    for source in container.get("envFrom", []):
        assert "prefix" not in source
        yield from config_maps[source["configMapRef"]["name"]]["data"].items()
    for var in container.get("env", []):
        if "value" in var:
            yield var["name"], var["value"]
        else:
            ref = var["valueFrom"]["secretKeyRef"]
            yield var["name"], secrets[ref["name"]]["stringData"][ref["key"]]


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: p.name)
def test_every_manifest_is_valid_kubernetes_with_no_unknown_field(path: Path, version: str) -> None:
    docs = documents(path)
    assert docs, f"{path.name} holds no resource"
    for doc in docs:
        where = f"{path.name}: {doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path_in = ".".join(str(p) for p in exc.path)
            pytest.fail(
                f"{where} is not valid Kubernetes {version}: {path_in}: {exc.message}",
                pytrace=False,
            )
        except kubernetes_validate.SchemaNotFoundError as exc:
            pytest.fail(f"{where}: {exc.message}", pytrace=False)


def test_kustomization_lists_every_manifest_and_only_those() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert kustomization["kind"] == "Kustomization"
    listed = kustomization["resources"]
    assert len(listed) == len(set(listed)), "a manifest is listed twice"
    assert sorted(listed) == [p.name for p in manifest_files()]
    assert kustomization["namespace"] == "medwire"
    tags = {i["name"]: i["newTag"] for i in kustomization["images"]}
    assert tags == {f"medwire/{s}": "0.1.0" for s in SETTINGS}


def test_kubectl_builds_the_kustomization_when_installed() -> None:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (the schema tests above do not need it)")
    done = subprocess.run(
        [kubectl, "kustomize", str(K8S)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    built = [d for d in yaml.safe_load_all(done.stdout) if d]
    own = [d for p in manifest_files() for d in documents(p)]
    assert sorted(map(kind_name, built)) == sorted(map(kind_name, own))
    for resource in built:
        if resource["kind"] != "Namespace":
            assert resource["metadata"]["namespace"] == "medwire", kind_name(resource)


def test_each_service_is_a_deployment_of_its_own_image(resources: list[dict[str, Any]]) -> None:
    deployments = of_kind(resources, "Deployment")
    assert set(deployments) == set(SETTINGS)
    for name, deployment in deployments.items():
        template = deployment["spec"]["template"]
        labels = template["metadata"]["labels"]
        assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert labels["app.kubernetes.io/component"] == name
        (container,) = template["spec"]["containers"]
        # The Dockerfile's CMD runs the service named at build time: no command here.
        assert container["image"] == f"medwire/{name}:0.1.0"
        assert "command" not in container and "args" not in container


def test_every_variable_given_is_a_setting_the_service_reads(
    resources: list[dict[str, Any]],
) -> None:
    for name, deployment in of_kind(resources, "Deployment").items():
        reads = env_names(SETTINGS[name])
        unread = sorted(var for var, _ in container_env(deployment, resources) if var not in reads)
        assert not unread, f"{name} is given {unread}, which {SETTINGS[name].__name__} never reads"


def test_every_service_accepts_its_settings_and_listens_where_probed(
    resources: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, deployment in of_kind(resources, "Deployment").items():
        with monkeypatch.context() as env:
            for var in list(os.environ):
                if var.startswith("MEDWIRE_"):
                    env.delenv(var)
            for var, value in container_env(deployment, resources):
                env.setenv(var, value)
            # The service's own settings class validates the values (ints, URLs, patterns).
            settings = SETTINGS[name](_env_file=None)  # type: ignore[call-arg]
        port = settings.http_port  # type: ignore[attr-defined]
        assert port == SETTINGS[name].model_fields["http_port"].default, (
            f"{name} runs on {port}, not on the port compose and Prometheus use"
        )
        pod = deployment["spec"]["template"]
        (container,) = pod["spec"]["containers"]
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        assert ports == {"http": port}
        assert pod["metadata"]["annotations"]["prometheus.io/port"] == str(port)
        assert pod["metadata"]["annotations"]["prometheus.io/path"] == "/metrics"
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert probe in container, f"{name} has no {probe}"
            get = container[probe]["httpGet"]
            assert get["path"] == "/healthz", f"{name}'s {probe} asks {get['path']}"
            assert ports.get(get["port"], get["port"]) == port, (
                f"{name}'s {probe} asks port {get['port']}, the service listens on {port}"
            )
            assert container[probe].get("timeoutSeconds"), f"{name}'s {probe} never gives up"


def test_pods_run_unprivileged_with_limits_and_a_grace_period(
    resources: list[dict[str, Any]],
) -> None:
    dockerfile = (ROOT / "deploy/Dockerfile").read_text()
    uid = int(re.search(r"useradd .*--uid (\d+)", dockerfile).group(1))  # type: ignore[union-attr]
    for name, deployment in of_kind(resources, "Deployment").items():
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] == uid
        assert pod["automountServiceAccountToken"] is False
        assert pod["terminationGracePeriodSeconds"] >= 30
        (container,) = pod["containers"]
        security = container["securityContext"]
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        assert security["readOnlyRootFilesystem"] is True
        # Python's tempfile (the API's metrics directory among others) needs a writable /tmp.
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
        assert "emptyDir" in volumes[mounts["/tmp"]], f"{name}'s /tmp is not writable"
        for kind in ("requests", "limits"):
            assert set(container["resources"][kind]) == {"cpu", "memory"}, (name, kind)


def test_sources_are_mounted_where_the_crawler_and_api_read_them(
    resources: list[dict[str, Any]],
) -> None:
    config_maps = of_kind(resources, "ConfigMap")
    deployments = of_kind(resources, "Deployment")
    for name in ("crawler", "api"):  # as compose mounts ./sources.yaml into both
        path = dict(container_env(deployments[name], resources))["MEDWIRE_SOURCES"]
        pod = deployments[name]["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        volumes = {v["name"]: v for v in pod["volumes"]}
        mount = next(m for m in container["volumeMounts"] if path.startswith(m["mountPath"] + "/"))
        assert mount.get("readOnly") is True
        config_map = config_maps[volumes[mount["name"]]["configMap"]["name"]]
        key = path.removeprefix(mount["mountPath"] + "/")
        assert config_map["data"][key] == (ROOT / "sources.yaml").read_text(), (
            f"deploy/k8s/sources.yaml ({config_map['metadata']['name']}) differs from the "
            "repository's sources.yaml: copy the change"
        )


def test_only_cleaner_and_extractor_autoscale_up_to_their_topics_partitions(
    resources: list[dict[str, Any]],
) -> None:
    # The stages create their topics with this many partitions (ensure_topics' default).
    partitions = inspect.signature(ensure_topics).parameters["partitions"].default
    deployments = of_kind(resources, "Deployment")
    autoscalers = of_kind(resources, "HorizontalPodAutoscaler")
    assert {a["spec"]["scaleTargetRef"]["name"] for a in autoscalers.values()} == set(AUTOSCALED)
    for autoscaler in autoscalers.values():
        assert autoscaler["apiVersion"] == "autoscaling/v2"
        target = autoscaler["spec"]["scaleTargetRef"]
        assert (target["apiVersion"], target["kind"]) == ("apps/v1", "Deployment")
        deployment = deployments[target["name"]]
        spec = autoscaler["spec"]
        assert 1 <= spec.get("minReplicas", 1) <= spec["maxReplicas"] <= partitions, (
            f"{target['name']} may run {spec['maxReplicas']} consumers of "
            f"{AUTOSCALED[target['name']]}, which has {partitions} partitions: the rest sit idle"
        )
        assert [m["resource"]["name"] for m in spec["metrics"]] == ["cpu"]
        # Utilization is of the CPU requested: a pod without a request is never scaled.
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert "cpu" in container["resources"]["requests"]
        # An apply would reset the replicas the autoscaler set.
        assert "replicas" not in deployment["spec"], f"{target['name']} fixes its replicas"


def test_the_api_has_two_replicas_behind_a_service_on_its_port(
    resources: list[dict[str, Any]],
) -> None:
    api = of_kind(resources, "Deployment")["api"]
    assert api["spec"]["replicas"] == 2
    (service,) = of_kind(resources, "Service").values()
    assert (
        service["spec"]["selector"].items() <= api["spec"]["template"]["metadata"]["labels"].items()
    )
    (port,) = service["spec"]["ports"]
    assert port["port"] == ApiSettings.model_fields["http_port"].default
    assert port["targetPort"] == "http"


def test_secret_example_holds_only_placeholders(resources: list[dict[str, Any]]) -> None:
    (secret,) = of_kind(resources, "Secret").values()
    assert "data" not in secret, "the example's values are stringData, readable as placeholders"
    values = secret["stringData"]
    assert "REPLACE-ME@postgres.example" in values["database-url"]
    # A placeholder token would be one anyone knows: empty keeps the admin routes off.
    assert values["admin-token"] == ""


def test_external_services_are_placeholders_marked_to_edit() -> None:
    text = (K8S / "config.yaml").read_text()
    config = yaml.safe_load(text)["data"]
    assert config["MEDWIRE_KAFKA_BOOTSTRAP"].split(":")[0].endswith(".example")
    assert re.match(r"https?://[^/:]+\.example[:/]", config["MEDWIRE_OPENSEARCH_URL"])
    assert text.count("EDIT") >= 2


def relabel(rules: list[dict[str, Any]], labels: dict[str, str]) -> dict[str, str] | None:
    """Prometheus' relabelling (the `keep` and `replace` actions): the target's labels, or
    None when it is dropped."""
    labels = dict(labels)
    for rule in rules:
        value = rule.get("separator", ";").join(labels.get(s, "") for s in rule["source_labels"])
        found = re.fullmatch(rule.get("regex", "(.*)"), value)
        if rule.get("action", "replace") == "keep":
            if not found:
                return None
        elif found:
            replacement = rule.get("replacement", "$1")
            labels[rule["target_label"]] = found.expand(re.sub(r"\$(\d+)", r"\\\1", replacement))
    return labels


def test_prometheus_scrapes_each_pod_on_its_port_under_the_compose_job(
    resources: list[dict[str, Any]],
) -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.k8s.yml").read_text())
    (job,) = config["scrape_configs"]
    for name, deployment in of_kind(resources, "Deployment").items():
        meta = deployment["spec"]["template"]["metadata"]
        discovered = {"__address__": "10.1.2.3", "__metrics_path__": "/metrics"}
        for key, value in {**meta["labels"], **meta["annotations"]}.items():
            kind = "label" if key in meta["labels"] else "annotation"
            discovered[f"__meta_kubernetes_pod_{kind}_{re.sub(r'[^a-zA-Z0-9_]', '_', key)}"] = value
        target = relabel(job["relabel_configs"], discovered)
        assert target is not None, f"{name}'s pods are not scraped"
        port = SETTINGS[name].model_fields["http_port"].default
        assert target["__address__"] == f"10.1.2.3:{port}"
        assert target["__metrics_path__"] == "/metrics"
        assert target["job"] == f"medwire-{name}"  # what alerts.yml and the dashboard select


def test_prometheus_k8s_config_passes_promtool_but_for_discovery(tmp_path: Path) -> None:
    # Debian's Prometheus is built without Kubernetes discovery: check the rest of the config
    # with the pods given as a static target.
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.k8s.yml").read_text())
    for job in config["scrape_configs"]:
        assert job.pop("kubernetes_sd_configs")[0]["namespaces"]["names"] == ["medwire"]
        job["static_configs"] = [{"targets": ["10.1.2.3:8000"]}]
    shutil.copy(ROOT / "deploy/prometheus/alerts.yml", tmp_path / "alerts.yml")
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    promtool("check", "config", str(tmp_path / "prometheus.yml"))
