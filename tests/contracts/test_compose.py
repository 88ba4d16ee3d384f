"""The deployment files, checked without a Docker engine: docker-compose.yml, deploy/Dockerfile,
deploy/otel-collector.yaml and deploy/topics.txt parsed and held against each other and against
the event contracts."""

from __future__ import annotations

import fnmatch
import glob
import json
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from hirestream.contracts import ALL_TOPICS

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COLLECTOR = ROOT / "deploy" / "otel-collector.yaml"
TOPICS = ROOT / "deploy" / "topics.txt"

APP_SERVICES = ("intake", "parser", "scorer", "notifier")
JOBS = {
    "migrate": ("hirestream migrate", "postgres"),
    "topics": ("hirestream topics create", "kafka"),
}
INFRA = ("kafka", "postgres", "otel-collector", "jaeger", "mailpit")
SHARED_ENV = ("DATABASE_URL", "KAFKA_BOOTSTRAP_SERVERS", "OTEL_EXPORTER_OTLP_ENDPOINT")


# ---------------------------------------------------------------------------------- helpers


@cache
def compose() -> dict[str, Any]:
    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def service(name: str) -> dict[str, Any]:
    services = compose()["services"]
    assert name in services, f"docker-compose.yml has no service {name!r}"
    svc = services[name]
    assert isinstance(svc, dict)
    return svc


def env(svc: dict[str, Any]) -> dict[str, str]:
    """``environment`` as a dict, whether written as a mapping or a ``KEY=VALUE`` list."""
    raw = svc.get("environment") or {}
    if isinstance(raw, list):
        pairs = (item.split("=", 1) for item in raw)
        return {p[0]: p[1] if len(p) > 1 else "" for p in pairs}
    return {k: "" if v is None else str(v) for k, v in raw.items()}


def depends_on(svc: dict[str, Any]) -> dict[str, str]:
    """``depends_on`` as {service: condition}; the short list form means ``service_started``."""
    raw = svc.get("depends_on") or {}
    if isinstance(raw, list):
        return dict.fromkeys(raw, "service_started")
    return {k: (v or {}).get("condition", "service_started") for k, v in raw.items()}


def build_args(svc: dict[str, Any]) -> dict[str, str]:
    raw = svc["build"].get("args") or {}
    if isinstance(raw, list):
        return dict(item.split("=", 1) for item in raw)
    return {k: str(v) for k, v in raw.items()}


def command(svc: dict[str, Any]) -> str:
    raw = svc.get("command", "")
    return " ".join(raw) if isinstance(raw, list) else str(raw)


def published_ports(svc: dict[str, Any]) -> dict[int, int]:
    """{container port: host port} from short-form ``[ip:]host:container`` entries."""
    ports = {}
    for entry in svc.get("ports", []):
        if isinstance(entry, dict):
            ports[int(entry["target"])] = int(entry["published"])
            continue
        parts = str(entry).split("/")[0].split(":")
        assert len(parts) >= 2, f"{entry!r}: publish with an explicit host port"
        ports[int(parts[-1])] = int(parts[-2])
    return ports


def healthcheck_text(svc: dict[str, Any]) -> str:
    test = (svc.get("healthcheck") or {}).get("test")
    assert test, "no healthcheck"
    return " ".join(test) if isinstance(test, list) else str(test)


def bind_mounts(svc: dict[str, Any]) -> list[tuple[str, str]]:
    """(host path, container path) of the service's bind mounts (sources starting with . or /)."""
    mounts = []
    for volume in svc.get("volumes", []):
        if isinstance(volume, dict):
            if volume.get("type") == "bind":
                mounts.append((volume["source"], volume["target"]))
            continue
        source, target, *_ = str(volume).split(":")
        if source.startswith((".", "/")):
            mounts.append((source, target))
    return mounts


@dataclass
class Instruction:
    keyword: str
    args: str
    stage: int


