"""The notifier's PostgreSQL: postings, rules, and deliveries as a leased work queue."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from hirestream.contracts import Event, topic_name
from hirestream.kit.db import Connection
from hirestream.kit.outbox import NOTIFY_OUTBOX, add_to_outbox
from hirestream.kit.telemetry import current_carrier
from hirestream.notifier.domain.planning import PlannedDelivery
from hirestream.notifier.domain.rules import PostingRules
from hirestream.notifier.ports import Delivery, PostingTarget

DELIVERIES_CHANNEL = "hirestream_deliveries"

_DELIVERY_COLUMNS = (
    "delivery_id, application_id, posting_id, rule, channel, kind, destination, target_key,"
    " payload, attempts, digest_key, trace"
)


class PostgresNotifierStore:
    """Used inside the consumer's transaction."""

    def __init__(self, conn: Connection, topic_prefix: str = "") -> None:
        self._conn = conn
        self._prefix = topic_prefix

    async def save_posting(self, posting: PostingTarget) -> None:
        await self._conn.execute(
            "INSERT INTO postings (posting_id, slug, title, notify_email) VALUES ($1,$2,$3,$4)"
            " ON CONFLICT (posting_id) DO UPDATE SET slug = EXCLUDED.slug,"
            " title = EXCLUDED.title, notify_email = EXCLUDED.notify_email, updated_at = now()",
            posting.posting_id,
            posting.slug,
            posting.title,
            posting.notify_email,
        )

    async def posting(self, posting_id: uuid.UUID) -> PostingTarget | None:
        row = await self._conn.fetchrow(
            "SELECT posting_id, slug, title, notify_email FROM postings WHERE posting_id = $1",
            posting_id,
        )
        return PostingTarget(**dict(row)) if row else None

    async def rules_for(self, slug: str) -> PostingRules | None:
        return await rules_for(self._conn, slug)

    async def posting_and_rules(
        self, posting_id: uuid.UUID
    ) -> tuple[PostingTarget, PostingRules | None] | None:
        row = await self._conn.fetchrow(
            "SELECT p.posting_id, p.slug, p.title, p.notify_email, r.slug IS NOT NULL AS own,"
            " r.rules, r.acknowledgement FROM postings p"
            " LEFT JOIN posting_rules r ON r.slug = p.slug WHERE p.posting_id = $1",
            posting_id,
        )
        if row is None:
            return None
        posting = PostingTarget(row["posting_id"], row["slug"], row["title"], row["notify_email"])
        return posting, _rules(row) if row["own"] else None

    async def add_deliveries(
        self, planned: Sequence[PlannedDelivery], now: datetime
    ) -> list[PlannedDelivery]:
        trace = current_carrier()
        added: list[PlannedDelivery] = []
        for p in planned:
            # One round trip: the row, and the NOTIFY naming its channel that wakes that lane
            # of the delivery worker once this transaction commits (only for a row added;
            # PostgreSQL folds a transaction's identical notifications).
            row = await self._conn.fetchrow(
                "WITH added AS (INSERT INTO deliveries (delivery_id, application_id, posting_id,"
                " rule, channel, kind, destination, target_key, payload, digest_key, due_at,"
                " trace, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13)"
                " ON CONFLICT DO NOTHING RETURNING channel)"
                " SELECT pg_notify($14, channel) FROM added",
                p.delivery_id,
                p.application_id,
                p.posting_id,
                p.rule,
                p.channel,
                p.kind,
                p.destination,
                p.target_key,
                p.payload,
                p.digest_key,
                p.due_at,
                trace,
                now,
                DELIVERIES_CHANNEL,
            )
            if row is not None:
                added.append(p)
        return added

    async def emit(self, event: Event) -> None:
        await add_to_outbox(self._conn, event, topic_prefix=self._prefix)


async def rules_for(conn: Connection | asyncpg.Pool, slug: str) -> PostingRules | None:
    row = await conn.fetchrow(
        "SELECT rules, acknowledgement FROM posting_rules WHERE slug = $1", slug
    )
    return None if row is None else _rules(row)


def _rules(row: asyncpg.Record) -> PostingRules:
    data: dict[str, Any] = {"rules": row["rules"]}
    if row["acknowledgement"] is not None:
        data["acknowledgement"] = row["acknowledgement"]
    return PostingRules.model_validate(data)


