"""Topic names: one event type per topic, a retry topic per consuming service, and the shared
dead-letter topic. Every name here is created explicitly (``hirestream topics create``,
deploy/topics.txt): no broker is trusted to auto-create topics."""

from __future__ import annotations

from hirestream.contracts.events import ALL_EVENTS

EVENT_TOPICS: tuple[str, ...] = tuple(e.topic for e in ALL_EVENTS)
DEAD_LETTER_TOPIC = "deadletter.v1"
# The services that consume events; each one reads its own failed events back from its retry
# topic (libs/kit consumer), so a retry waiting out its delay never blocks another service.
CONSUMING_SERVICES: tuple[str, ...] = ("intake", "parser", "scorer", "notifier")


def retry_topic(consumer: str) -> str:
    """Where ``consumer`` parks an event that failed, to be tried again after a delay."""
    return f"{consumer}.retry.v1"


RETRY_TOPICS: tuple[str, ...] = tuple(retry_topic(s) for s in CONSUMING_SERVICES)
ALL_TOPICS: tuple[str, ...] = (*EVENT_TOPICS, *RETRY_TOPICS, DEAD_LETTER_TOPIC)
EVENT_BY_TOPIC = {e.topic: e for e in ALL_EVENTS}


def topic_name(base: str, prefix: str = "") -> str:
    """Physical topic name. A prefix isolates test runs or tenants on a shared broker."""
    return f"{prefix}{base}"
