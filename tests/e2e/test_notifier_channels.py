"""The notifier among the four real services: rules set through its API, an instant alert on
email, Slack and a signed webhook, the candidate's acknowledgement fetched by reference, a dead
letter replayed with the CLI, and a kill -9 restart that sends nothing twice."""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from collections import deque
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from hirestream.cli.client import Api
from hirestream.cli.demo_data import generate_demo_applications
from hirestream.cli.main import app as cli_app
from hirestream.cli.sink import CapturedMail, SmtpSink
from hirestream.cli.stack import Ports, ServiceProcesses, StackConfig, prepare
from hirestream.cli.testing import Pipeline
from hirestream.kit.testing import Stack, create_database
from hirestream.notifier.domain.signing import verify
from hirestream.notifier.testing import Behaviour, Receiver

pytestmark = pytest.mark.e2e

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
INTAKE_KEY = "internal-intake-key"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def notifier_pipeline(stack: Stack, tmp_path: Path, receiver: Receiver) -> Iterator[Pipeline]:
    """The shared ``pipeline`` fixture, with the notifier's intake contact API pointed at a
    stand-in (intake's own internal endpoint is being added in parallel) and quick retries."""
    prefix = f"n{uuid.uuid4().hex[:8]}."
    database_url = asyncio.run(create_database(stack, f"e2e_{uuid.uuid4().hex[:10]}"))
    asyncio.run(prepare(database_url, stack.kafka_bootstrap, prefix))
    ports = Ports.free()
    config = StackConfig(
        database_url,
        stack.kafka_bootstrap,
        tmp_path,
        ports,
        topic_prefix=prefix,
        extra_env={
            "HIRESTREAM_RELAY_POLL_SECONDS": "0.2",
            "NOTIFIER_INTAKE_URL": receiver.url,
            "NOTIFIER_INTAKE_API_KEY": INTAKE_KEY,
            "NOTIFIER_RETRY_BASE_SECONDS": "0.2",
            "NOTIFIER_POLL_SECONDS": "0.2",
            "NOTIFIER_LEASE_SECONDS": "10",
        },
    )
    sink = SmtpSink(ports.notifier_smtp)
    sink.start()
    processes = ServiceProcesses(config)
    processes.start_all()
    try:
        processes.wait_healthy(90)
        yield Pipeline(
            config, processes, sink, Api(config.intake_url, config.scorer_url, config.api_key)
        )
    finally:
        processes.stop_all()
        sink.stop()


