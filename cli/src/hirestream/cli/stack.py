"""Starting and stopping the whole hirestream stack on one machine.

Infrastructure: the embedded PostgreSQL and Tansu unless ``DATABASE_URL`` /
``KAFKA_BOOTSTRAP_SERVERS`` point elsewhere. Services: the four real service processes
(``python -m hirestream.<name>``), each with its own environment. Used by ``hirestream dev up``,
``hirestream demo`` and the end-to-end and fault tests.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hirestream.contracts import ALL_TOPICS, topic_name
from hirestream.kit.devstack import EmbeddedPostgres, EmbeddedTansu, ensure_topics, free_port
from hirestream.kit.runtime import migrate

SERVICES = ("intake", "parser", "scorer", "notifier")
SERVICE_PACKAGES = {name: f"hirestream.{name}" for name in SERVICES}


@dataclass
class Ports:
    intake_http: int = 8001
    intake_smtp: int = 2525
    parser_http: int = 8002
    scorer_http: int = 8003
    notifier_http: int = 8004
    notifier_smtp: int = 1025  # where the notifier sends mail (a sink or Mailpit)

    @classmethod
    def free(cls) -> Ports:
        return cls(*(free_port() for _ in range(6)))


@dataclass
class StackConfig:
    database_url: str
    kafka_bootstrap: str
    workdir: Path
    ports: Ports = field(default_factory=Ports)
    topic_prefix: str = ""
    trace_file: Path | None = None
    api_key: str = "dev-api-key"
    mail_domain: str = "jobs.localhost"
    form_secret: str = field(default_factory=lambda: secrets.token_hex(32))
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def intake_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.intake_http}"

    @property
    def notifier_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.notifier_http}"

    @property
    def scorer_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.scorer_http}"

    def service_env(self, name: str) -> dict[str, str]:
        p = self.ports
        env = {
            **os.environ,
            "DATABASE_URL": self.database_url,
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "HIRESTREAM_TOPIC_PREFIX": self.topic_prefix,
            "OTEL_SERVICE_NAME": name,
            "INTAKE_HTTP_PORT": str(p.intake_http),
            "INTAKE_SMTP_PORT": str(p.intake_smtp),
            "INTAKE_HTTP_HOST": "127.0.0.1",
            "INTAKE_SMTP_HOST": "127.0.0.1",
            "INTAKE_API_KEY": self.api_key,
            "INTAKE_MAIL_DOMAIN": self.mail_domain,
            # One form-signing key for every intake process, so a restart keeps forms valid.
            "INTAKE_FORM_SECRET": self.form_secret,
            "PARSER_HTTP_PORT": str(p.parser_http),
            "PARSER_HTTP_HOST": "127.0.0.1",
            "SCORER_HTTP_PORT": str(p.scorer_http),
            "SCORER_HTTP_HOST": "127.0.0.1",
            "SCORER_API_KEY": self.api_key,
            "NOTIFIER_HTTP_PORT": str(p.notifier_http),
            "NOTIFIER_HTTP_HOST": "127.0.0.1",
            "NOTIFIER_SMTP_HOST": "127.0.0.1",
            "NOTIFIER_SMTP_PORT": str(p.notifier_smtp),
            "NOTIFIER_PUBLIC_URL": self.intake_url,
            "NOTIFIER_INTAKE_URL": self.intake_url,
            "NOTIFIER_INTAKE_API_KEY": self.api_key,
            "NOTIFIER_API_KEY": self.api_key,
            **self.extra_env,
        }
        if self.trace_file is not None:
            env["HIRESTREAM_TRACE_FILE"] = str(self.trace_file)
        return env


class Infrastructure:
    """PostgreSQL and the broker: external when configured, embedded otherwise."""

    def __init__(self, workdir: Path, *, pg_port: int | None = None, kafka_port: int | None = None):
        self.workdir = workdir
        self.postgres: EmbeddedPostgres | None = None
        self.tansu: EmbeddedTansu | None = None
        self._pg_port = pg_port
        self._kafka_port = kafka_port

    def start(self, database: str = "hirestream") -> tuple[str, str]:
        database_url = os.environ.get("DATABASE_URL")
        bootstrap = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
        if not database_url:
            self.postgres = EmbeddedPostgres(
                self.workdir / "postgres", self._pg_port or free_port()
            )
            self.postgres.start()
            database_url = self.postgres.create_database(database)
        if not bootstrap:
            self.tansu = EmbeddedTansu(self._kafka_port or free_port(), self.workdir / "tansu.log")
            self.tansu.start()
            bootstrap = self.tansu.bootstrap
        return database_url, bootstrap

    def stop(self) -> None:
        if self.tansu is not None:
            self.tansu.stop()
        if self.postgres is not None:
            self.postgres.stop()


async def prepare(database_url: str, bootstrap: str, topic_prefix: str = "") -> None:
    """Migrations for every service and every contract topic on the broker."""
    for name, package in SERVICE_PACKAGES.items():
        await migrate(database_url, name, package)
    await ensure_topics(bootstrap, [topic_name(t, topic_prefix) for t in ALL_TOPICS])


class ServiceProcesses:
    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self.logdir = config.workdir / "logs"
        self.logdir.mkdir(parents=True, exist_ok=True)

    def start(self, name: str, *, instance: str = "", env: dict[str, str] | None = None) -> None:
        """Start service ``name``; a non-empty ``instance`` starts one more replica beside it
        (same consumer group), with ``env`` overriding e.g. its HTTP port."""
        key = f"{name}{instance}"
        log = open(self.logdir / f"{key}.log", "ab")  # noqa: SIM115 - owned by the child
        self.procs[key] = subprocess.Popen(
            [sys.executable, "-m", f"hirestream.{name}"],
            env={**self.config.service_env(name), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start_all(self) -> None:
        for name in SERVICES:
            self.start(name)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        proc.send_signal(sig)
        proc.wait(15)

    def stop_all(self, timeout: float = 12.0) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in self.procs.values():
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                tail = (self.logdir / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"service {name} exited with {proc.returncode}:\n{tail}")

    def wait_healthy(self, timeout: float = 60.0) -> None:
        ports = self.config.ports
        urls = [
            f"http://127.0.0.1:{ports.intake_http}/healthz",
            f"http://127.0.0.1:{ports.parser_http}/healthz",
            f"http://127.0.0.1:{ports.scorer_http}/healthz",
            f"http://127.0.0.1:{ports.notifier_http}/healthz",
        ]
        deadline = time.monotonic() + timeout
        pending = list(urls)
        while pending:
            self.check_alive()
            if time.monotonic() > deadline:
                raise TimeoutError(f"services not healthy: {pending}")
            url = pending[0]
            try:
                if httpx.get(url, timeout=1).status_code == 200:
                    pending.pop(0)
                    continue
            except httpx.HTTPError:
                pass
            time.sleep(0.2)


def run(coro: object) -> None:
    asyncio.run(coro)  # type: ignore[arg-type]
