"""The event contracts, pinned: every event's JSON schema against a committed snapshot, a JSON
round trip, the Kafka key, and no field that could carry a candidate's personal data.

A schema change that fails here is a contract change for every consumer. Consumers ignore
unknown fields, so adding an optional field is compatible; removing or retyping one is not.
Accept a change deliberately, by regenerating::

    HIRESTREAM_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/contracts/test_event_contracts.py

and committing the snapshots; otherwise publish a new ``.vN+1`` event beside the old one.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hirestream.contracts import (
    ALL_EVENTS,
    ALL_TOPICS,
    CONSUMING_SERVICES,
    DEAD_LETTER_TOPIC,
    EVENT_BY_TOPIC,
    RETRY_TOPICS,
    ApplicationReceivedV1,
    ApplicationScoredV1,
    BlobRef,
    Channel,
    Event,
    NotificationSentV1,
    ParseStatus,
    PostingPublishedV1,
    ProfileParsedV1,
    RetryRecordV1,
    Tier,
)

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE_ENV = "HIRESTREAM_UPDATE_SNAPSHOTS"
TOPIC_NAME = re.compile(r"^[a-z]+\.[a-z_]+\.v[1-9][0-9]*$")

APPLICATION_ID = uuid.UUID("00000000-0000-4000-8000-00000000a001")
POSTING_ID = uuid.UUID("00000000-0000-4000-8000-00000000b001")
OCCURRED_AT = datetime(2025, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)

# One fully populated sample per event type: every optional field set, so the round trip covers it.
SAMPLES: dict[type[Event], Event] = {
    PostingPublishedV1: PostingPublishedV1(
        occurred_at=OCCURRED_AT,
        posting_id=POSTING_ID,
        slug="senior-backend-engineer",
        title="Senior Backend Engineer",
        requirements_version=3,
        notify_email="hiring@example.com",
    ),
    ApplicationReceivedV1: ApplicationReceivedV1(
        occurred_at=OCCURRED_AT,
        application_id=APPLICATION_ID,
        posting_id=POSTING_ID,
        posting_slug="senior-backend-engineer",
        channel=Channel.SMTP,
        cv=BlobRef(sha256="ab" * 32, media_type="application/pdf", size=48213),
    ),
    ProfileParsedV1: ProfileParsedV1(
        occurred_at=OCCURRED_AT,
        application_id=APPLICATION_ID,
        posting_id=POSTING_ID,
        profile_id=uuid.UUID("00000000-0000-4000-8000-00000000c001"),
        parser_version="1.4.0",
        status=ParseStatus.PARSED,
        error_code=None,
        language="en",
        skills=["python", "postgresql", "kafka"],
        total_experience_months=84,
    ),
    ApplicationScoredV1: ApplicationScoredV1(
        occurred_at=OCCURRED_AT,
        application_id=APPLICATION_ID,
        posting_id=POSTING_ID,
        score=82,
        tier=Tier.STRONG,
        matched=["python", "postgresql"],
        missing=["kubernetes"],
        requirements_version=3,
        rubric_version="2025-01",
        parser_version="1.4.0",
    ),
    NotificationSentV1: NotificationSentV1(
        occurred_at=OCCURRED_AT,
        application_id=APPLICATION_ID,
        posting_id=POSTING_ID,
        delivery_id=uuid.UUID("00000000-0000-4000-8000-00000000d001"),
        channel="email",
        status="sent",
    ),
}

# Field names that suggest a candidate's personal data or raw documents; matched as substrings of
# the lowercased field name, in every event and every model nested in one.
PERSONAL_DATA_TERMS = ("name", "email", "phone", "address", "text", "bytes", "content", "filename")

# (model title in the JSON schema, field name) pairs that match a term above and are allowed
# anyway, each with its reason. Keep this explicit and short: every entry is a reviewed exception.
ALLOWED_FIELDS: dict[tuple[str, str], str] = {
    ("PostingPublishedV1", "notify_email"): "the hiring team's shared inbox, not a candidate's",
}


def _event_id(event_type: type[Event]) -> str:
    return event_type.topic


def _canonical(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _diff(committed: dict[str, Any], current: dict[str, Any], name: str) -> str:
    return "".join(
        difflib.unified_diff(
            _canonical(committed).splitlines(keepends=True),
            _canonical(current).splitlines(keepends=True),
            fromfile=f"{name} (committed)",
            tofile=f"{name} (current)",
        )
    )


def _models_in_schema(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(title, object schema) of the event itself and of every model in its ``$defs``."""
    yield schema["title"], schema
    for name, definition in schema.get("$defs", {}).items():
        if definition.get("type") == "object":
            yield definition.get("title", name), definition


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_every_event_has_a_sample() -> None:
    assert set(SAMPLES) == set(ALL_EVENTS), "add a fully populated sample for each new event"


def test_topics_follow_the_naming_rule_and_map_one_to_one() -> None:
    topics = [event_type.topic for event_type in ALL_EVENTS]
    assert len(topics) == len(set(topics)), "one event type per topic"
    for topic in topics:
        assert TOPIC_NAME.match(topic), f"{topic!r} is not <entity>.<past-verb>.v<N>"
    assert {t: EVENT_BY_TOPIC[t] for t in topics} == {e.topic: e for e in ALL_EVENTS}
    assert (*topics, *RETRY_TOPICS, DEAD_LETTER_TOPIC) == ALL_TOPICS


def test_every_consuming_service_has_its_own_retry_topic() -> None:
    from hirestream.cli.stack import SERVICES

    assert set(CONSUMING_SERVICES) == set(SERVICES)
    assert tuple(f"{service}.retry.v1" for service in CONSUMING_SERVICES) == RETRY_TOPICS
    assert not set(RETRY_TOPICS) & set(EVENT_BY_TOPIC), "a retry topic is not an event topic"


