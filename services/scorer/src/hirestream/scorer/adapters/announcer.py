"""Announces rescored applications: score rows of a committed rescore batch become
application.scored.v1 outbox rows, a chunk per transaction, after the rescore has committed.

Why not in the rescore transaction: 100,000 outbox rows (and as many event objects) made up a
third of the time to publish a posting's new version. The batch row is written in that
transaction instead, so the guarantee stays the transactional outbox's: a committed rescore is
announced (at least once: the outbox relay and consumers' inboxes take it from there), a rolled
back one never. Each chunk's outbox rows and the batch's cursor commit together, so a crash
between chunks neither loses nor repeats an event. A score that a newer one of the same
application has replaced meanwhile is skipped: the newer score is announced by its own writer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg

from hirestream.contracts import ApplicationScoredV1, Event, Tier
from hirestream.scorer.adapters.postgres import BATCHES_CHANNEL, queue_events

log = logging.getLogger(__name__)

CHUNK = 5_000


async def announce_next_chunk(pool: asyncpg.Pool, topic_prefix: str, chunk: int = CHUNK) -> int:
    """Queue the next chunk of the oldest batch not yet announced; returns how many score rows
    it covered (0: nothing is waiting)."""
    async with pool.acquire() as conn, conn.transaction():
        batch = await conn.fetchrow(
            "SELECT id, posting_id, headers, announced_through FROM score_batches"
            " WHERE announced_at IS NULL ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
        )
        if batch is None:
            return 0
        rows = await conn.fetch(
            "SELECT s.application_id, s.posting_id, s.score, s.tier, v.matched, v.missing,"
            " s.requirements_version, s.rubric_version, s.parser_version, s.scored_at,"
            " EXISTS (SELECT 1 FROM scores n WHERE n.posting_id = s.posting_id"
            " AND n.application_id = s.application_id AND n.id > s.id) AS replaced"
            " FROM scores s JOIN verdict_sets v ON v.id = s.verdict_set_id"
            " WHERE s.posting_id = $1 AND s.batch_id = $2"
            " AND ($3::uuid IS NULL OR s.application_id > $3)"
            " ORDER BY s.application_id LIMIT $4",
            batch["posting_id"],
            batch["id"],
            batch["announced_through"],
            chunk,
        )
        events: list[Event] = [_event(row) for row in rows if not row["replaced"]]
        await queue_events(conn, events, topic_prefix=topic_prefix, headers=batch["headers"])
        await conn.execute(
            "UPDATE score_batches SET announced_through = COALESCE($2, announced_through),"
            " announced_at = CASE WHEN $3 THEN now() END WHERE id = $1",
            batch["id"],
            rows[-1]["application_id"] if rows else None,
            len(rows) < chunk,
        )
        return max(len(rows), 1)  # an empty last chunk still closed a batch


async def announce_all(pool: asyncpg.Pool, topic_prefix: str, chunk: int = CHUNK) -> int:
    """Announce everything waiting; returns how many score rows were covered."""
    total = 0
    while covered := await announce_next_chunk(pool, topic_prefix, chunk):
        total += covered
    return total


async def run_announcer(
    pool: asyncpg.Pool, topic_prefix: str, stop: asyncio.Event, *, poll_seconds: float = 2.0
) -> None:
    """Announce until ``stop`` is set: wake on NOTIFY from a committed batch, poll as a safety
    net (the same pattern as the outbox relay)."""
    wake = asyncio.Event()

    def on_notify(*_: object) -> None:
        wake.set()

    listener: Any = None
    try:
        listener = await pool.acquire()
        await listener.add_listener(BATCHES_CHANNEL, on_notify)
    except Exception:
        log.warning("announcer: LISTEN unavailable, polling only", exc_info=True)
    try:
        while not stop.is_set():
            wake.clear()
            try:
                await announce_all(pool, topic_prefix)
            except Exception:
                log.exception("announcer: failed, will retry")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(_first(wake, stop), timeout=poll_seconds)
    finally:
        if listener is not None:
            with contextlib.suppress(Exception):
                await listener.remove_listener(BATCHES_CHANNEL, on_notify)
            await pool.release(listener)


async def _first(*events: asyncio.Event) -> None:
    waiters = [asyncio.create_task(e.wait()) for e in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


def _event(row: asyncpg.Record) -> ApplicationScoredV1:
    return ApplicationScoredV1(
        application_id=row["application_id"],
        posting_id=row["posting_id"],
        score=row["score"],
        tier=Tier(row["tier"]),
        matched=row["matched"],
        missing=row["missing"],
        requirements_version=row["requirements_version"],
        rubric_version=row["rubric_version"],
        parser_version=row["parser_version"],
        occurred_at=row["scored_at"],
    )
