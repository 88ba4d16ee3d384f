"""One application travels the whole way through four service processes, a real broker and a
real PostgreSQL: received, parsed, scored, notified, in one trace."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import httpx
import pytest

from hirestream.cli.client import apply_by_email
from hirestream.cli.demo_data import generate_demo_applications
from hirestream.cli.testing import EXAMPLE_POSTINGS, SHARED_POSTINGS, Pipeline

pytestmark = pytest.mark.e2e


def spans(trace_file: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in trace_file.read_text().splitlines() if line.strip()]


def test_applications_from_api_form_and_smtp_are_scored_notified_and_traced_end_to_end(
    pipeline: Pipeline, tmp_path: Path
) -> None:
    slugs = pipeline.load_postings(EXAMPLE_POSTINGS)
    demo = generate_demo_applications(tmp_path / "cvs")
    by_slug = {a.posting_slug: a for a in demo}
    assert len(by_slug) >= 3
    first, second, third = list(by_slug.values())[:3]

    via_api = pipeline.api.apply_api(
        first.posting_slug, first.cv_path, name=first.name, email=first.email
    )
    pipeline.api.apply_form(
        second.posting_slug,
        second.cv_path,
        name=second.name,
        email=second.email,
        phone=second.phone,
    )
    apply_by_email(
        pipeline.config.ports.intake_smtp,
        third.posting_slug,
        pipeline.config.mail_domain,
        third.cv_path,
        name=third.name,
        email=third.email,
    )
    pipeline.wait_for(lambda: len(pipeline.sink.messages) >= 3, "three notifications")

    ranked = {s: pipeline.api.ranking(s)["items"] for s in slugs}
    assert sum(len(items) for items in ranked.values()) == 3
    ranked_first = ranked[first.posting_slug]
    assert [i["application_id"] for i in ranked_first] == [via_api["application_id"]]
    assert 0 <= ranked_first[0]["score"] <= 100 and ranked_first[0]["tier"] in {
        "strong",
        "possible",
        "weak",
    }
    assert ranked_first[0]["matched"], "a fitting CV matches some requirement"

    # The hiring team got the alert at the posting's own address, with the evidence summary.
    mail = next(m for m in pipeline.sink.messages if via_api["application_id"] in m.body)
    assert mail.recipients == (f"hiring-{first.posting_slug}@example.com",)
    assert "Why:" in mail.body and str(ranked_first[0]["score"]) in mail.subject
    # Personal data stays out of the alert channel's payload it does not need.
    assert first.email not in mail.body and first.phone not in mail.body

    # Every service exposes its Prometheus metrics; counters moved with the traffic.
    ports = pipeline.config.ports
    metrics = {
        name: httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
        for name, port in (
            ("intake", ports.intake_http),
            ("parser", ports.parser_http),
            ("scorer", ports.scorer_http),
            ("notifier", ports.notifier_http),
        )
    }
    assert (
        'hirestream_events_processed_total{outcome="processed",service="parser"'
        in metrics["parser"]
    )
    assert 'route="/v1/applications",service="intake",status="201"' in metrics["intake"]
    assert "hirestream_stage_latency_seconds_bucket" in metrics["scorer"]
    assert "hirestream_outbox_backlog" in metrics["notifier"]

    # One trace from intake to the notifier's delivery for this application.
    trace_services: dict[str, set[str]] = defaultdict(set)
    span_names: dict[str, set[str]] = defaultdict(set)
    application_traces = set()
    pipeline.processes.stop_all()  # flush the exporters
    for span in spans(pipeline.config.trace_file):  # type: ignore[arg-type]
        trace_id = span["context"]["trace_id"]
        trace_services[trace_id].add(span["resource"]["attributes"]["service.name"])
        span_names[trace_id].add(span["name"])
        if span["attributes"].get("hirestream.application_id") == via_api["application_id"]:
            application_traces.add(trace_id)
    assert len(application_traces) == 1, application_traces
    (trace_id,) = application_traces
    assert trace_services[trace_id] == {"intake", "parser", "scorer", "notifier"}
    assert {
        "intake.receive_application",
        "parser.extract_text",
        "parser.analyse",
        "notifier.deliver email",
    } <= span_names[trace_id]


def test_seed_postings_load_with_typed_requirements(pipeline: Pipeline) -> None:
    if not SHARED_POSTINGS.is_dir():
        pytest.skip(f"{SHARED_POSTINGS} is absent (a user's clone has no ../shared)")
    slugs = pipeline.load_postings(SHARED_POSTINGS)
    assert len(slugs) == 4
    for slug in slugs:
        posting = pipeline.api.scorer.get(f"/v1/postings/{slug}").json()
        assert posting["requirements"], f"{slug} yields requirements"
        assert any(r["kind"] == "skill" for r in posting["requirements"])
