"""asyncpg implementation of the intake store; the caller owns the transaction."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator

import asyncpg
from hirestream.contracts import BlobRef, Event
from hirestream.intake.ports import ApplicationRecord, PostingRecord
from hirestream.kit.blobstore import put_blob
from hirestream.kit.db import Connection
from hirestream.kit.outbox import add_to_outbox

_APPLICATION_COLUMNS = (
    "a.application_id, a.posting_id, p.slug AS posting_slug, a.channel, a.status,"
    " a.candidate_name, a.candidate_email, a.candidate_phone, a.cv_sha256, a.created_at"
)


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

    async def application_by_dedupe_key(self, key: str) -> ApplicationRecord | None:
        row = await self._conn.fetchrow(
            f"SELECT {_APPLICATION_COLUMNS} FROM applications a"
            " JOIN postings p USING (posting_id) WHERE a.dedupe_key = $1",
            key,
        )
        return ApplicationRecord(**dict(row)) if row else None

    async def application(self, application_id: uuid.UUID) -> ApplicationRecord | None:
        row = await self._conn.fetchrow(
            f"SELECT {_APPLICATION_COLUMNS} FROM applications a"
            " JOIN postings p USING (posting_id) WHERE a.application_id = $1",
            application_id,
        )
        return ApplicationRecord(**dict(row)) if row else None

    async def add_application(
        self, record: ApplicationRecord, *, dedupe_key: str, raw: BlobRef, cover_letter: str | None
    ) -> None:
        await self._conn.execute(
            "INSERT INTO applications (application_id, posting_id, channel, status,"
            " candidate_name, candidate_email, candidate_phone, cv_sha256, raw_sha256,"
            " cover_letter, dedupe_key) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
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
        )

    async def put_blob(self, data: bytes, media_type: str) -> BlobRef:
        return await put_blob(self._conn, data, media_type)

    async def emit(self, event: Event) -> None:
        await add_to_outbox(self._conn, event, topic_prefix=self._prefix)


@contextlib.asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, topic_prefix: str) -> AsyncIterator[PostgresIntakeStore]:
    """One transaction; leaving the block normally commits, an exception rolls back."""
    async with pool.acquire() as conn, conn.transaction():
        yield PostgresIntakeStore(conn, topic_prefix)
