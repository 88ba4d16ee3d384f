"""Scenario 5: a notification endpoint that times out for a minute delays no other channel, and
its deliveries complete once it answers again."""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx
import pytest

from hirestream.cli.demo_data import generate_demo_applications
from hirestream.cli.testing import Pipeline
from hirestream.notifier.testing import Behaviour, Receiver

pytestmark = pytest.mark.e2e

OUTAGE_SECONDS = float(os.environ.get("HIRESTREAM_FAULT_OUTAGE_SECONDS", "60"))


@pytest.mark.pipeline_env(
    NOTIFIER_HTTP_TIMEOUT_SECONDS="2",
    NOTIFIER_RETRY_BASE_SECONDS="1",
    NOTIFIER_RETRY_MAX_SECONDS="5",
    NOTIFIER_DELIVERY_MAX_ATTEMPTS="100",
)
def test_endpoint_timing_out_for_a_minute_delays_no_other_channel(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    pipeline.load_postings()

    receiver = Receiver().start()
    hanging = Behaviour(kind="slack", delay=30.0)  # longer than the notifier's 2 s timeout
    slack_url = receiver.route("/slack/hanging", hanging)
    notifier = httpx.Client(
        base_url=pipeline.config.notifier_url, headers={"X-API-Key": pipeline.config.api_key}
    )
    rules = {
        "rules": [
            {"name": "team", "channels": [{"type": "email"}, {"type": "slack", "url": slack_url}]}
        ]
    }
    notifier.put("/v1/postings/backend-engineer/rules", json=rules).raise_for_status()

    applications = generate_demo_applications(tmp_path / "cvs")[:10]
    outage_started = time.monotonic()
    try:
        for application in applications:
            pipeline.api.apply_api(
                application.posting_slug,
                application.cv_path,
                name=application.name,
                email=application.email,
            )
        emails_took = pipeline.wait_for(
            lambda: len(pipeline.sink.messages) >= len(applications),
            "every email while the Slack endpoint hangs",
        )
        emails_done_at = time.monotonic() - outage_started
        assert emails_done_at < OUTAGE_SECONDS, "email waited for the hanging endpoint"
        time.sleep(max(0.0, OUTAGE_SECONDS - (time.monotonic() - outage_started)))
        assert slack_delivered(notifier) == 0, "nothing can have reached a hanging endpoint"
        hanging.delay = 0.0  # the endpoint answers again
        recovered_at = time.monotonic()
        backend = [a for a in applications if a.posting_slug == "backend-engineer"]
        pipeline.wait_for(
            lambda: slack_delivered(notifier) >= len(backend),
            "the Slack deliveries after the endpoint recovered",
            timeout=120,
        )
        print(
            f"slow endpoint: outage={OUTAGE_SECONDS:.0f}s emails={len(pipeline.sink.messages)} "
            f"emails_done_after={emails_took:.1f}s slack_recovered_after="
            f"{time.monotonic() - recovered_at:.1f}s"
        )
        pending = notifier.get("/v1/deliveries", params={"status": "pending"}).json()["items"]
        dead = notifier.get("/v1/deliveries", params={"status": "dead_lettered"}).json()["items"]
        assert pending == [] or all(d["channel"] == "slack" for d in pending)
        assert dead == []
    finally:
        receiver.stop()


def slack_delivered(notifier: httpx.Client) -> int:
    params = {"channel": "slack", "status": "delivered"}
    return len(notifier.get("/v1/deliveries", params=params).json()["items"])
