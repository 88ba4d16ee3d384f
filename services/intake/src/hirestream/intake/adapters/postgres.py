"""asyncpg implementation of the intake store; the caller owns the transaction."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from typing import Any

import asyncpg

from hirestream.contracts import BlobRef, Event
from hirestream.intake.ports import (
    ApplicationRecord,
    IncomingFile,
    NewCandidate,
    PostingRecord,
    Prior,
    PriorQuery,
    Stage,
    StageEntry,
    StoredAttachment,
)
from hirestream.kit.blobstore import Blob, blobs_write, stored
from hirestream.kit.db import Connection
from hirestream.kit.outbox import outbox_write
from hirestream.kit.statements import Write, execute

_APPLICATION_COLUMNS = (
    "a.application_id, a.posting_id, p.slug AS posting_slug, a.channel, a.status,"
    " a.candidate_name, a.candidate_email, a.candidate_phone, a.cv_sha256, a.created_at,"
    " a.candidate_id, a.reapplications, a.forwarded_by, a.auth_results,"
    " a.spam_score"
)
_FROM = " FROM applications a JOIN postings p USING (posting_id)"
# "withdrawn" comes last: once the candidate withdraws, later pipeline stages never undo it.
_STAGE_ORDER = ("received", "parsed", "scored", "notified", "withdrawn")

# One round trip for everything receive_application decides on. COALESCE evaluates its
# arguments in order and stops at the first non-null: email, then phone, then the same CV.
_PRIOR = """
WITH posting AS (SELECT posting_id, slug, title FROM postings WHERE slug = $1),
candidate AS (
    SELECT coalesce(
        (SELECT candidate_id FROM candidates WHERE email_norm = $3),
        (SELECT candidate_id FROM candidates WHERE phone_e164 = $4
         ORDER BY created_at LIMIT 1),
        (SELECT candidate_id FROM applications WHERE cv_sha256 = $5
         AND candidate_id IS NOT NULL ORDER BY created_at LIMIT 1)
    ) AS candidate_id
)
SELECT posting.posting_id, posting.slug, posting.title,
    coalesce(
        (SELECT application_id FROM applications WHERE dedupe_key = $2),
        (SELECT application_id FROM resubmissions WHERE dedupe_key = $2)
    ) AS existing,
    candidate.candidate_id,
    (SELECT application_id FROM applications a
     WHERE a.candidate_id = candidate.candidate_id AND a.posting_id = posting.posting_id)
        AS earlier,
    (SELECT count(*) FROM applications a WHERE a.candidate_id = candidate.candidate_id
     AND a.created_at > now() - make_interval(secs => $6)) AS recent
