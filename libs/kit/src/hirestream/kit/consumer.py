"""Running one event handler per message, exactly once in effect.

For every message: extract the trace context from its headers, open a transaction, claim the
event in the inbox (a redelivery becomes a no-op), run the handler, commit. The Kafka offset is
committed only after that (the subscriber acks after this returns). A failing event is retried
with backoff a bounded number of times, then parked on the dead-letter topic with its error,
and its partition flows on.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

import asyncpg
from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import ValidationError

from hirestream.contracts import DEAD_LETTER_TOPIC, Event, topic_name
from hirestream.kit.db import Connection
from hirestream.kit.inbox import claim
from hirestream.kit.metrics import EVENT_PROCESSING_SECONDS, EVENTS_PROCESSED, STAGE_LATENCY_SECONDS
from hirestream.kit.outbox import add_raw_to_outbox
from hirestream.kit.telemetry import context_from_carrier, current_carrier, tracer

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Connection, E], Awaitable[None]]


class PermanentError(Exception):
    """An event that can never succeed (bad reference, invalid state): dead-letter at once."""


@dataclass(frozen=True)
class Subscription(Generic[E]):
    event_type: type[E]
    handler: Handler[E]


@dataclass(frozen=True)
class IncomingMessage:
    topic: str
    key: str | None
    body: bytes
    headers: Mapping[str, str]
    partition: int = -1
    offset: int = -1


class EventConsumer:
    def __init__(
        self,
        pool: asyncpg.Pool,
        consumer_name: str,
        *,
        topic_prefix: str = "",
        max_attempts: int = 5,
        backoff_base: float = 0.2,
        backoff_max: float = 5.0,
    ) -> None:
        self._pool = pool
        self._name = consumer_name
        self._prefix = topic_prefix
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max

    async def handle(self, subscription: Subscription[Any], message: IncomingMessage) -> None:
        """Returns when the event's effect is durable (or the event is dead-lettered);
        raises to make the caller re-deliver it."""
        parent = context_from_carrier(message.headers)
        token = otel_context.attach(parent)
        try:
            with tracer().start_as_current_span(
                f"{message.topic} process", kind=SpanKind.CONSUMER
            ) as span:
                span.set_attribute("messaging.system", "kafka")
                span.set_attribute("messaging.consumer.group.name", self._name)
                try:
                    event = subscription.event_type.model_validate_json(message.body)
                except ValidationError as exc:
                    span.set_status(Status(StatusCode.ERROR, "undecodable event"))
                    await self._dead_letter(message, _poison_id(message), exc, attempts=1)
                    return
                span.set_attribute("hirestream.event_id", str(event.event_id))
                if hasattr(event, "application_id"):
                    span.set_attribute("hirestream.application_id", str(event.application_id))
                try:
                    with EVENT_PROCESSING_SECONDS.labels(self._name, message.topic).time():
                        applied = await self._apply(subscription, event, message.topic)
                    outcome = "processed" if applied else "duplicate"
                    EVENTS_PROCESSED.labels(self._name, message.topic, outcome).inc()
                    age = (datetime.now(UTC) - event.occurred_at).total_seconds()
                    STAGE_LATENCY_SECONDS.labels(self._name, message.topic).observe(max(age, 0.0))
                except PermanentError as exc:
                    span.record_exception(exc)
                    await self._dead_letter(message, event.event_id, exc, attempts=1)
                except Exception as exc:
                    span.record_exception(exc)
                    span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
                    await self._on_failure(message, event.event_id, exc)
        finally:
            otel_context.detach(token)

    async def _apply(self, subscription: Subscription[Any], event: Event, topic: str) -> bool:
        """True when applied now, False for a redelivery of an event already applied."""
        async with self._pool.acquire() as conn, conn.transaction():
            if not await claim(conn, self._name, event.event_id, topic):
                log.info("duplicate delivery of %s on %s ignored", event.event_id, topic)
                return False
            await subscription.handler(conn, event)
            return True

    async def _on_failure(
        self, message: IncomingMessage, event_id: uuid.UUID, exc: Exception
    ) -> None:
        try:
            attempts = await self._record_failure(event_id, exc)
        except Exception:
            # The store itself is unreachable: not the event's fault, so it never counts
            # towards dead-lettering. Back off and let the broker redeliver.
            log.warning("cannot record failure of %s; will retry", event_id, exc_info=True)
            await asyncio.sleep(self._backoff_max)
            raise exc from None
        if attempts >= self._max_attempts:
            await self._dead_letter(message, event_id, exc, attempts=attempts)
            return
        EVENTS_PROCESSED.labels(self._name, message.topic, "retried").inc()
        delay = min(self._backoff_base * 2 ** (attempts - 1), self._backoff_max)
        log.warning(
            "event %s failed (attempt %d), retrying in %.1fs: %r", event_id, attempts, delay, exc
        )
        await asyncio.sleep(delay)
        raise exc

    async def _record_failure(self, event_id: uuid.UUID, exc: Exception) -> int:
        attempts: int = await self._pool.fetchval(
            "INSERT INTO consumer_failures (consumer, event_id, attempts, last_error)"
            " VALUES ($1, $2, 1, $3) ON CONFLICT (consumer, event_id) DO UPDATE"
            " SET attempts = consumer_failures.attempts + 1, last_error = EXCLUDED.last_error,"
            " updated_at = now() RETURNING attempts",
            self._name,
            event_id,
            repr(exc)[:2000],
        )
        return attempts

    async def _dead_letter(
        self, message: IncomingMessage, event_id: uuid.UUID, exc: Exception, *, attempts: int
    ) -> None:
        """Park the event with its error and original headers; the claim makes it final."""
        log.error(
            "dead-lettering %s from %s after %d attempt(s): %r",
            event_id,
            message.topic,
            attempts,
            exc,
        )
        async with self._pool.acquire() as conn, conn.transaction():
            if not await claim(conn, self._name, event_id, message.topic, outcome="dead_lettered"):
                return
            EVENTS_PROCESSED.labels(self._name, message.topic, "dead_lettered").inc()
            await conn.execute(
                "INSERT INTO dead_letters (consumer, topic, event_id, key, headers, body, error,"
                " attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                self._name,
                message.topic,
                event_id,
                message.key,
                dict(message.headers),
                message.body.decode("utf-8", "replace"),
                repr(exc)[:2000],
                attempts,
            )
            await add_raw_to_outbox(
                conn,
                event_id=str(uuid.uuid4()),
                topic=topic_name(DEAD_LETTER_TOPIC, self._prefix),
                key=message.key or str(event_id),
                payload={
                    "consumer": self._name,
                    "original_topic": message.topic,
                    "original_event_id": str(event_id),
                    "original_headers": dict(message.headers),
                    "body": message.body.decode("utf-8", "replace"),
                    "error": repr(exc)[:2000],
                    "attempts": attempts,
                },
                headers=current_carrier(),
            )


def _poison_id(message: IncomingMessage) -> uuid.UUID:
    """A stable id for a message that has none we can read: its place in the log and its bytes
    (identical garbage at two offsets is two dead letters, a redelivery of one is the same)."""
    place = f"{message.topic}|{message.partition}|{message.offset}|".encode()
    return uuid.UUID(bytes=hashlib.sha256(place + message.body).digest()[:16])
