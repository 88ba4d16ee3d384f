"""Transactional outbox: events are rows written in the same transaction as the state change.

The relay takes a batch of unsent rows in id order, hands them all to the producer before
waiting (so one produce request per partition carries many rows, ``acks="all"``), then marks the
acknowledged ones sent in one statement. A crash between the two republishes the rows:
consumers deduplicate on ``event_id`` in their inbox, so the effect still happens once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode

from hirestream.contracts import Event, topic_name
from hirestream.kit.db import Connection
from hirestream.kit.statements import Write, execute
from hirestream.kit.telemetry import context_from_carrier, current_carrier, tracer

log = logging.getLogger(__name__)

# The relay's wake-up channel is its own schema's: services that share one database (the
# embedded stack, compose) each have an outbox in their schema, and one channel for all of them
# woke every relay for every service's rows, three of every four rounds finding nothing (a
# transaction of three statements each). ``current_schema()`` is the schema the statement's
# unqualified ``outbox`` resolves to, so writer and relay agree without being told the name.
NOTIFY_PREFIX = "hirestream_outbox."
_CHANNEL = f"'{NOTIFY_PREFIX}' || current_schema()"
NOTIFY_OUTBOX = f"pg_notify({_CHANNEL}, '')"

# (topic, key, payload bytes, headers) -> hands the record to the producer and returns the
# broker's acknowledgement to await (a future), or None when the call itself waited for it.
Publish = Callable[[str, bytes, bytes, dict[str, str]], Awaitable[Awaitable[Any] | None]]


async def add_to_outbox(conn: Connection, event: Event, *, topic_prefix: str = "") -> None:
    """Queue ``event`` inside the caller's transaction, with the current trace context."""
    await execute(conn, outbox_write(event, topic_prefix=topic_prefix))


def outbox_write(event: Event, *, topic_prefix: str = "") -> Write:
    """``add_to_outbox`` as a write to combine with others into one statement
    (``kit.statements``); the trace context is the current one, taken now."""
    return raw_outbox_write(
        event_id=str(event.event_id),
        topic=topic_name(event.topic, topic_prefix),
        key=event.key(),
        payload=event.model_dump(mode="json"),
        headers=current_carrier(),
    )


# The row, and the NOTIFY that wakes the relay at once (delivered only if the transaction
# commits; PostgreSQL folds a transaction's identical notifications).
_INSERT_OUTBOX = (
    "INSERT INTO outbox (event_id, topic, key, payload, headers)"
    f" SELECT $1::uuid, $2::text, $3::text, $4::jsonb, $5::jsonb FROM {NOTIFY_OUTBOX}"
    " ON CONFLICT (event_id) DO NOTHING"
)


def raw_outbox_write(
    *, event_id: str, topic: str, key: str, payload: dict[str, Any], headers: dict[str, str]
) -> Write:
    return Write((_INSERT_OUTBOX,), (event_id, topic, key, payload, headers))


async def add_raw_to_outbox(
    conn: Connection,
    *,
    event_id: str,
    topic: str,
    key: str,
    payload: dict[str, Any],
    headers: dict[str, str],
) -> None:
    await execute(
        conn,
        raw_outbox_write(event_id=event_id, topic=topic, key=key, payload=payload, headers=headers),
    )


# In a statement's FROM list: the transaction that runs it commits without waiting for its WAL
# flush (set_config(..., true) lasts until that transaction ends, and a commit reads it first).
# For writes whose loss in a database crash only costs a republish or a re-drive that consumers
# deduplicate; one round trip less than a separate SET LOCAL.
ASYNC_COMMIT = "(SELECT set_config('synchronous_commit', 'off', true)) AS async_commit"


