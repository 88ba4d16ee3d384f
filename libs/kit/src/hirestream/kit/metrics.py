"""Prometheus metrics shared by every service (names are part of the ops interface: the Grafana
dashboard and the HPA rules in deploy/ use them)."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

EVENTS_PROCESSED = Counter(
    "hirestream_events_processed",
    "Events handled by a consumer, by outcome.",
    ["service", "topic", "outcome"],
)
EVENT_PROCESSING_SECONDS = Histogram(
    "hirestream_event_processing_seconds",
    "Time to apply one event (claim, handler, commit).",
    ["service", "topic"],
)
STAGE_LATENCY_SECONDS = Histogram(
    "hirestream_stage_latency_seconds",
    "Time from an event's creation to the end of its processing.",
    ["service", "topic"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
)
OUTBOX_BACKLOG = Gauge("hirestream_outbox_backlog", "Unsent outbox rows.", ["service"])
OUTBOX_PUBLISHED = Counter(
    "hirestream_outbox_published", "Outbox rows published.", ["service", "topic"]
)
DEAD_LETTERS = Gauge("hirestream_dead_letters", "Dead letters not replayed.", ["service"])
CONSUMER_LAG = Gauge(
    "hirestream_consumer_lag", "Messages behind the log end.", ["service", "topic"]
)
REDRIVES = Counter(
    "hirestream_redrives", "Outbox rows re-driven by the reconciler.", ["service", "topic"]
)
HTTP_REQUESTS = Counter(
    "hirestream_http_requests", "HTTP requests by route and status.", ["service", "route", "status"]
)
PARSE_FAILURES = Counter(
    "hirestream_parse_failures",
    "CVs that could not be parsed, by type and reason.",
    ["media_type", "code"],
)