FROM candidate LEFT JOIN posting ON true
"""

# The new application as one write: its candidate (when new), the row, its files and its
# first stage. Foreign keys are checked at the end of the statement, so the children see the
# parents written beside them.
_ADD_APPLICATION = (
    "INSERT INTO candidates (candidate_id, email_norm, phone_e164)"
    " SELECT $12, $17, $18 WHERE $16::boolean",
    """INSERT INTO applications (application_id, posting_id, channel, status,
        candidate_name, candidate_email, candidate_phone, cv_sha256, raw_sha256,
        cover_letter, dedupe_key, candidate_id, forwarded_by, auth_results, spam_score)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14::jsonb, $15)""",
    """INSERT INTO application_attachments (application_id, position, role, filename,
        media_type, sha256, size)
    SELECT $1, * FROM unnest($19::int[], $20::text[], $21::text[], $22::text[],
        $23::text[], $24::bigint[])""",
    "INSERT INTO application_stages (application_id, stage, at) VALUES ($1, 'received', now())",
)
_ADD_RESUBMISSION = (
    "INSERT INTO resubmissions (application_id, channel, raw_sha256, cv_sha256, dedupe_key)"
    " VALUES ($1, $2, $3, $4, $5)",
    "UPDATE applications SET reapplications = reapplications + 1,"
    " last_reapplied_at = now(), updated_at = now() WHERE application_id = $1",
)


def _record(row: asyncpg.Record | None) -> ApplicationRecord | None:
    if row is None:
        return None
    values = dict(row)
    values["auth_results"] = dict(values["auth_results"] or {})
    return ApplicationRecord(**values)


class PostgresIntakeStore:
    def __init__(self, conn: Connection, topic_prefix: str = "") -> None:
        self._conn = conn
        self._prefix = topic_prefix

    async def posting_by_slug(self, slug: str) -> PostingRecord | None:
        row = await self._conn.fetchrow(
            "SELECT posting_id, slug, title FROM postings WHERE slug = $1", slug
        )
        return PostingRecord(**dict(row)) if row else None

    async def save_posting(self, posting: PostingRecord) -> None:
        await self._conn.execute(
            "INSERT INTO postings (posting_id, slug, title) VALUES ($1, $2, $3)"
            " ON CONFLICT (posting_id) DO UPDATE SET slug = EXCLUDED.slug,"
            " title = EXCLUDED.title, updated_at = now()",
            posting.posting_id,
            posting.slug,
            posting.title,
        )

    async def application(self, application_id: uuid.UUID) -> ApplicationRecord | None:
        row = await self._conn.fetchrow(
            f"SELECT {_APPLICATION_COLUMNS}{_FROM} WHERE a.application_id = $1", application_id
        )
        return _record(row)

    async def prior(self, query: PriorQuery) -> Prior:
        row = await self._conn.fetchrow(
            _PRIOR,
            query.posting_slug,
            query.dedupe_key,
            query.email_norm,
            query.phone_e164,
            query.cv_sha256,
            float(query.window_seconds),
        )
        assert row is not None  # the query always returns its one row
        posting = None
        if row["posting_id"] is not None:
            posting = PostingRecord(row["posting_id"], row["slug"], row["title"])
        return Prior(
            posting=posting,
            existing=row["existing"],
            candidate_id=row["candidate_id"],
            earlier=row["earlier"],
            recent=row["recent"] or 0,
        )

    async def store_files(
        self, raw: bytes, raw_media_type: str, files: list[IncomingFile]
    ) -> tuple[BlobRef, list[StoredAttachment]]:
        blobs = [
            Blob(BlobRef(sha256=f.sha256, media_type=f.media_type, size=len(f.data)), f.data)
            if f.sha256
            else stored(f.data, f.media_type)
            for f in files
        ]
        raw_blob = stored(
            raw, raw_media_type, [(b.ref, f.data) for b, f in zip(blobs, files, strict=True)]
        )
        await self._write(blobs_write([*blobs, raw_blob]))
        return raw_blob.ref, [
            StoredAttachment(f.role, f.filename, b.ref) for f, b in zip(files, blobs, strict=True)
        ]

    async def add_application(
        self,
        record: ApplicationRecord,
        *,
        dedupe_key: str,
        raw: BlobRef,
        cover_letter: str | None,
        attachments: list[StoredAttachment],
        new_candidate: NewCandidate | None,
    ) -> None:
        args = (
            record.application_id,
            record.posting_id,
            record.channel,
            record.status,
            record.candidate_name,
            record.candidate_email,
            record.candidate_phone,
            record.cv_sha256,
            raw.sha256,
            cover_letter,
            dedupe_key,
            record.candidate_id,
            record.forwarded_by,
            record.auth_results,
            record.spam_score,
            new_candidate is not None,
            new_candidate.email_norm if new_candidate else None,
            new_candidate.phone_e164 if new_candidate else None,
            list(range(len(attachments))),
            [a.role for a in attachments],
            [a.filename for a in attachments],
            [a.blob.media_type for a in attachments],
            [a.blob.sha256 for a in attachments],
            [a.blob.size for a in attachments],
        )
        await self._write(Write(_ADD_APPLICATION, args))

    async def add_resubmission(
        self,
        application_id: uuid.UUID,
        *,
        channel: str,
        raw: BlobRef,
        cv_sha256: str,
        dedupe_key: str,
    ) -> None:
        await self._write(
            Write(_ADD_RESUBMISSION, (application_id, channel, raw.sha256, cv_sha256, dedupe_key))
        )

    async def record_stage(
        self, application_id: uuid.UUID, stage: str, at: datetime, detail: dict[str, Any]
    ) -> bool:
        inserted = await self._conn.fetchval(
            "INSERT INTO application_stages (application_id, stage, at, detail)"
            " SELECT $1, $2, $3, $4::jsonb WHERE EXISTS"
            " (SELECT 1 FROM applications WHERE application_id = $1)"
            " ON CONFLICT DO NOTHING RETURNING true",
            application_id,
            stage,
            at,
            detail,
        )
        if inserted:
            # Events of different stages may arrive out of order: status is the furthest stage.
            await self._conn.execute(
                "UPDATE applications SET status = $2, updated_at = now()"
                " WHERE application_id = $1 AND array_position($3::text[], status)"
                " < array_position($3::text[], $2)",
                application_id,
                stage,
                list(_STAGE_ORDER),
            )
        return bool(inserted)

    async def record_stages(self, entries: Sequence[StageEntry]) -> int:
        """Many stages in one statement: the rows (each application and stage once, only for
        applications we have) and each application's status moved to its furthest stage."""
        if not entries:
            return 0
        inserted: int = await self._conn.fetchval(
            "WITH given AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[],"
            "  $4::text[]) AS g(application_id, stage, at, detail)),"
            " inserted AS (INSERT INTO application_stages (application_id, stage, at, detail)"
            "  SELECT g.application_id, g.stage, g.at, g.detail::jsonb FROM given g"
            "  WHERE EXISTS (SELECT 1 FROM applications a"
            "   WHERE a.application_id = g.application_id)"
            "  ON CONFLICT DO NOTHING RETURNING application_id, stage),"
            # Events of different stages may arrive out of order: status is the furthest stage.
            " furthest AS (SELECT application_id, max(array_position($5::text[], stage)) AS n"
            "  FROM inserted GROUP BY application_id),"
            " moved AS (UPDATE applications a SET status = ($5::text[])[f.n], updated_at = now()"
            "  FROM furthest f WHERE a.application_id = f.application_id"
            "  AND array_position($5::text[], a.status) < f.n RETURNING 1)"
            " SELECT count(*) FROM inserted",
            [e.application_id for e in entries],
            [e.stage for e in entries],
            [e.at for e in entries],
            [json.dumps(e.detail) for e in entries],
            list(_STAGE_ORDER),
        )
        return inserted

    async def stages(self, application_id: uuid.UUID) -> list[Stage]:
        rows = await self._conn.fetch(
            "SELECT stage, at, detail FROM application_stages"
            " WHERE application_id = $1 ORDER BY at, array_position($2::text[], stage)",
            application_id,
            list(_STAGE_ORDER),
        )
        return [Stage(r["stage"], r["at"], dict(r["detail"])) for r in rows]

    async def claim_token(self, provider: str, token: str) -> bool:
        """False when this provider's token was seen before (a replayed webhook). Tokens older
        than a day are forgotten: their timestamps are long outside any accepted window."""
        await self._conn.execute(
            "DELETE FROM inbound_tokens WHERE seen_at < now() - interval '1 day'"
        )
        claimed = await self._conn.fetchval(
            "INSERT INTO inbound_tokens (provider, token) VALUES ($1, $2)"
            " ON CONFLICT DO NOTHING RETURNING true",
            provider,
            token,
        )
        return bool(claimed)

    async def audit(
        self, provider: str, outcome: str, reason: str, remote_addr: str | None
    ) -> None:
        await self._conn.execute(
            "INSERT INTO inbound_audit (provider, outcome, reason, remote_addr)"
            " VALUES ($1, $2, $3, $4)",
            provider,
            outcome,
            reason,
            remote_addr,
        )

    async def emit(self, event: Event) -> None:
        await self._write(outbox_write(event, topic_prefix=self._prefix))

    async def _write(self, write: Write) -> None:
        await execute(self._conn, write)


