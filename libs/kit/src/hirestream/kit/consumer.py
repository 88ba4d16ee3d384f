"""Running one event handler per message, exactly once in effect, a batch at a time.

A batch of messages (what one poll returned) is applied in ONE PostgreSQL transaction: for each
message, extract the trace context from its headers, claim the event in the inbox (a redelivery
becomes a no-op) and run the handler. When a handler fails, the attempt rolls back and the batch
runs again with that failure remembered (its handler not called again), so one failing event's
effects never commit and the others' commit once; no savepoint per event is needed.
The subscriber commits the batch's offsets only after that transaction commits: one commit
(and one fsync) per batch instead of per event, which is what the pipeline's throughput needed.

A failing event never blocks its partition. In the same transaction the consumer counts the
failure (``consumer_failures``) and writes a retry record (``RetryRecordV1``: original topic,
key, headers, body, attempt count, not-before time) to its outbox, bound for its own retry topic
``<consumer>.retry.v1``; the original offset is committed with the batch once that record is
durable. The service consumes its retry topic (``handle_retries``): it waits out each record's
not-before time, claims the record (a re-delivered record costs no extra attempt), acknowledges
its outbox row (so the reconciler stops re-driving it) and applies the original event the same
way. After ``max_attempts`` failures, or at once for an undecodable message or a
``PermanentError``, the event is parked: a ``dead_letters`` row and a ``deadletter.v1`` message
with its error and original headers.

Because retry records are outbox rows, a retry pending when the broker loses everything (Tansu
keeps its log in memory) survives in PostgreSQL: the reconciler re-drives unacknowledged rows of
the retry topic like any other stage's. Correctness comes from PostgreSQL only: no Kafka
transactions, no idempotent producer.

When the batch's transaction cannot commit (PostgreSQL unreachable, the connection broke), no
failure is counted: the consumer backs off and raises, and the batch is redelivered.

A subscription may name a ``prefetch`` hook: it is told each event of a batch, in order and
under the event's trace context, before the batch's transaction opens, so slow work its handler
will need (the parser's CV extraction in its worker processes) can start for all of them at once
and run while the handlers of the first ones run. The hook writes nothing and its failure is
only logged: the handler stays the one that decides and writes, inside the transaction, with
everything above unchanged.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Generic, TypeVar

import asyncpg
from opentelemetry import context as otel_context
from opentelemetry.trace import SpanKind, Status, StatusCode
from pydantic import ValidationError

from hirestream.contracts import DEAD_LETTER_TOPIC, Event, RetryRecordV1, retry_topic, topic_name
from hirestream.kit.db import Connection
from hirestream.kit.inbox import claim
from hirestream.kit.metrics import EVENT_PROCESSING_SECONDS, EVENTS_PROCESSED, STAGE_LATENCY_SECONDS
from hirestream.kit.outbox import add_raw_to_outbox
from hirestream.kit.telemetry import context_from_carrier, current_carrier, tracer

log = logging.getLogger(__name__)

E = TypeVar("E", bound=Event)
Handler = Callable[[Connection, E], Awaitable[None]]
# Told each event of a batch before its transaction opens; starts work and returns at once.
Prefetch = Callable[[E], None]


class PermanentError(Exception):
    """An event that can never succeed (bad reference, invalid state): dead-letter at once."""


class _EventFailed(Exception):
    """An event's handler failed: the batch's attempt rolls back and runs again without it."""

    def __init__(self, item: _Work, error: Exception) -> None:
        super().__init__(repr(error))
        self.item = item
        self.error = error


@dataclass(frozen=True)
class Subscription(Generic[E]):
    event_type: type[E]
    handler: Handler[E]
    prefetch: Prefetch[E] | None = None


@dataclass(frozen=True)
class IncomingMessage:
    topic: str
    key: str | None
    body: bytes
    headers: Mapping[str, str]
    partition: int = -1
    offset: int = -1


@dataclass
class _Outcome:
    """What happened to one message, reported to the metrics once the batch has committed."""

    topic: str
    outcome: str  # processed | duplicate | retried | dead_lettered | skipped
    occurred_at: datetime | None = None
    processing_seconds: float | None = None


@dataclass
class _Work:
    message: IncomingMessage
    subscription: Subscription[Any] | None
    retry: RetryRecordV1 | None = None
    outcomes: list[_Outcome] = field(default_factory=list)
    # The handler's error in an earlier attempt of the batch: recorded, not called again.
    failure: Exception | None = None
    # The message decoded once, ahead of the transaction, when it was handed to a prefetch hook.
    event: Event | None = None


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
        outage_backoff: float = 5.0,
        batch_seconds: float = 20.0,
    ) -> None:
        self._pool = pool
        self._name = consumer_name
        self._prefix = topic_prefix
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._backoff_max = backoff_max
        self._outage_backoff = outage_backoff
        self._batch_seconds = batch_seconds
        self._subscriptions: dict[str, Subscription[Any]] = {}

    @property
    def name(self) -> str:
        return self._name

    @property
    def retry_topic(self) -> str:
        """The physical retry topic of this consumer."""
        return topic_name(retry_topic(self._name), self._prefix)

    def subscribe(self, subscription: Subscription[Any]) -> str:
        """Remember ``subscription`` (retries find their handler by the original topic);
        returns the physical topic to consume."""
        topic = topic_name(subscription.event_type.topic, self._prefix)
        self._subscriptions[topic] = subscription
        return topic

    async def handle(self, subscription: Subscription[Any], message: IncomingMessage) -> None:
        """One message: a batch of one."""
        await self.handle_batch(subscription, [message])

    async def handle_batch(
        self, subscription: Subscription[Any], messages: Sequence[IncomingMessage]
    ) -> int:
        """Returns how many messages, from the first, have a durable outcome; raises to have the
        whole batch redelivered (nothing of it committed).

        A batch stops early once its transaction has run ``batch_seconds`` (slow events, e.g.
        CVs taking the parser's full time limit): the caller polls the rest again, so neither a
        long transaction nor the broker's poll interval is ever exceeded by a large batch."""
        return await self._run([_Work(m, subscription) for m in messages], budget=True)

    def _prefetch(self, work: Sequence[_Work]) -> None:
        """Tell the subscriptions' prefetch hooks each event, in batch order, under the event's
        trace context (work they start belongs to the application's trace). Undecodable
        messages are left to ``_process``, which dead-letters them."""
        for item in work:
            subscription = item.subscription
            if subscription is None or subscription.prefetch is None or item.failure is not None:
                continue
            if item.event is None:
                try:
                    item.event = subscription.event_type.model_validate_json(item.message.body)
                except ValidationError:
                    continue
            token = otel_context.attach(context_from_carrier(item.message.headers))
            try:
                subscription.prefetch(item.event)
            except Exception:
                # Only an optimisation: the handler does the work itself.
                log.warning("%s: prefetch failed", self._name, exc_info=True)
            finally:
                otel_context.detach(token)

    async def handle_retries(self, messages: Sequence[IncomingMessage]) -> None:
        """Records of our retry topic: each is applied once its not-before time has come.

        Records due first go first; a record is never tried early. The wait happens outside any
        transaction, and only this retry topic's consumer waits: the main partitions flow on."""
        pending: list[_Work] = []
        for message in messages:
            try:
                record = RetryRecordV1.model_validate_json(message.body)
            except ValidationError as exc:
                # Not a retry record at all: park it like any undecodable message.
                pending.append(_Work(message, None))
                log.error(
                    "undecodable retry record at %s@%d: %r", message.topic, message.offset, exc
                )
                continue
            original = IncomingMessage(
                topic=record.original_topic,
                key=record.original_key,
                body=record.body.encode(),
                headers=record.original_headers,
                partition=record.original_partition,
                offset=record.original_offset,
            )
            pending.append(
                _Work(original, self._subscriptions.get(record.original_topic), retry=record)
            )
        while pending:
            now = datetime.now(UTC)
            due = [w for w in pending if w.retry is None or w.retry.not_before <= now]
            if not due:
                earliest = min(w.retry.not_before for w in pending if w.retry is not None)
                # Bounded: a clock ahead on another replica must not stall the retry topic.
                wait = min((earliest - now).total_seconds(), self._backoff_max)
                await asyncio.sleep(max(wait, 0.0))
                continue
            await self._run(due)
            pending = [w for w in pending if w not in due]

    async def _run(self, work: list[_Work], *, budget: bool = False) -> int:
        """Apply ``work`` in one transaction, without a savepoint per event (two round trips
        less per event; nearly every batch succeeds whole). When an event's handler fails, that
        attempt rolls back entirely and the batch runs again with the failure remembered: the
        failed event's handler is not called again, its failure is counted, retried or
        dead-lettered as it would have been in a savepoint of its own, and the other events are
        applied anew. So each delivery of an event runs its handler once until it succeeds, and
        every effect still commits once, with its inbox claim."""
        self._prefetch(work)
        while True:
            try:
                return await self._attempt(work, budget=budget)
            except _EventFailed as failed:
                failed.item.failure = failed.error

    async def _attempt(self, work: list[_Work], *, budget: bool) -> int:
        done = 0
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                started = time.monotonic()
                for item in work:
                    if budget and done and time.monotonic() - started > self._batch_seconds:
                        break
                    item.outcomes.clear()  # a retried batch starts over
                    await self._process(conn, item)
                    done += 1
        except _EventFailed:
            raise
        except Exception:
            # The transaction itself failed: PostgreSQL is unreachable or the connection broke.
            # Not the events' fault, so nothing counts towards dead-lettering: back off and let
            # the broker redeliver the batch.
            log.warning(
                "%s: batch of %d not durable; will be redelivered",
                self._name,
                len(work),
                exc_info=True,
            )
            await asyncio.sleep(self._outage_backoff)
            raise
        finished = datetime.now(UTC)
        for item in work[:done]:
            for o in item.outcomes:
                EVENTS_PROCESSED.labels(self._name, o.topic, o.outcome).inc()
                if o.processing_seconds is not None:
                    EVENT_PROCESSING_SECONDS.labels(self._name, o.topic).observe(
                        o.processing_seconds
                    )
                if o.occurred_at is not None and o.outcome == "processed":
                    age = (finished - o.occurred_at).total_seconds()
                    STAGE_LATENCY_SECONDS.labels(self._name, o.topic).observe(max(age, 0.0))
        return done

    async def _process(self, conn: Connection, item: _Work) -> None:
        message = item.message
        token = otel_context.attach(context_from_carrier(message.headers))
        try:
            with tracer().start_as_current_span(
                f"{message.topic} process", kind=SpanKind.CONSUMER
            ) as span:
                span.set_attribute("messaging.system", "kafka")
                span.set_attribute("messaging.consumer.group.name", self._name)
                if item.retry is not None:
                    span.set_attribute("hirestream.retry_attempt", item.retry.attempt)
                    if not await self._take_retry(conn, item.retry):
                        item.outcomes.append(_Outcome(self.retry_topic, "skipped"))
                        return
                if item.subscription is None:
                    # Not a retry record, or one for a topic we no longer consume.
                    exc = PermanentError(f"not a retry record or no handler: {message.topic}")
                    event_id = item.retry.event_id if item.retry else _poison_id(message)
                    await self._dead_letter(conn, item, event_id, exc, attempts=1)
                    return
                event = item.event
                if event is None:
                    try:
                        event = item.subscription.event_type.model_validate_json(message.body)
                    except ValidationError as exc:
                        span.set_status(Status(StatusCode.ERROR, "undecodable event"))
                        await self._dead_letter(conn, item, _poison_id(message), exc, attempts=1)
                        return
                span.set_attribute("hirestream.event_id", str(event.event_id))
                if hasattr(event, "application_id"):
                    span.set_attribute("hirestream.application_id", str(event.application_id))
                if item.failure is not None:  # failed in an earlier attempt of this batch
                    await self._failed(conn, item, event.event_id, item.failure, span)
                    return
                started = time.perf_counter()
                try:
                    applied = await self._apply(conn, item.subscription, event, message)
                except Exception as exc:
                    # The transaction may be aborted: roll the attempt back, remember this.
                    raise _EventFailed(item, exc) from exc
                else:
                    item.outcomes.append(
                        _Outcome(
                            message.topic,
                            "processed" if applied else "duplicate",
                            event.occurred_at,
                            time.perf_counter() - started,
                        )
                    )
        finally:
            otel_context.detach(token)

    async def _apply(
        self,
        conn: Connection,
        subscription: Subscription[Any],
        event: Event,
        message: IncomingMessage,
    ) -> bool:
        """Claim the event and run its handler; False for a redelivery (a no-op)."""
        applied = await claim(conn, self._name, event.event_id, message.topic)
        if applied:
            await subscription.handler(conn, event)
        else:
            log.info("duplicate delivery of %s on %s", event.event_id, message.topic)
        return applied

    async def _failed(
        self, conn: Connection, item: _Work, event_id: uuid.UUID, exc: Exception, span: Any
    ) -> None:
        span.record_exception(exc)
        if isinstance(exc, PermanentError):
            await self._dead_letter(conn, item, event_id, exc, attempts=1)
            return
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))
        await self._on_failure(conn, item, event_id, exc)

    async def _take_retry(self, conn: Connection, record: RetryRecordV1) -> bool:
        """Claim the retry record itself, once; and tell our outbox it arrived (the reconciler
        re-drives retry rows nobody took, e.g. after the broker lost them)."""
        if not await claim(conn, self._name, record.retry_id, self.retry_topic, outcome="retry"):
            log.info("retry record %s already taken", record.retry_id)
            return False
        await conn.execute(
            "UPDATE outbox SET acked_at = now() WHERE event_id = $1 AND acked_at IS NULL",
            record.retry_id,
        )
        return True

    async def _on_failure(
        self, conn: Connection, item: _Work, event_id: uuid.UUID, exc: Exception
    ) -> None:
        attempts: int = await conn.fetchval(
            "INSERT INTO consumer_failures (consumer, event_id, attempts, last_error)"
            " VALUES ($1, $2, 1, $3) ON CONFLICT (consumer, event_id) DO UPDATE"
            " SET attempts = consumer_failures.attempts + 1, last_error = EXCLUDED.last_error,"
            " updated_at = now() RETURNING attempts",
            self._name,
            event_id,
            repr(exc)[:2000],
        )
        if attempts >= self._max_attempts:
            await self._dead_letter(conn, item, event_id, exc, attempts=attempts)
            return
        delay = min(self._backoff_base * 2 ** (attempts - 1), self._backoff_max)
        message = item.message
        record = RetryRecordV1(
            retry_id=uuid.uuid4(),
            consumer=self._name,
            original_topic=message.topic,
            original_key=message.key,
            original_headers=dict(message.headers),
            original_partition=message.partition,
            original_offset=message.offset,
            event_id=event_id,
            body=message.body.decode("utf-8", "replace"),
            attempt=attempts,
            not_before=datetime.now(UTC) + timedelta(seconds=delay),
            last_error=repr(exc)[:2000],
        )
        await add_raw_to_outbox(
            conn,
            event_id=str(record.retry_id),
            topic=self.retry_topic,
            key=message.key or str(event_id),
            payload=record.model_dump(mode="json"),
            headers=current_carrier(),
        )
        item.outcomes.append(_Outcome(message.topic, "retried"))
        log.warning(
            "event %s from %s failed (attempt %d), retry in %.1fs via %s: %r",
            event_id,
            message.topic,
            attempts,
            delay,
            self.retry_topic,
            exc,
        )

    async def _dead_letter(
        self,
        conn: Connection,
        item: _Work,
        event_id: uuid.UUID,
        exc: Exception,
        *,
        attempts: int,
    ) -> None:
        """Park the event with its error and original headers; the claim makes it final."""
        message = item.message
        if not await claim(conn, self._name, event_id, message.topic, outcome="dead_lettered"):
            item.outcomes.append(_Outcome(message.topic, "duplicate"))
            return
        log.error(
            "dead-lettering %s from %s after %d attempt(s): %r",
            event_id,
            message.topic,
            attempts,
            exc,
        )
        body = message.body.decode("utf-8", "replace")
        await conn.execute(
            "INSERT INTO dead_letters (consumer, topic, event_id, key, headers, body, error,"
            " attempts) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            self._name,
            message.topic,
            event_id,
            message.key,
            dict(message.headers),
            body,
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
                "body": body,
                "error": repr(exc)[:2000],
                "attempts": attempts,
            },
            headers=current_carrier(),
        )
        item.outcomes.append(_Outcome(message.topic, "dead_lettered"))


def _poison_id(message: IncomingMessage) -> uuid.UUID:
    """A stable id for a message that has none we can read: its place in the log and its bytes
    (identical garbage at two offsets is two dead letters, a redelivery of one is the same)."""
    place = f"{message.topic}|{message.partition}|{message.offset}|".encode()
    return uuid.UUID(bytes=hashlib.sha256(place + message.body).digest()[:16])