def test_retry_record_round_trips_with_everything_a_later_attempt_needs() -> None:
    event = SAMPLES[ApplicationReceivedV1]
    record = RetryRecordV1(
        retry_id=uuid.UUID("00000000-0000-4000-8000-00000000c001"),
        consumer="parser",
        original_topic=ApplicationReceivedV1.topic,
        original_key=event.key(),
        original_headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
        original_partition=2,
        original_offset=41,
        event_id=event.event_id,
        body=event.model_dump_json(),
        attempt=1,
        not_before=OCCURRED_AT,
        last_error="RuntimeError('boom')",
    )
    again = RetryRecordV1.model_validate_json(record.model_dump_json())
    assert again == record
    assert ApplicationReceivedV1.model_validate_json(again.body) == event
    # A later field a newer consumer adds does not break this one (tolerant reader).
    assert RetryRecordV1.model_validate({**record.model_dump(mode="json"), "new": 1}) == record


@pytest.mark.parametrize("event_type", ALL_EVENTS, ids=_event_id)
def test_schema_matches_snapshot(event_type: type[Event]) -> None:
    schema = event_type.model_json_schema()
    path = SNAPSHOTS / f"{event_type.topic}.json"
    if os.environ.get(UPDATE_ENV) == "1":
        SNAPSHOTS.mkdir(parents=True, exist_ok=True)
        path.write_text(_canonical(schema), encoding="utf-8")
    if not path.exists():
        pytest.fail(
            f"no schema snapshot for {event_type.__name__} at {path}. If this is a new event, "
            f"write it with `{UPDATE_ENV}=1 .venv/bin/pytest "
            "tests/contracts/test_event_contracts.py` and commit the file.",
            pytrace=False,
        )
    committed = json.loads(path.read_text(encoding="utf-8"))
    if committed != schema:
        pytest.fail(
            f"the JSON schema of {event_type.__name__} differs from {path.name}: a contract change "
            f"for every consumer of {event_type.topic} (only an added optional field is "
            f"compatible). If it is deliberate, regenerate with `{UPDATE_ENV}=1 .venv/bin/pytest "
            "tests/contracts/test_event_contracts.py` and commit; otherwise publish a new .vN+1 "
            "event.\n" + _diff(committed, schema, path.name),
            pytrace=False,
        )


def test_no_stale_snapshots() -> None:
    expected = {f"{event_type.topic}.json" for event_type in ALL_EVENTS}
    present = {path.name for path in SNAPSHOTS.glob("*.json")}
    assert present <= expected, f"snapshots for no event: {sorted(present - expected)}"


@pytest.mark.parametrize("event_type", ALL_EVENTS, ids=_event_id)
def test_round_trips_through_json(event_type: type[Event]) -> None:
    event = SAMPLES[event_type]
    wire = event.model_dump_json()
    decoded = event_type.model_validate_json(wire)
    assert decoded == event
    assert decoded.model_dump_json() == wire
    body = json.loads(wire)
    assert body["type"] == event_type.topic, "the body names its own event type"
    assert "topic" not in body, "the topic is a ClassVar, never a field"


@pytest.mark.parametrize("event_type", ALL_EVENTS, ids=_event_id)
def test_a_consumer_on_this_contract_reads_a_newer_producers_event(event_type: type[Event]) -> None:
    """Tolerant reader: an added optional field must not break consumers of the current model."""
    body = json.loads(SAMPLES[event_type].model_dump_json())
    body["added_in_a_later_minor_version"] = "x"
    assert event_type.model_validate(body) == SAMPLES[event_type]


@pytest.mark.parametrize("event_type", ALL_EVENTS, ids=_event_id)
def test_key_is_the_application_id_or_the_posting_id(event_type: type[Event]) -> None:
    event = SAMPLES[event_type]
    if event_type is PostingPublishedV1:
        expected = POSTING_ID
    else:
        assert "application_id" in event_type.model_fields, "application events carry their id"
        expected = APPLICATION_ID
    assert event.key() == str(expected)


@pytest.mark.parametrize("event_type", ALL_EVENTS, ids=_event_id)
def test_no_field_suggests_personal_data(event_type: type[Event]) -> None:
    schema = event_type.model_json_schema()
    offending = []
    for title, model in _models_in_schema(schema):
        for field in model.get("properties", {}):
            lowered = field.lower()
            hits = [term for term in PERSONAL_DATA_TERMS if term in lowered]
            if hits and (title, field) not in ALLOWED_FIELDS:
                offending.append(f"{title}.{field} ({', '.join(hits)})")
    assert not offending, (
        "events carry ids, hashes, enums, scores and skills, never personal data or file "
        f"contents: {offending}. Keep the data in the owning service's store, or, for a reviewed "
        "exception, add it to ALLOWED_FIELDS with its reason."
    )


@pytest.mark.parametrize("event_type", ALL_EVENTS, ids=_event_id)
def test_no_binary_fields(event_type: type[Event]) -> None:
    schema = event_type.model_json_schema()
    binary = [node for node in _walk(schema) if node.get("format") == "binary"]
    assert not binary, "file bytes go to the blob store; events carry a BlobRef"


def test_allow_list_entries_still_exist() -> None:
    """A stale exception would silently allow a future field of the same name."""
    known = {
        (title, field)
        for event_type in ALL_EVENTS
        for title, model in _models_in_schema(event_type.model_json_schema())
        for field in model.get("properties", {})
    }
    assert set(ALLOWED_FIELDS) <= known, sorted(set(ALLOWED_FIELDS) - known)