@dataclass
class Dockerfile:
    instructions: list[Instruction]
    global_args: dict[str, str] = field(default_factory=dict)

    def of(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


@cache
def dockerfile() -> Dockerfile:
    """Instructions with continuations joined and comments dropped, numbered by build stage."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, "Dockerfile ends inside a line continuation"

    parsed = Dockerfile([])
    stage = -1
    for text in logical:
        keyword, _, args = text.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            stage += 1
        elif keyword == "ARG" and stage == -1:
            name, _, default = args.strip().partition("=")
            parsed.global_args[name] = default.strip("\"'")
        parsed.instructions.append(Instruction(keyword, args.strip(), stage))
    return parsed


def split_flags(args: str) -> tuple[dict[str, str], list[str]]:
    """``--flag=value`` options and positional words of a COPY/ADD/RUN instruction."""
    if args.startswith("["):
        return {}, json.loads(args)
    flags: dict[str, str] = {}
    words = shlex.split(args)
    while words and words[0].startswith("--"):
        name, _, value = words.pop(0)[2:].partition("=")
        flags[name] = value
    return flags, words


def resolve_from(image: str, global_args: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda m: global_args.get(m.group(1), m.group(0)), image)


def copy_sources() -> list[str]:
    """Paths the Dockerfile takes from the build context (COPY/ADD without --from)."""
    sources = []
    for instruction in dockerfile().of("COPY") + dockerfile().of("ADD"):
        flags, words = split_flags(instruction.args)
        if "from" not in flags:
            sources += words[:-1]
    return sources


def bind_mount_sources() -> list[str]:
    sources = []
    for instruction in dockerfile().of("RUN"):
        for mount in re.findall(r"--mount=(\S+)", instruction.args):
            options = dict(opt.partition("=")[::2] for opt in mount.split(","))
            if options.get("type") == "bind" and "from" not in options:
                sources.append(options.get("source", options.get("src", ".")))
    return sources


def dockerignore_patterns() -> list[str]:
    if not DOCKERIGNORE.exists():
        return []
    lines = DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
    return [ln.strip().strip("/") for ln in lines if ln.strip() and not ln.startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    """Approximates Docker's matching (the last matching pattern wins; a path is excluded when
    it or a parent matches). fnmatch's ``*`` also crosses ``/``: it errs towards excluding."""
    parts = Path(path.strip("/")).parts
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    # every run of consecutive path components, for patterns that start with **/
    runs = ["/".join(parts[j : i + 1]) for i in range(len(parts)) for j in range(i + 1)]
    excluded = False
    for raw in patterns:
        pattern = raw.removeprefix("!")
        if pattern.startswith("**/"):
            hit = any(fnmatch.fnmatchcase(run, pattern[3:]) for run in runs)
        else:
            hit = any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes)
        if hit:
            excluded = not raw.startswith("!")
    return excluded


def workspace_members() -> list[str]:
    root = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    members: list[str] = []
    for pattern in root["tool"]["uv"]["workspace"]["members"]:
        for match in sorted(glob.glob(str(ROOT / pattern))):
            if (Path(match) / "pyproject.toml").exists():
                members.append(Path(match).relative_to(ROOT).as_posix())
    return members