def test_rules_channels_acknowledgement_dead_letter_replay_and_restart_without_duplicates(
    notifier_pipeline: Pipeline, receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pipeline = notifier_pipeline
    pipeline.load_postings()
    candidate = generate_demo_applications(tmp_path / "cvs")[0]
    slug = candidate.posting_slug

    notifier = httpx.Client(
        base_url=f"http://127.0.0.1:{pipeline.config.ports.notifier_http}",
        headers={"X-API-Key": pipeline.config.api_key},
        timeout=10,
    )
    rules = {
        "rules": [
            {
                "name": "team",
                "channels": [
                    {"type": "email"},
                    {"type": "slack", "url": receiver.route("/slack", Behaviour("slack"))},
                    {
                        "type": "webhook",
                        "url": receiver.route("/hook", Behaviour("webhook", secret=SECRET)),
                        "secrets": ["whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0", SECRET],
                    },
                ],
            },
            {
                "name": "partner",
                "channels": [
                    {
                        "type": "teams",
                        "url": receiver.route(
                            "/teams", Behaviour("teams", script=deque([(404, None)]))
                        ),
                    }
                ],
            },
        ],
        "acknowledgement": {"enabled": True, "subject": "Your application: {{ posting_title }}"},
    }
    assert notifier.put(f"/v1/postings/{slug}/rules", json=rules).status_code == 200
    receiver.route(
        "/internal/v1/applications/*",
        Behaviour(
            "contact",
            secret=INTAKE_KEY,
            contacts={"*": {"name": candidate.name, "email": candidate.email}},
        ),
    )

    applied = pipeline.api.apply_api(
        slug, candidate.cv_path, name=candidate.name, email=candidate.email, phone=candidate.phone
    )
    application_id = applied["application_id"]

    def mails_to(address: str) -> list[CapturedMail]:
        return [m for m in pipeline.sink.messages if address in m.recipients]

    pipeline.wait_for(lambda: len(mails_to(candidate.email)) == 1, "the acknowledgement")
    pipeline.wait_for(
        lambda: len(receiver.at("/slack")) == 1 and len(receiver.at("/hook")) == 1, "chat alerts"
    )
    team_address = f"hiring-{slug}@example.com"
    pipeline.wait_for(lambda: len(mails_to(team_address)) == 1, "the team's email alert")

    (ack,) = [m for m in pipeline.sink.messages if candidate.email in m.recipients]
    assert ack.subject.startswith("Your application: ")
    assert f"/applications/{application_id}/withdraw" in ack.body
    (alert,) = [m for m in pipeline.sink.messages if team_address in m.recipients]
    assert "Why:" in alert.body and application_id in alert.body
    assert candidate.email not in alert.body and candidate.phone not in alert.body
    for route in ("/slack", "/hook"):
        (request,) = receiver.at(route)
        body = request.body.decode()
        assert request.problems == [] and application_id in body
        assert candidate.email not in body and candidate.phone not in body
        assert candidate.name not in body
    hook = receiver.at("/hook")[0]
    assert verify(SECRET, hook.headers, hook.body, now=int(time.time()))

    # The partner's Teams endpoint answered 404: a dead letter with its reason, via API and CLI.
    def dead() -> list[dict[str, object]]:
        items: list[dict[str, object]] = notifier.get(
            "/v1/deliveries", params={"status": "dead_lettered"}
        ).json()["items"]
        return items

    pipeline.wait_for(lambda: len(dead()) == 1, "the dead letter")
    (letter,) = dead()
    assert letter["channel"] == "teams" and str(letter["dead_reason"]).startswith(
        "permanent failure: HTTP 404"
    )
    monkeypatch.setenv("HIRESTREAM_NOTIFIER_URL", str(notifier.base_url).rstrip("/"))
    monkeypatch.setenv("HIRESTREAM_API_KEY", pipeline.config.api_key)
    runner = CliRunner()
    listed = runner.invoke(cli_app, ["deliveries", "list", "--status", "dead_lettered", "--json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.output)["items"][0]["delivery_id"] == letter["delivery_id"]
    replayed = runner.invoke(cli_app, ["deliveries", "replay", "--all-dead"])
    assert replayed.exit_code == 0, replayed.output
    pipeline.wait_for(
        lambda: (
            notifier.get(f"/v1/deliveries/{letter['delivery_id']}").json()["status"] == "delivered"
        ),
        "the replayed delivery",
    )
    (card,) = [r for r in receiver.at("/teams") if r.problems == []][-1:]
    assert application_id in card.body.decode()

    # Everything delivered once; a killed and restarted notifier sends nothing again.
    statuses = notifier.get("/v1/deliveries", params={"application_id": application_id}).json()
    assert sorted(i["channel"] for i in statuses["items"]) == [
        "acknowledgement",
        "email",
        "slack",
        "teams",
        "webhook",
    ]
    assert {i["status"] for i in statuses["items"]} == {"delivered"}
    pipeline.processes.kill("notifier", signal.SIGKILL)
    pipeline.processes.start("notifier")
    pipeline.processes.wait_healthy(60)
    time.sleep(3)
    assert len(pipeline.sink.messages) == 2
    assert len(receiver.at("/slack")) == 1 and len(receiver.at("/hook")) == 1
    assert len(receiver.at("/teams")) == 2  # the 404 and the replay, nothing more