async def save_rules(pool: asyncpg.Pool, slug: str, rules: PostingRules) -> None:
    data = rules.model_dump(mode="json")
    await pool.execute(
        "INSERT INTO posting_rules (slug, rules, acknowledgement) VALUES ($1, $2, $3)"
        " ON CONFLICT (slug) DO UPDATE SET rules = EXCLUDED.rules,"
        " acknowledgement = EXCLUDED.acknowledgement, updated_at = now()",
        slug,
        data["rules"],
        data["acknowledgement"],
    )


def _delivery(row: asyncpg.Record) -> Delivery:
    return Delivery(**dict(row))


class PostgresDeliveryQueue:
    """Deliveries as a work queue: leased with ``FOR UPDATE SKIP LOCKED`` so several workers
    (or replicas) share it; a lease that expires (a killed worker) makes the record due again."""

    def __init__(self, pool: asyncpg.Pool, topic_prefix: str = "") -> None:
        self._pool = pool
        self._prefix = topic_prefix

    async def claim(
        self,
        channel: str,
        now: datetime,
        *,
        limit: int,
        in_flight: Mapping[str, int],
        per_target: int,
        lease_seconds: float,
        owner: str,
    ) -> list[Delivery]:
        """Leases up to ``limit`` due deliveries of ``channel``, at most ``per_target`` in flight
        per destination (counting this worker's ``in_flight`` sends)."""
        rows = await self._pool.fetch(
            "UPDATE deliveries SET lease_owner = $4, lease_until = $2 + make_interval(secs => $5)"
            " WHERE delivery_id IN (SELECT d.delivery_id FROM deliveries d"
            "  WHERE d.delivery_id IN (SELECT r.delivery_id FROM ("
            "    SELECT delivery_id, target_key, row_number() OVER"
            "     (PARTITION BY target_key ORDER BY due_at, created_at) AS n FROM deliveries"
            "    WHERE status = 'pending' AND channel = $1 AND due_at <= $2"
            "    AND (lease_until IS NULL OR lease_until <= $2)) r"
            "   WHERE r.n <= $8 - coalesce((SELECT f.c FROM unnest($6::text[], $7::int[])"
            "    AS f(k, c) WHERE f.k = r.target_key), 0))"
            "  AND d.status = 'pending' AND (d.lease_until IS NULL OR d.lease_until <= $2)"
            "  ORDER BY d.due_at, d.created_at LIMIT $3 FOR UPDATE OF d SKIP LOCKED)"
            f" RETURNING {_DELIVERY_COLUMNS}",
            channel,
            now,
            limit,
            owner,
            lease_seconds,
            list(in_flight),
            list(in_flight.values()),
            per_target,
        )
        return [_delivery(r) for r in rows]

    async def claim_digest_rest(
        self, digest_key: str, now: datetime, *, lease_seconds: float, owner: str
    ) -> list[Delivery]:
        rows = await self._pool.fetch(
            "UPDATE deliveries SET lease_owner = $3, lease_until = $2 + make_interval(secs => $4)"
            " WHERE delivery_id IN (SELECT delivery_id FROM deliveries"
            "  WHERE status = 'pending' AND digest_key = $1 AND due_at <= $2"
            "  AND (lease_until IS NULL OR lease_until <= $2) FOR UPDATE SKIP LOCKED)"
            f" RETURNING {_DELIVERY_COLUMNS}",
            digest_key,
            now,
            owner,
            lease_seconds,
        )
        return [_delivery(r) for r in rows]

    async def delivered(
        self, deliveries: Sequence[Delivery], now: datetime, events: Sequence[Event]
    ) -> None:
        """The records marked delivered and their events queued, atomically: one statement,
        so one round trip and its own transaction instead of BEGIN, UPDATE, an outbox INSERT
        per event and COMMIT (this runs once per send). The outbox rows are those
        ``add_to_outbox`` writes (kit's row shape, the current trace context as headers, the
        relay's NOTIFY, a duplicate event id dropped)."""
        await self._pool.execute(
            "WITH done AS (UPDATE deliveries SET status = 'delivered', delivered_at = $2,"
            " attempts = attempts + 1, lease_owner = NULL, lease_until = NULL,"
            " last_error = NULL, updated_at = now() WHERE delivery_id = ANY($1::uuid[]))"
            " INSERT INTO outbox (event_id, topic, key, payload, headers)"
            " SELECT e.event_id, e.topic, e.key, e.payload::jsonb, $7::jsonb"
            " FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[])"
            f" AS e(event_id, topic, key, payload), {NOTIFY_OUTBOX}"
            " ON CONFLICT (event_id) DO NOTHING",
            [d.delivery_id for d in deliveries],
            now,
            [e.event_id for e in events],
            [topic_name(e.topic, self._prefix) for e in events],
            [e.key() for e in events],
            [e.model_dump_json() for e in events],
            current_carrier(),
        )

    async def retry_later(
        self, deliveries: Sequence[Delivery], due_at: datetime, error: str
    ) -> None:
        await self._pool.execute(
            "UPDATE deliveries SET attempts = attempts + 1, due_at = $2, last_error = $3,"
            " lease_owner = NULL, lease_until = NULL, updated_at = now()"
            " WHERE delivery_id = ANY($1::uuid[]) AND status = 'pending'",
            [d.delivery_id for d in deliveries],
            due_at,
            error,
        )

    async def dead_letter(
        self, deliveries: Sequence[Delivery], reason: str, now: datetime, events: Sequence[Event]
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                "UPDATE deliveries SET status = 'dead_lettered', attempts = attempts + 1,"
                " dead_reason = $2, last_error = $2, lease_owner = NULL, lease_until = NULL,"
                " updated_at = now() WHERE delivery_id = ANY($1::uuid[])",
                [d.delivery_id for d in deliveries],
                reason,
            )
            for event in events:
                await add_to_outbox(conn, event, topic_prefix=self._prefix)


