"""pytest fixtures for cross-service tests: the four services as real processes on the real
stack (registered by the repo root conftest)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hirestream.cli.client import Api, apply_by_email
from hirestream.cli.demo_data import DemoApplication
from hirestream.cli.sink import SmtpSink
from hirestream.cli.stack import Ports, ServiceProcesses, StackConfig, prepare
from hirestream.kit.testing import Stack

REPO = Path(__file__).resolve().parents[4]
SHARED_POSTINGS = REPO.parent / "shared" / "postings"
EXAMPLE_POSTINGS = REPO / "examples" / "postings"


@dataclass
class Pipeline:
    config: StackConfig
    processes: ServiceProcesses
    sink: SmtpSink
    api: Api

    def load_postings(self, directory: Path = EXAMPLE_POSTINGS) -> list[str]:
        """Publish every posting of ``directory`` and wait until intake accepts them."""
        from hirestream.scorer.domain.posting import read_posting

        slugs = []
        for path in sorted(directory.glob("*.md")):
            text = path.read_text("utf-8")
            slugs.append(self.api.load_posting(text, read_posting(text, path.stem).slug)["slug"])
        self.wait_for(lambda: all(self.api.intake_knows(s) for s in slugs), "postings at intake")
        return slugs

    def submit(self, application: DemoApplication) -> None:
        """Apply the way the demo candidate does: by email or through the form."""
        if application.channel == "smtp":
            apply_by_email(
                self.config.ports.intake_smtp,
                application.posting_slug,
                self.config.mail_domain,
                application.cv_path,
                name=application.name,
                email=application.email,
            )
        else:
            self.api.apply_form(
                application.posting_slug,
                application.cv_path,
                name=application.name,
                email=application.email,
                phone=application.phone,
            )

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 90) -> float:
        """Polls ``condition``; returns the seconds it took. Fails with the services' logs."""
        started = time.monotonic()
        while True:
            try:
                if condition():
                    return time.monotonic() - started
            except Exception:
                pass
            if time.monotonic() - started > timeout:
                logs = "\n".join(
                    f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}"
                    for p in sorted(self.processes.logdir.glob("*.log"))
                )
                raise AssertionError(f"timed out waiting for {what}\n{logs}")
            time.sleep(0.3)


def _marker_env(request: pytest.FixtureRequest) -> dict[str, str]:
    """``@pytest.mark.pipeline_env(NAME="value")`` sets extra environment for the services."""
    marker = request.node.get_closest_marker("pipeline_env")
    return {k: str(v) for k, v in marker.kwargs.items()} if marker else {}


@pytest.fixture
def pipeline(stack: Stack, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Pipeline]:
    import uuid

    from hirestream.kit.testing import create_database

    prefix = f"e{uuid.uuid4().hex[:8]}."
    database_url = asyncio.run(create_database(stack, f"e2e_{uuid.uuid4().hex[:10]}"))
    asyncio.run(prepare(database_url, stack.kafka_bootstrap, prefix))
    ports = Ports.free()
    config = StackConfig(
        database_url,
        stack.kafka_bootstrap,
        tmp_path,
        ports,
        topic_prefix=prefix,
        trace_file=tmp_path / "spans.jsonl",
        extra_env={"HIRESTREAM_RELAY_POLL_SECONDS": "0.2", **_marker_env(request)},
    )
    sink = SmtpSink(ports.notifier_smtp)
    sink.start()
    processes = ServiceProcesses(config)
    processes.start_all()
    try:
        processes.wait_healthy(180)
        yield Pipeline(
            config, processes, sink, Api(config.intake_url, config.scorer_url, config.api_key)
        )
    finally:
        processes.stop_all()
        sink.stop()