async def acknowledge(
    conn: Connection | asyncpg.Pool,
    topic: str,
    keys: str | Sequence[str],
    *,
    flush: bool = True,
) -> int:
    """The next stage has produced its event for these keys: our rows for them need no re-drive.
    One statement for a whole batch of keys. ``flush=False``: its transaction need not wait for
    the WAL flush (a lost acknowledgement costs one needless re-drive, deduplicated)."""
    status: str = await conn.execute(
        "UPDATE outbox SET acked_at = now()"
        + ("" if flush else f" FROM {ASYNC_COMMIT}")
        + " WHERE topic = $1 AND key = ANY($2::text[]) AND acked_at IS NULL",
        topic,
        [keys] if isinstance(keys, str) else list(keys),
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
        failure: BaseException | None = None
        sent: list[int] = []
        async with self._pool.acquire() as conn, conn.transaction():
            rows = await conn.fetch(
                "SELECT id, topic, key, payload, headers FROM outbox WHERE sent_at IS NULL"
                " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED",
                self._batch_size,
            )
            in_flight: list[tuple[asyncpg.Record, trace.Span, Awaitable[Any] | None]] = []
            for row in rows:
                span = self._start_span(row)
                try:
                    ack = await self._enqueue(row, span)
                except Exception as exc:  # what was handed over still counts; stop here
                    _end_span(span, exc)
                    failure = exc
                    break
                in_flight.append((row, span, ack))
            # Every row is with the producer: wait for the broker's acknowledgements together.
            results = await asyncio.gather(
                *(_acknowledged(ack) for _, _, ack in in_flight), return_exceptions=True
            )
            for (row, span, _), result in zip(in_flight, results, strict=True):
                if isinstance(result, BaseException):
                    failure = failure or result
                    _end_span(span, result)
                    continue
                _end_span(span, None)
                sent.append(row["id"])
                if self._on_published is not None:
                    self._on_published(row["topic"])
            if sent:
                # Losing this transaction in a database crash only republishes its rows, which
                # consumers deduplicate: no need to wait for its WAL flush.
                await conn.execute(
                    f"UPDATE outbox SET sent_at = now() FROM {ASYNC_COMMIT}"
                    " WHERE id = ANY($1::bigint[])",
                    sent,
                )
        if failure is not None:
            raise failure
        return len(sent)

    async def _unsent(self) -> bool:
        return bool(
            await self._pool.fetchval("SELECT EXISTS (SELECT 1 FROM outbox WHERE sent_at IS NULL)")
        )

    def _start_span(self, row: asyncpg.Record) -> trace.Span:
        span = tracer().start_span(
            f"{row['topic']} publish",
            context=context_from_carrier(row["headers"]),
            kind=SpanKind.PRODUCER,
        )
        span.set_attribute("messaging.system", "kafka")
        span.set_attribute("messaging.destination.name", row["topic"])
        span.set_attribute("messaging.kafka.message.key", row["key"])
        return span

    async def _enqueue(self, row: asyncpg.Record, span: trace.Span) -> Awaitable[Any] | None:
        # The record carries the publish span's context, so the consumer's span is its child.
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            headers = {**row["headers"], **current_carrier()}
        finally:
            otel_context.detach(token)
        body = _json_bytes(row["payload"])
        return await self._publish(row["topic"], row["key"].encode(), body, headers)

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set: wake on NOTIFY, poll as a safety net."""
        listener: PoolConnectionProxy | None = None
        channel = ""

        def on_notify(*_: object) -> None:
            self._wake.set()

        try:
            listener = await self._pool.acquire()
            channel = await listener.fetchval(f"SELECT {_CHANNEL}")
            await listener.add_listener(channel, on_notify)
        except Exception:  # the poll loop still works without NOTIFY
            log.warning("outbox relay: LISTEN unavailable, polling only", exc_info=True)
        # Stopping wakes the wait below too: shutdown does not wait for the poll.
        stopping = asyncio.create_task(_set_when(stop, self._wake))
        try:
            look = True  # the first round, a NOTIFY, a full batch: run a round
            while not stop.is_set():
                # Notifications already received are for rows committed before now, which this
                # round's SELECT sees: take them in before clearing, or each would wake one more
                # round that finds nothing (one loop pass lets the listener's socket be read).
                await asyncio.sleep(0)
                # Cleared before the round, not after: a NOTIFY that arrives while the round
                # runs (a row committed after its SELECT) wakes the next round at once instead
                # of waiting for the poll.
                self._wake.clear()
                try:
                    # A poll with no NOTIFY first asks whether anything is unsent at all: one
                    # read instead of a transaction of three statements, which is what an
                    # idle service would otherwise pay twice a second.
                    sent = await self.relay_once() if look or await self._unsent() else 0
                except Exception:
                    log.exception("outbox relay: publish failed, will retry")
                    sent = 0
                    await _sleep_or_stop(stop, 1.0)
                if sent >= self._batch_size:  # more may be waiting behind the limit
                    look = True
                    continue
                # A round that took fewer rows than it could took every committed row it was
                # free to lock: a row committed since woke ``_wake``, so waiting costs nothing,
                # and an immediate round would find nothing (a transaction of three round
                # trips per round that sent, in every service).
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout=self._poll_seconds)
                    look = True
                except TimeoutError:
                    look = False
        finally:
            stopping.cancel()
            if listener is not None:
                with contextlib.suppress(Exception):
                    await listener.remove_listener(channel, on_notify)
                await self._pool.release(listener)


async def _set_when(happened: asyncio.Event, wake: asyncio.Event) -> None:
    await happened.wait()
    wake.set()


async def _acknowledged(ack: Awaitable[Any] | None) -> None:
    if ack is not None:
        await ack


def _end_span(span: trace.Span, error: BaseException | None) -> None:
    if error is not None:
        span.record_exception(error)
        span.set_status(Status(StatusCode.ERROR, type(error).__name__))
    span.end()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


def _json_bytes(payload: Any) -> bytes:
    import json

    return json.dumps(payload, separators=(",", ":")).encode()