# Receiving an application starts with one look-up (_PRIOR) that PostgreSQL planned afresh on
# every call: its parameters are often NULL (no phone, no delivery id), which makes each custom
# plan look cheaper than the generic one, so the plan cache never settles — 0.65 ms of planning
# for 0.06 ms of execution (pg_stat_statements). Intake's connections use cached generic plans
# throughout: its statements are key look-ups and inserts, for which the generic plan is the
# custom one. A setting of the session, since the look-up runs outside any transaction.
POOL_SETTINGS = {"plan_cache_mode": "force_generic_plan"}


@contextlib.asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, topic_prefix: str) -> AsyncIterator[PostgresIntakeStore]:
    """One transaction; leaving the block normally commits, an exception rolls back."""
    async with pool.acquire() as conn, conn.transaction():
        yield PostgresIntakeStore(conn, topic_prefix)


@contextlib.asynccontextmanager
async def snapshot(pool: asyncpg.Pool, topic_prefix: str) -> AsyncIterator[PostgresIntakeStore]:
    """Reads only, all from one snapshot (REPEATABLE READ, read-only): an application and its
    stages read in one unit agree even while the stage recorder commits between the two
    (under READ COMMITTED each statement sees a newer snapshot, and the status could lag the
    stages it was derived from)."""
    async with (
        pool.acquire() as conn,
        conn.transaction(isolation="repeatable_read", readonly=True),
    ):
        yield PostgresIntakeStore(conn, topic_prefix)


class _DeferredWrites(PostgresIntakeStore):
    """Reads run at once; writes wait, to go to the database as one statement at the end.
    Only for a use case that reads everything before its first write (``receive_application``
    does: one look-up, then the writes): a read here never sees this unit's own writes."""

    def __init__(self, conn: Connection, topic_prefix: str) -> None:
        super().__init__(conn, topic_prefix)
        self.pending: list[Write] = []

    async def _write(self, write: Write) -> None:
        self.pending.append(write)

    async def record_stage(self, *args: Any, **kwargs: Any) -> bool:
        raise TypeError("record_stage reads its own write: use unit_of_work")

    async def claim_token(self, provider: str, token: str) -> bool:
        raise TypeError("claim_token reads its own write: use unit_of_work")


@contextlib.asynccontextmanager
async def one_statement_unit(
    pool: asyncpg.Pool, topic_prefix: str
) -> AsyncIterator[PostgresIntakeStore]:
    """A unit of work sent as one statement outside an explicit transaction: its reads as they
    come, then every write together (``kit.statements``), atomic as a statement is. Two round
    trips for a new application instead of six (BEGIN, look-up, blobs, rows, outbox, COMMIT);
    an exception before the end writes nothing."""
    async with pool.acquire() as conn:
        store = _DeferredWrites(conn, topic_prefix)
        yield store
        if store.pending:
            await execute(conn, *store.pending)