# What the HTTP API shows of a delivery: never the payload's link tokens or webhook secrets.
_LISTED = (
    "delivery_id, application_id, posting_id, rule, channel, kind, target_key, status,"
    " attempts, due_at, last_error, dead_reason, created_at, delivered_at, updated_at"
)


async def list_deliveries(
    pool: asyncpg.Pool,
    *,
    status: str | None = None,
    application_id: uuid.UUID | None = None,
    channel: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        f"SELECT {_LISTED} FROM deliveries WHERE ($1::text IS NULL OR status = $1)"
        " AND ($2::uuid IS NULL OR application_id = $2) AND ($3::text IS NULL OR channel = $3)"
        " ORDER BY created_at DESC, delivery_id LIMIT $4 OFFSET $5",
        status,
        application_id,
        channel,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def get_delivery(pool: asyncpg.Pool, delivery_id: uuid.UUID) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        f"SELECT {_LISTED} FROM deliveries WHERE delivery_id = $1", delivery_id
    )
    return dict(row) if row else None


async def replay_delivery(
    pool: asyncpg.Pool, delivery_id: uuid.UUID, now: datetime
) -> dict[str, Any] | None:
    """A dead-lettered delivery becomes due again with a fresh retry budget; None if there is
    no such dead letter (unknown, still pending, or delivered)."""
    async with pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(
            "UPDATE deliveries SET status = 'pending', attempts = 0, due_at = $2,"
            " dead_reason = NULL, lease_owner = NULL, lease_until = NULL, updated_at = now()"
            f" WHERE delivery_id = $1 AND status = 'dead_lettered' RETURNING {_LISTED}",
            delivery_id,
            now,
        )
        if row is not None:
            await conn.execute("SELECT pg_notify($1, '')", DELIVERIES_CHANNEL)
    return dict(row) if row else None


async def flush_digests(pool: asyncpg.Pool, now: datetime, slug: str | None = None) -> int:
    """Makes pending digests due now (an operator's "send the digest now", and the demo)."""
    async with pool.acquire() as conn, conn.transaction():
        result = await conn.execute(
            "UPDATE deliveries SET due_at = $1, updated_at = now() WHERE status = 'pending'"
            " AND kind = 'digest' AND due_at > $1 AND ($2::text IS NULL OR posting_id IN"
            " (SELECT posting_id FROM postings WHERE slug = $2))",
            now,
            slug,
        )
        count = int(result.split()[-1])
        if count:
            await conn.execute("SELECT pg_notify($1, '')", DELIVERIES_CHANNEL)
    return count
