"""Topic names: one event type per topic, plus the shared dead-letter topic."""

from __future__ import annotations

from hirestream.contracts.events import ALL_EVENTS

EVENT_TOPICS: tuple[str, ...] = tuple(e.topic for e in ALL_EVENTS)
DEAD_LETTER_TOPIC = "deadletter.v1"
ALL_TOPICS: tuple[str, ...] = (*EVENT_TOPICS, DEAD_LETTER_TOPIC)
EVENT_BY_TOPIC = {e.topic: e for e in ALL_EVENTS}


def topic_name(base: str, prefix: str = "") -> str:
    """Physical topic name. A prefix isolates test runs or tenants on a shared broker."""
    return f"{prefix}{base}"