@cache
def collector() -> dict[str, Any]:
    data = yaml.safe_load(COLLECTOR.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def topics_file() -> list[tuple[str, int]]:
    entries = []
    for number, line in enumerate(TOPICS.read_text(encoding="utf-8").splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        words = line.split()
        assert len(words) == 2, f"topics.txt:{number}: expected `<topic> <partitions>`"
        entries.append((words[0], int(words[1])))
    return entries


# ---------------------------------------------------------------------------------- compose


def test_required_services_exist() -> None:
    missing = set(INFRA) | set(JOBS) | set(APP_SERVICES)
    missing -= set(compose()["services"])
    assert not missing, f"missing services: {sorted(missing)}"


def test_images_are_pinned() -> None:
    for name, svc in compose()["services"].items():
        if "image" in svc and "build" not in svc:
            image = svc["image"]
            tag = image.rpartition(":")[2] if ":" in image.rsplit("/", 1)[-1] else ""
            assert tag and tag != "latest", f"{name}: pin {image!r} to a version"


def test_kafka_runs_in_kraft_mode_without_zookeeper() -> None:
    for name, svc in compose()["services"].items():
        assert "zookeeper" not in name.lower(), "KRaft: no ZooKeeper service"
        assert "zookeeper" not in str(svc.get("image", "")).lower(), f"{name} runs ZooKeeper"
    kafka = service("kafka")
    assert kafka["image"].startswith("apache/kafka:")
    kafka_env = env(kafka)
    assert "KAFKA_ZOOKEEPER_CONNECT" not in kafka_env
    roles = {role.strip() for role in kafka_env.get("KAFKA_PROCESS_ROLES", "").split(",")}
    assert roles == {"broker", "controller"}, "single node: combined broker and controller"
    assert kafka_env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")
    assert kafka_env.get("KAFKA_CONTROLLER_LISTENER_NAMES")
    assert "kafka" in healthcheck_text(kafka)


def test_postgres_is_16_with_healthcheck_and_volume() -> None:
    postgres = service("postgres")
    assert re.match(r"^postgres:16(\.|-|$)", postgres["image"]), postgres["image"]
    assert "pg_isready" in healthcheck_text(postgres)
    named_volumes = compose().get("volumes") or {}
    data_mounts = [
        v for v in postgres.get("volumes", []) if str(v).endswith(":/var/lib/postgresql/data")
    ]
    assert data_mounts, "PostgreSQL keeps its data in a volume"
    assert str(data_mounts[0]).split(":")[0] in named_volumes


def test_postgres_has_room_for_the_wal_of_a_busy_intake() -> None:
    """The embedded server's setting (kit devstack): at the default 1 GB a busy intake makes
    PostgreSQL checkpoint every few seconds."""
    command = service("postgres").get("command") or []
    assert command[:1] == ["postgres"]
    assert "max_wal_size=8GB" in command


def test_jaeger_accepts_otlp_and_serves_its_ui() -> None:
    jaeger = service("jaeger")
    assert jaeger["image"].startswith("jaegertracing/all-in-one:")
    assert env(jaeger).get("COLLECTOR_OTLP_ENABLED", "true").lower() == "true"
    assert published_ports(jaeger).get(16686) == 16686


def test_mailpit_ports() -> None:
    mailpit = service("mailpit")
    assert mailpit["image"].startswith("axllent/mailpit:")
    ports = published_ports(mailpit)
    assert ports.get(1025) == 1025
    assert ports.get(8025) == 8025


def test_collector_runs_the_committed_config() -> None:
    otel = service("otel-collector")
    assert otel["image"].startswith("otel/opentelemetry-collector-contrib:")
    mounts = dict(bind_mounts(otel))
    assert "./deploy/otel-collector.yaml" in mounts
    target = mounts["./deploy/otel-collector.yaml"]
    if "command" in otel:
        assert f"--config={target}" in command(otel)
    else:
        assert target == "/etc/otelcol-contrib/config.yaml", "the image's default config path"


def test_bind_mounted_files_exist() -> None:
    for name, svc in compose()["services"].items():
        for source, _ in bind_mounts(svc):
            assert (ROOT / source).exists(), f"{name} mounts {source}, which is not in the repo"


@pytest.mark.parametrize("name", sorted(JOBS))
def test_one_shot_jobs(name: str) -> None:
    job = service(name)
    expected_command, needs = JOBS[name]
    assert job["build"]["dockerfile"] == "deploy/Dockerfile"
    assert (ROOT / job["build"].get("context", ".")).resolve() == ROOT
    assert build_args(job).get("SERVICE") in APP_SERVICES
    assert command(job) == expected_command
    assert depends_on(job).get(needs) == "service_healthy", f"{name} waits for a healthy {needs}"
    assert str(job.get("restart", "no")) == "no", "a one-shot job must not restart"
    job_env = env(job)
    assert "DATABASE_URL" in job_env or "KAFKA_BOOTSTRAP_SERVERS" in job_env


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service(name: str) -> None:
    svc = service(name)
    build = svc["build"]
    assert (ROOT / build.get("context", ".")).resolve() == ROOT, "build from the workspace root"
    assert build["dockerfile"] == "deploy/Dockerfile"
    assert build_args(svc) == {"SERVICE": name}

    deps = depends_on(svc)
    assert deps.get("migrate") == "service_completed_successfully"
    assert deps.get("topics") == "service_completed_successfully"

    svc_env = env(svc)
    missing = [key for key in SHARED_ENV if not svc_env.get(key)]
    assert not missing, f"{name} lacks {missing}"
    assert svc_env.get("OTEL_SERVICE_NAME") == name

    port = svc_env.get(f"{name.upper()}_HTTP_PORT")
    assert port, f"{name} sets {name.upper()}_HTTP_PORT"
    check = healthcheck_text(svc)
    assert f":{port}/healthz" in check, f"{name}'s healthcheck probes /healthz on port {port}"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_service_env_points_at_the_stack(name: str) -> None:
    svc_env = env(service(name))
    postgres_env = env(service("postgres"))
    db = urlsplit(svc_env["DATABASE_URL"])
    assert db.scheme in {"postgresql", "postgres"}
    assert (db.hostname, db.port or 5432) == ("postgres", 5432)
    assert db.username == postgres_env["POSTGRES_USER"]
    assert db.password == postgres_env["POSTGRES_PASSWORD"]
    assert db.path.lstrip("/") == postgres_env["POSTGRES_DB"]

    advertised = env(service("kafka"))["KAFKA_ADVERTISED_LISTENERS"]
    advertised_hosts = {listener.split("://", 1)[1] for listener in advertised.split(",")}
    for server in svc_env["KAFKA_BOOTSTRAP_SERVERS"].split(","):
        assert server.strip() in advertised_hosts, f"{server} is not an advertised listener"

    otlp = urlsplit(svc_env["OTEL_EXPORTER_OTLP_ENDPOINT"])
    assert (otlp.scheme, otlp.hostname, otlp.port) == ("http", "otel-collector", 4318)


def test_published_ports() -> None:
    intake = published_ports(service("intake"))
    assert intake.get(8001) == 8001
    assert intake.get(2525) == 2525
    assert env(service("intake")).get("INTAKE_SMTP_PORT") == "2525"
    assert published_ports(service("scorer")).get(8003) == 8003


def test_notifier_sends_mail_to_mailpit() -> None:
    notifier_env = env(service("notifier"))
    assert notifier_env.get("NOTIFIER_SMTP_HOST") == "mailpit"
    assert notifier_env.get("NOTIFIER_SMTP_PORT") == "1025"
    assert notifier_env.get("NOTIFIER_SENDER")


def test_shared_service_settings_come_from_the_anchor() -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert re.search(r"^x-service: &service\b", text, re.MULTILINE)
    assert "x-service" in compose()
    assert text.count("<<: *service\n") == len(APP_SERVICES)


# ---------------------------------------------------------------------------------- Dockerfile


def test_dockerfile_declares_service_arg() -> None:
    assert DOCKERFILE.exists()
    parsed = dockerfile()
    stages_with_arg = {i.stage for i in parsed.of("ARG") if i.args.split("=")[0] == "SERVICE"}
    assert stages_with_arg, "deploy/Dockerfile declares ARG SERVICE"
    uses = re.compile(r"\$\{?SERVICE\b")
    for instruction in parsed.instructions:
        if instruction.keyword != "ARG" and uses.search(instruction.args):
            assert instruction.stage in stages_with_arg, (
                f"{instruction.keyword} {instruction.args!r} uses SERVICE in a stage without "
                "ARG SERVICE (an ARG is scoped to its stage)"
            )


def test_dockerfile_is_multi_stage_on_python_311_slim() -> None:
    parsed = dockerfile()
    bases = [resolve_from(split_flags(i.args)[1][0], parsed.global_args) for i in parsed.of("FROM")]
    assert len(bases) >= 2, "multi-stage: a builder and a runtime stage"
    for base in bases:
        assert base.startswith("python:3.11-slim"), base


def test_dockerfile_copies_only_files_in_the_repo() -> None:
    sources = copy_sources() + bind_mount_sources()
    assert sources
    for source in sources:
        assert glob.glob(str(ROOT / source)), f"deploy/Dockerfile copies {source}: not in the repo"


def test_dockerignore_keeps_what_the_dockerfile_copies() -> None:
    patterns = dockerignore_patterns()
    assert ".venv" in patterns, "keep the local virtualenv out of the build context"
    for source in copy_sources() + bind_mount_sources():
        assert not ignored(source, patterns), f".dockerignore excludes {source}"


def test_dockerfile_copies_every_workspace_manifest() -> None:
    """uv sync --frozen needs every member's pyproject.toml to assemble the workspace."""
    sources = set(copy_sources())
    for required in ("pyproject.toml", "uv.lock"):
        assert required in sources
    for member in workspace_members():
        manifest = f"{member}/pyproject.toml"
        top = member.split("/")[0]
        assert manifest in sources, f"the dependency layer lacks {manifest}"
        assert top in sources or member in sources, f"the Dockerfile never copies {member}"


def test_dockerfile_uses_pinned_uv_and_locked_sync() -> None:
    parsed = dockerfile()
    uv_copies = [
        split_flags(i.args)[0]["from"]
        for i in parsed.of("COPY")
        if split_flags(i.args)[0].get("from", "").startswith("ghcr.io/astral-sh/uv")
    ]
    assert uv_copies, "uv comes from the official image: COPY --from=ghcr.io/astral-sh/uv:<ver>"
    for image in uv_copies:
        assert re.match(r"^ghcr\.io/astral-sh/uv:\d+\.\d+\.\d+(@sha256:[0-9a-f]{64})?$", image)

    syncs = [i.args for i in parsed.of("RUN") if "uv sync" in i.args]
    assert syncs
    for sync in syncs:
        for flag in ("--frozen", "--no-dev"):
            assert flag in sync, f"`uv sync` without {flag}: {sync}"
        assert re.search(r"--package \"?hirestream-\$\{?SERVICE\}?\"?", sync)
        assert "--package hirestream-cli" in sync, "every image carries the hirestream CLI"


def test_dockerfile_runs_the_service_as_non_root() -> None:
    parsed = dockerfile()
    final = max(i.stage for i in parsed.instructions)
    users = [i.args for i in parsed.of("USER") if i.stage == final]
    assert users, "the runtime stage sets USER"
    assert users[-1].split(":")[0] not in {"root", "0"}

    cmds = [i for i in parsed.of("CMD") + parsed.of("ENTRYPOINT") if i.stage == final]
    assert cmds, "the runtime stage has a default command"
    text = cmds[-1].args
    assert "python -m" in text and "hirestream." in text, text
    service_var = re.search(r"hirestream\.\$\{?(\w+)\}?", text)
    assert service_var, "the module follows the SERVICE build arg"
    var = service_var.group(1)
    envs = " ".join(i.args for i in parsed.of("ENV") if i.stage == final)
    assert var == "SERVICE" or re.search(rf"\b{var}=\"?\$\{{?SERVICE\b", envs), (
        f"${var} in CMD must be set from the SERVICE build arg with ENV"
    )


# ---------------------------------------------------------------------------------- topics, OTel


def test_topics_file_equals_contract_topics() -> None:
    entries = topics_file()
    names = [name for name, _ in entries]
    assert len(names) == len(set(names)), "a topic is listed twice"
    assert set(names) == set(ALL_TOPICS)
    for name, partitions in entries:
        assert partitions >= 1, f"{name}: partitions must be positive"


def test_collector_exports_traces_to_jaeger() -> None:
    config = collector()
    protocols = config["receivers"]["otlp"]["protocols"]
    assert {"grpc", "http"} <= set(protocols)
    assert str(protocols["http"]["endpoint"]).endswith(":4318")
    assert str(protocols["grpc"]["endpoint"]).endswith(":4317")

    traces = config["service"]["pipelines"]["traces"]
    assert "otlp" in traces["receivers"]
    assert "batch" in traces["processors"]
    to_jaeger = [
        name
        for name in traces["exporters"]
        if name.split("/")[0] == "otlp" and config["exporters"][name]["endpoint"] == "jaeger:4317"
    ]
    assert to_jaeger, "the traces pipeline exports OTLP to jaeger:4317"
    assert config["exporters"][to_jaeger[0]]["tls"]["insecure"] is True
    assert "debug" in traces["exporters"]


def test_collector_pipelines_reference_defined_components() -> None:
    config = collector()
    for pipeline_name, pipeline in config["service"]["pipelines"].items():
        for kind in ("receivers", "processors", "exporters"):
            for component in pipeline.get(kind, []):
                assert component in (config.get(kind) or {}), (
                    f"pipeline {pipeline_name} uses undefined {kind[:-1]} {component!r}"
                )
    for extension in config["service"].get("extensions", []):
        assert extension in (config.get("extensions") or {})
