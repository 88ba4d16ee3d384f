"""The Kubernetes manifests in deploy/k8s, checked without a cluster: every file parses, the
kustomizations list exactly the files that exist, and the objects agree with each other, with the
image (deploy/Dockerfile) and with the settings the services actually read."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"

PORTS = {"intake": 8001, "parser": 8002, "scorer": 8003, "notifier": 8004}
EXTRA_PORTS = {"intake": {"smtp": 2525}}
CONSUMERS = ("parser", "scorer", "notifier")
JOBS = {"migrate": ["hirestream", "migrate"], "topics": ["hirestream", "topics", "create"]}
LAG_METRIC = "hirestream_consumer_lag"
SHARED_ENV = ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "OTEL_EXPORTER_OTLP_ENDPOINT")
# Values that must come from a Secret, never from a literal or the ConfigMap.
SECRET_ENV = {
    "intake": ("DATABASE_URL", "INTAKE_API_KEY", "INTAKE_FORM_SECRET"),
    "parser": ("DATABASE_URL",),
    "scorer": ("DATABASE_URL", "SCORER_API_KEY"),
    "notifier": ("DATABASE_URL", "NOTIFIER_API_KEY", "NOTIFIER_INTAKE_API_KEY"),
}
# Any variable named like this is a credential: from a Secret, never a literal or a ConfigMap.
SECRET_NAME = re.compile(r"DATABASE_URL|API_KEY|SECRET|PASSWORD|SIGNING_KEY|BASIC_AUTH")
# Environment names the manifests may set beyond the services' settings classes: standard
# OpenTelemetry variables, and the topics file the `topics` job gets (as in docker-compose.yml).
EXTRA_ENV = {"OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES", "HIRESTREAM_TOPICS_FILE"}


# ---------------------------------------------------------------------------------- helpers


def yaml_files() -> list[Path]:
    return sorted(p for p in K8S.rglob("*") if p.suffix in (".yaml", ".yml"))


def kustomization_files() -> list[Path]:
    return [p for p in yaml_files() if p.name in ("kustomization.yaml", "kustomization.yml")]


@cache
def documents(path: Path) -> list[dict[str, Any]]:
    docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    for doc in docs:
        assert isinstance(doc, dict), f"{path.relative_to(ROOT)}: a document is not a mapping"
    return docs


@cache
def base_objects() -> list[dict[str, Any]]:
    """Every object the base kustomization renders (its own files; no remote bases)."""
    kustomization = documents(K8S / "kustomization.yaml")[0]
    objects: list[dict[str, Any]] = []
    for entry in kustomization.get("resources", []):
        objects += documents(K8S / entry)
    return objects


def objects(kind: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for obj in base_objects():
        if obj.get("kind") == kind:
            name = obj["metadata"]["name"]
            assert name not in found, f"two {kind} objects named {name!r}"
            found[name] = obj
    return found


def deployment(service: str) -> dict[str, Any]:
    deployments = objects("Deployment")
    assert service in deployments, f"no Deployment named {service!r} in deploy/k8s"
    return deployments[service]


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    spec = workload["spec"]["template"]["spec"]
    assert isinstance(spec, dict)
    return spec


def main_container(workload: dict[str, Any]) -> dict[str, Any]:
    containers = pod_spec(workload)["containers"]
    assert len(containers) == 1, f"{workload['metadata']['name']}: expected one container"
    container = containers[0]
    assert isinstance(container, dict)
    return container


def workloads() -> Iterator[tuple[str, dict[str, Any]]]:
    for kind in ("Deployment", "Job"):
        for name, obj in objects(kind).items():
            yield f"{kind}/{name}", obj


def configmap_data() -> dict[str, dict[str, str]]:
    return {name: dict(cm.get("data") or {}) for name, cm in objects("ConfigMap").items()}


def secret_keys() -> dict[str, set[str]]:
    return {
        name: set(s.get("stringData") or {}) | set(s.get("data") or {})
        for name, s in objects("Secret").items()
    }


def container_env(container: dict[str, Any]) -> dict[str, str]:
    """Every variable the container receives, as {name: where it comes from}."""
    env: dict[str, str] = {}
    for source in container.get("envFrom", []):
        if "configMapRef" in source:
            name = source["configMapRef"]["name"]
            for key in configmap_data().get(name, {}):
                env[key] = f"configmap:{name}"
        elif "secretRef" in source:
            name = source["secretRef"]["name"]
            for key in secret_keys().get(name, set()):
                env[key] = f"secret:{name}"
    for var in container.get("env", []):
        ref = var.get("valueFrom", {})
        if "secretKeyRef" in ref:
            env[var["name"]] = f"secret:{ref['secretKeyRef']['name']}"
        elif "configMapKeyRef" in ref:
            env[var["name"]] = f"configmap:{ref['configMapKeyRef']['name']}"
        else:
            env[var["name"]] = "value"
    return env


def collected(make: Callable[[], Iterable[Any]]) -> list[Any]:
    """Parameters computed while collecting: a broken file must fail its own test
    (test_every_yaml_file_parses, test_kustomization_lists_...) rather than the collection."""
    try:
        return list(make())
    except Exception:
        return []


def workload_names() -> list[str]:
    return collected(lambda: (w for w, _ in workloads()))


def command_line(container: dict[str, Any]) -> list[str]:
    return [str(a) for a in container.get("command", []) + container.get("args", [])]


@cache
def known_env_names() -> set[str]:
    """The variables hirestream reads: the shared settings' aliases and every service's prefixed
    fields, taken from the settings classes themselves."""
    from hirestream.intake.config import IntakeSettings
    from hirestream.kit.settings import ServiceSettings
    from hirestream.notifier.config import NotifierSettings
    from hirestream.parser.config import ParserSettings
    from hirestream.scorer.config import ScorerSettings

    names = {
        str(f.validation_alias)
        for f in ServiceSettings.model_fields.values()
        if isinstance(f.validation_alias, str)
    }
    for cls in (IntakeSettings, ParserSettings, ScorerSettings, NotifierSettings):
        prefix = cls.model_config.get("env_prefix", "")
        for field_name in cls.model_fields:
            if field_name in ServiceSettings.model_fields:
                continue
            names.add(f"{prefix}{field_name}".upper())
    return names


# ---------------------------------------------------------------------------------- files


@pytest.mark.parametrize("path", yaml_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_every_yaml_file_parses(path: Path) -> None:
    docs = documents(path)
    assert docs, f"{path.relative_to(ROOT)} holds no document"
    if path.name != "kustomization.yaml":
        for doc in docs:
            assert doc.get("apiVersion") and doc.get("kind"), f"{path.name}: apiVersion/kind"
            assert doc.get("metadata", {}).get("name"), f"{path.name}: {doc['kind']} has no name"


def test_base_kustomization_exists() -> None:
    assert (K8S / "kustomization.yaml").is_file()
    assert any(d.parent == K8S for d in kustomization_files())


def test_every_directory_with_manifests_has_a_kustomization() -> None:
    dirs = {p.parent for p in yaml_files()}
    missing = [d for d in dirs if not (d / "kustomization.yaml").is_file()]
    assert not missing, f"manifests outside any kustomization: {missing}"


@pytest.mark.parametrize("path", kustomization_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_kustomization_lists_exactly_the_files_beside_it(path: Path) -> None:
    kustomization = documents(path)[0]
    assert kustomization.get("kind") == "Kustomization"
    listed = kustomization.get("resources", [])
    assert len(listed) == len(set(listed)), f"{path}: a resource is listed twice"
    for entry in listed:
        assert "://" not in entry, f"{entry}: remote resources are not allowed in the base"
        assert (path.parent / entry).exists(), f"{path.relative_to(ROOT)} lists missing {entry}"
    present = {p.name for p in path.parent.iterdir() if p.suffix in (".yaml", ".yml") and p != path}
    unlisted = present - {Path(e).name for e in listed if "/" not in e}
    assert not unlisted, f"{path.relative_to(ROOT)} does not list {sorted(unlisted)}"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_the_base() -> None:
    out = subprocess.run(
        ["kubectl", "kustomize", str(K8S)], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    rendered = [d for d in yaml.safe_load_all(out.stdout) if d]
    assert len(rendered) == len(base_objects())
    assert {d["metadata"].get("namespace") for d in rendered if d["kind"] != "Namespace"} == {
        "hirestream"
    }


def test_namespace_and_image_user_agree() -> None:
    namespaces = objects("Namespace")
    kustomization = documents(K8S / "kustomization.yaml")[0]
    assert kustomization.get("namespace") in namespaces
    # The uid the pods run as is the image's user.
    match = re.search(r"--uid (\d+)", DOCKERFILE.read_text(encoding="utf-8"))
    assert match, "deploy/Dockerfile creates no user with --uid"
    uid = int(match.group(1))
    for where, workload in workloads():
        assert pod_spec(workload)["securityContext"].get("runAsUser") == uid, where


def test_secret_is_a_marked_template() -> None:
    secrets = objects("Secret")
    assert secrets, "no Secret"
    for name, secret in secrets.items():
        path = next(p for p in yaml_files() if secret in documents(p))
        text = path.read_text(encoding="utf-8")
        assert "TEMPLATE" in text and "placeholder" in text.lower(), f"{name}: not marked"
        values = {**(secret.get("stringData") or {}), **(secret.get("data") or {})}
        for key, value in values.items():
            assert "REPLACE_ME" in str(value), f"Secret {name}.{key} holds a real-looking value"


# ---------------------------------------------------------------------------------- workloads


@pytest.mark.parametrize("service", sorted(PORTS))
def test_each_service_has_a_deployment_running_it(service: str) -> None:
    container = main_container(deployment(service))
    assert command_line(container) == ["python", "-m", f"hirestream.{service}"]
    assert container["image"].split(":")[0].endswith(f"hirestream-{service}")
    images = {i["name"] for i in documents(K8S / "kustomization.yaml")[0].get("images", [])}
    assert f"hirestream-{service}" in images, "kustomization `images` does not cover it"


@pytest.mark.parametrize("service", sorted(PORTS))
def test_deployment_ports_and_probes(service: str) -> None:
    dep = deployment(service)
    container = main_container(dep)
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": PORTS[service], **EXTRA_PORTS.get(service, {})}
    # The port the service listens on is the one the ConfigMap gives it.
    config = configmap_data()["hirestream-config"]
    assert config[f"{service.upper()}_HTTP_PORT"] == str(PORTS[service])
    for name, number in EXTRA_PORTS.get(service, {}).items():
        assert config[f"{service.upper()}_{name.upper()}_PORT"] == str(number)

    def probe_port(probe: dict[str, Any]) -> int:
        port = probe["httpGet"]["port"]
        return int(ports[port] if isinstance(port, str) else port)

    for probe_name, path in (
        ("livenessProbe", "/healthz"),
        ("readinessProbe", "/readyz"),
        ("startupProbe", "/healthz"),
    ):
        probe = container.get(probe_name)
        assert probe, f"{service}: no {probe_name}"
        assert probe["httpGet"]["path"] == path, f"{service}: {probe_name} path"
        assert probe_port(probe) == PORTS[service], f"{service}: {probe_name} port"

    annotations = dep["spec"]["template"]["metadata"]["annotations"]
    assert annotations["prometheus.io/scrape"] == "true"
    assert annotations["prometheus.io/port"] == str(PORTS[service])
    assert annotations["prometheus.io/path"] == "/metrics"
    # Graceful stop takes up to ~13 s (consumer stop 8 s + tasks 5 s).
    grace = pod_spec(dep)["terminationGracePeriodSeconds"]
    assert 15 <= grace <= 60, f"{service}: terminationGracePeriodSeconds {grace}"


@pytest.mark.parametrize("service", sorted(PORTS))
def test_deployment_selector_matches_its_pods(service: str) -> None:
    dep = deployment(service)
    selector = dep["spec"]["selector"]["matchLabels"]
    labels = dep["spec"]["template"]["metadata"]["labels"]
    assert selector and selector.items() <= labels.items()
    if service in CONSUMERS:
        assert "replicas" not in dep["spec"], f"{service}: the HPA owns replicas"


@pytest.mark.parametrize("where", workload_names())
def test_workloads_are_locked_down_and_sized(where: str) -> None:
    workload = dict(workloads())[where]
    pod = pod_spec(workload)
    assert pod["securityContext"].get("runAsNonRoot") is True, where
    assert pod["securityContext"].get("runAsUser", 0) != 0, where
    assert pod.get("automountServiceAccountToken") is False, where
    mounts = set()
    for container in pod["containers"]:
        sc = container.get("securityContext", {})
        assert sc.get("allowPrivilegeEscalation") is False, where
        assert sc.get("readOnlyRootFilesystem") is True, where
        assert "ALL" in sc.get("capabilities", {}).get("drop", []), where
        resources = container.get("resources", {})
        for key in ("cpu", "memory"):
            assert key in resources.get("requests", {}), f"{where}: requests.{key}"
        assert "memory" in resources.get("limits", {}), f"{where}: limits.memory"
        mounts |= {m["mountPath"] for m in container.get("volumeMounts", [])}
    # A read-only root needs a writable /tmp for temporary files (OCR, uploads).
    assert "/tmp" in mounts, f"{where}: no writable /tmp"


@pytest.mark.parametrize("job", sorted(JOBS))
def test_bootstrap_jobs(job: str) -> None:
    jobs = objects("Job")
    name = f"hirestream-{job}"
    assert name in jobs, f"no Job {name}"
    spec = jobs[name]["spec"]
    container = main_container(jobs[name])
    assert command_line(container) == JOBS[job]
    assert re.search(r"hirestream-(intake|parser|scorer|notifier)$", container["image"])
    assert pod_spec(jobs[name])["restartPolicy"] in ("Never", "OnFailure")
    assert spec.get("backoffLimit", 6) >= 1
    needs = "DATABASE_URL" if job == "migrate" else "KAFKA_BOOTSTRAP_SERVERS"
    assert needs in container_env(container), f"{name}: no {needs}"


# ---------------------------------------------------------------------------------- env


@pytest.mark.parametrize("where", workload_names())
def test_env_references_resolve(where: str) -> None:
    """Every ConfigMap/Secret a container refers to exists, with the key it names."""
    workload = dict(workloads())[where]
    configmaps, secrets = configmap_data(), secret_keys()
    for container in pod_spec(workload)["containers"]:
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                assert source["configMapRef"]["name"] in configmaps, where
            if "secretRef" in source:
                assert source["secretRef"]["name"] in secrets, where
        for var in container.get("env", []):
            ref = var.get("valueFrom", {})
            if "secretKeyRef" in ref:
                sref = ref["secretKeyRef"]
                assert sref["key"] in secrets.get(sref["name"], set()), f"{where}: {var['name']}"
            if "configMapKeyRef" in ref:
                cref = ref["configMapKeyRef"]
                assert cref["key"] in configmaps.get(cref["name"], {}), f"{where}: {var['name']}"


@pytest.mark.parametrize("where", workload_names())
def test_env_names_are_ones_hirestream_reads(where: str) -> None:
    workload = dict(workloads())[where]
    allowed = known_env_names() | EXTRA_ENV
    for container in pod_spec(workload)["containers"]:
        unknown = set(container_env(container)) - allowed
        assert not unknown, f"{where}: variables no setting reads: {sorted(unknown)}"


@pytest.mark.parametrize("service", sorted(PORTS))
def test_services_get_shared_env_and_secrets_from_secrets(service: str) -> None:
    env = container_env(main_container(deployment(service)))
    for name in SHARED_ENV:
        assert name in env, f"{service}: {name} not set"
    for name in SECRET_ENV[service]:
        assert name in env, f"{service}: {name} not set"
    if service == "notifier":
        assert {"NOTIFIER_SMTP_HOST", "NOTIFIER_SMTP_PORT", "NOTIFIER_INTAKE_URL"} <= set(env)


@pytest.mark.parametrize("where", workload_names())
def test_credentials_come_from_secrets(where: str) -> None:
    for container in pod_spec(dict(workloads())[where])["containers"]:
        for name, source in container_env(container).items():
            if SECRET_NAME.search(name):
                assert source.startswith("secret:"), f"{where}: {name} from {source}"


def test_parser_memory_limit_exceeds_the_extraction_limit() -> None:
    """The extraction worker's RLIMIT_AS must trip before the container's OOM killer."""
    limit = main_container(deployment("parser"))["resources"]["limits"]["memory"]
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    match = re.fullmatch(r"(\d+)(Ki|Mi|Gi)", str(limit))
    assert match, f"parser memory limit {limit!r}: use Ki/Mi/Gi"
    limit_bytes = int(match.group(1)) * units[match.group(2)]
    from hirestream.parser.config import ParserSettings

    default = ParserSettings.model_fields["extract_memory_mb"].default
    extract_mb = int(configmap_data()["hirestream-config"].get("PARSER_EXTRACT_MEMORY_MB", default))
    assert limit_bytes >= (extract_mb + 256) * 2**20, f"{limit} vs {extract_mb} MB per worker"


# ---------------------------------------------------------------------------------- services


def test_services_expose_the_right_ports() -> None:
    services = objects("Service")
    for name, port in PORTS.items():
        assert name in services, f"no Service {name}"
        spec = services[name]["spec"]
        assert spec["selector"].items() <= (
            deployment(name)["spec"]["template"]["metadata"]["labels"].items()
        )
        exposed = {p["port"] for p in spec["ports"]}
        expected = {port, *EXTRA_PORTS.get(name, {}).values()}
        assert exposed == expected, f"Service {name}: ports {exposed}"
        container_ports = {p["name"] for p in main_container(deployment(name))["ports"]}
        for p in spec["ports"]:
            target = p.get("targetPort", p["port"])
            assert target in container_ports or target == p["port"], f"Service {name}: {target}"


def test_pod_disruption_budgets_cover_every_deployment() -> None:
    pdbs = objects("PodDisruptionBudget")
    for name in PORTS:
        labels = deployment(name)["spec"]["template"]["metadata"]["labels"]
        covering = [
            p
            for p in pdbs.values()
            if p["spec"]["selector"]["matchLabels"].items() <= labels.items()
        ]
        assert len(covering) == 1, f"{name}: {len(covering)} PodDisruptionBudgets"
        spec = covering[0]["spec"]
        assert "maxUnavailable" in spec or "minAvailable" in spec


# ---------------------------------------------------------------------------------- autoscaling


def test_an_hpa_per_consumer_scaling_on_lag_and_cpu() -> None:
    hpas = objects("HorizontalPodAutoscaler")
    targets = {h["spec"]["scaleTargetRef"]["name"]: h for h in hpas.values()}
    assert set(targets) == set(CONSUMERS), f"HPAs target {sorted(targets)}"
    for service, hpa in targets.items():
        assert hpa["apiVersion"] == "autoscaling/v2", service
        ref = hpa["spec"]["scaleTargetRef"]
        assert (ref["kind"], ref["apiVersion"]) == ("Deployment", "apps/v1"), service
        deployment(ref["name"])  # exists
        assert 1 <= hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"], service
        metrics = hpa["spec"]["metrics"]
        lag = [m for m in metrics if m["type"] in ("External", "Pods")]
        assert len(lag) == 1, f"{service}: one lag metric expected"
        source = lag[0]["external" if lag[0]["type"] == "External" else "pods"]
        assert source["metric"]["name"] == LAG_METRIC, service
        assert source["target"]["type"] == "AverageValue", service
        assert float(source["target"]["averageValue"]) > 0, service
        if lag[0]["type"] == "External":
            labels = source["metric"].get("selector", {}).get("matchLabels", {})
            assert labels.get("service") == service, f"{service}: lag of another service"
        cpu = [m for m in metrics if m["type"] == "Resource" and m["resource"]["name"] == "cpu"]
        assert cpu, f"{service}: no CPU metric"
        requests = main_container(deployment(service))["resources"]["requests"]
        assert "cpu" in requests, f"{service}: CPU utilisation needs a CPU request"


def test_hpa_max_replicas_do_not_exceed_partitions() -> None:
    """Consumers beyond the partition count of the input topic sit idle."""
    partitions = {}
    for line in (ROOT / "deploy" / "topics.txt").read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if len(words) == 2:
            partitions[words[0]] = int(words[1])
    consumed = {
        "parser": "application.received.v1",
        "scorer": "profile.parsed.v1",
        "notifier": "application.scored.v1",
    }
    for hpa in objects("HorizontalPodAutoscaler").values():
        service = hpa["spec"]["scaleTargetRef"]["name"]
        assert hpa["spec"]["maxReplicas"] <= partitions[consumed[service]], service


def test_prometheus_adapter_example_serves_the_lag_metric() -> None:
    example = K8S / "examples" / "prometheus-adapter-config.yaml"
    (configmap,) = documents(example)
    assert configmap["kind"] == "ConfigMap"
    config = yaml.safe_load(configmap["data"]["config.yaml"])
    rules = config.get("externalRules", [])
    rule = next(r for r in rules if LAG_METRIC in r["seriesQuery"])
    assert rule["name"]["as"] == LAG_METRIC
    assert "<<.Series>>" in rule["metricsQuery"] and "<<.LabelMatchers>>" in rule["metricsQuery"]
    assert "namespace" in rule["resources"]["overrides"]


def test_every_shared_setting_in_the_configmap_is_one_the_services_read() -> None:
    """A typo'd HIRESTREAM_ variable would be silently ignored by every pod."""
    from hirestream.kit.settings import ServiceSettings

    known = {
        str(field.validation_alias)
        for field in ServiceSettings.model_fields.values()
        if field.validation_alias
    } | {"HIRESTREAM_TOPICS_FILE"}
    config = configmap_data()["hirestream-config"]
    shared = {key for key in config if key.startswith("HIRESTREAM_")}
    assert shared <= known, f"unknown settings: {sorted(shared - known)}"
    assert {"HIRESTREAM_RETRY_BACKOFF_SECONDS", "HIRESTREAM_CONSUMER_BATCH_MAX"} <= shared
