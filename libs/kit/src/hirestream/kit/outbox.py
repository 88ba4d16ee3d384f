"""Transactional outbox: events are rows written in the same transaction as the state change.

The relay publishes unsent rows in id order with ``acks="all"`` and marks each row sent only
after the broker acknowledged it. A crash between the two republishes the row: consumers
deduplicate on ``event_id`` in their inbox, so the effect still happens once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind

from hirestream.contracts import Event, topic_name
from hirestream.kit.db import Connection
from hirestream.kit.telemetry import context_from_carrier, current_carrier, tracer

log = logging.getLogger(__name__)

NOTIFY_CHANNEL = "hirestream_outbox"

# (topic, key, payload bytes, headers) -> awaits the broker's acknowledgement.
Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[None]]


async def add_to_outbox(conn: Connection, event: Event, *, topic_prefix: str = "") -> None:
    """Queue ``event`` inside the caller's transaction, with the current trace context."""
    await add_raw_to_outbox(
        conn,
        event_id=str(event.event_id),
        topic=topic_name(event.topic, topic_prefix),
        key=event.key(),
        payload=event.model_dump(mode="json"),
        headers=current_carrier(),
    )


async def add_raw_to_outbox(
    conn: Connection,
    *,
    event_id: str,
    topic: str,
    key: str,
    payload: dict[str, Any],
    headers: dict[str, str],
) -> None:
    await conn.execute(
        "INSERT INTO outbox (event_id, topic, key, payload, headers) VALUES ($1, $2, $3, $4, $5)"
        " ON CONFLICT (event_id) DO NOTHING",
        event_id,
        topic,
        key,
        payload,
        headers,
    )
    # Wakes the relay at once; delivered only if this transaction commits.
    await conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)


async def acknowledge(conn: Connection, topic: str, key: str) -> int:
    """The next stage has produced its event for ``key``: our rows for it need no re-drive."""
    status: str = await conn.execute(
        "UPDATE outbox SET acked_at = now() WHERE topic = $1 AND key = $2 AND acked_at IS NULL",
        topic,
        key,
    )
    return int(status.split()[-1])


async def redrive_unacknowledged(
    pool: asyncpg.Pool, topics: list[str], *, older_than_seconds: float, max_redrives: int
) -> list[tuple[str, str]]:
    """Mark sent-but-unacknowledged rows unsent again so the relay republishes them.

    This is how an application survives a broker that lost messages (Tansu keeps everything in
    memory): the stored state drives the stage again. Consumers deduplicate on event id, so a
    row that was in fact processed costs one no-op. Each re-drive doubles the wait before the
    next one, up to ``max_redrives``.
    """
    rows = await pool.fetch(
        "UPDATE outbox SET sent_at = NULL, redrives = redrives + 1"
        " WHERE id IN (SELECT id FROM outbox WHERE topic = ANY($1::text[]) AND acked_at IS NULL"
        " AND sent_at IS NOT NULL AND redrives < $3"
        " AND sent_at < now() - make_interval(secs => $2 * power(2, redrives))"
        " ORDER BY id LIMIT 500 FOR UPDATE SKIP LOCKED) RETURNING topic, key",
        topics,
        older_than_seconds,
        max_redrives,
    )
    return [(r["topic"], r["key"]) for r in rows]


class OutboxRelay:
    """Publishes a schema's outbox. One relay per service process; rows are locked with
    ``FOR UPDATE SKIP LOCKED`` so extra replicas share the work instead of colliding."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        publish: Publish,
        *,
        batch_size: int = 100,
        poll_seconds: float = 0.5,
        on_published: Callable[[str], None] | None = None,
    ) -> None:
        self._on_published = on_published
        self._pool = pool
        self._publish = publish
        self._batch_size = batch_size
        self._poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    async def relay_once(self) -> int:
        """Publish one batch; returns how many rows were sent."""
        failure: Exception | None = None
        sent: list[int] = []
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT id, topic, key, payload, headers FROM outbox WHERE sent_at IS NULL"
                " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
                self._batch_size,
            )
            for row in rows:
                try:
                    await self._publish_row(row)
                except Exception as exc:  # keep what was acknowledged, stop at the first gap
                    failure = exc
                    break
                sent.append(row["id"])
            if sent:
                await conn.execute(
                    "UPDATE outbox SET sent_at = now() WHERE id = ANY($1::bigint[])", sent
                )
        if failure is not None:
            raise failure
        return len(sent)

    async def _publish_row(self, row: asyncpg.Record) -> None:
        parent = context_from_carrier(row["headers"])
        token = otel_context.attach(parent)
        try:
            with tracer().start_as_current_span(
                f"{row['topic']} publish", kind=SpanKind.PRODUCER
            ) as span:
                span.set_attribute("messaging.system", "kafka")
                span.set_attribute("messaging.destination.name", row["topic"])
                span.set_attribute("messaging.kafka.message.key", row["key"])
                headers = {**row["headers"], **current_carrier()}
                body = _json_bytes(row["payload"])
                await self._publish(row["topic"], row["key"].encode(), body, headers)
                if self._on_published is not None:
                    self._on_published(row["topic"])
        finally:
            otel_context.detach(token)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set: wake on NOTIFY, poll as a safety net."""
        listener: PoolConnectionProxy | None = None

        def on_notify(*_: object) -> None:
            self._wake.set()

        try:
            listener = await self._pool.acquire()
            await listener.add_listener(NOTIFY_CHANNEL, on_notify)
        except Exception:  # the poll loop still works without NOTIFY
            log.warning("outbox relay: LISTEN unavailable, polling only", exc_info=True)
        try:
            while not stop.is_set():
                try:
                    sent = await self.relay_once()
                except Exception:
                    log.exception("outbox relay: publish failed, will retry")
                    sent = 0
                    await _sleep_or_stop(stop, 1.0)
                if sent:
                    continue
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)
        finally:
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.remove_listener(NOTIFY_CHANNEL, on_notify)
                await self._pool.release(listener)


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _json_bytes(payload: Any) -> bytes:
    import json

    return json.dumps(payload, separators=(",", ":")).encode()
