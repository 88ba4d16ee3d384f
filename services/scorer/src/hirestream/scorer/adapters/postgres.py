"""asyncpg implementation of the scorer store and its read models."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from hirestream.contracts import Event
from hirestream.kit.db import Connection
from hirestream.kit.outbox import add_to_outbox
from hirestream.scorer.ports import StoredPosting, StoredProfile, StoredScore

_POSTING = (
    "SELECT p.posting_id, p.slug, p.title, p.body, p.notify_email, p.requirements_version,"
    " r.requirements FROM postings p JOIN requirement_versions r"
    " ON r.posting_id = p.posting_id AND r.version = p.requirements_version"
)


class PostgresScorerStore:
    def __init__(self, conn: Connection, topic_prefix: str = "") -> None:
        self._conn = conn
        self._prefix = topic_prefix

    async def posting_by_slug(self, slug: str) -> StoredPosting | None:
        row = await self._conn.fetchrow(f"{_POSTING} WHERE p.slug = $1", slug)
        return StoredPosting(**dict(row)) if row else None

    async def posting(self, posting_id: uuid.UUID) -> StoredPosting | None:
        row = await self._conn.fetchrow(f"{_POSTING} WHERE p.posting_id = $1", posting_id)
        return StoredPosting(**dict(row)) if row else None

    async def save_posting(
        self, posting: StoredPosting, metadata: dict[str, Any], model_version: str
    ) -> None:
        await self._conn.execute(
            "INSERT INTO postings (posting_id, slug, title, body, metadata, notify_email,"
            " requirements_version) VALUES ($1,$2,$3,$4,$5,$6,$7)"
            " ON CONFLICT (posting_id) DO UPDATE SET title = EXCLUDED.title,"
            " body = EXCLUDED.body, metadata = EXCLUDED.metadata,"
            " notify_email = EXCLUDED.notify_email,"
            " requirements_version = EXCLUDED.requirements_version, updated_at = now()",
            posting.posting_id,
            posting.slug,
            posting.title,
            posting.body,
            metadata,
            posting.notify_email,
            posting.requirements_version,
        )
        await self._conn.execute(
            "INSERT INTO requirement_versions (posting_id, version, model_version, requirements)"
            " VALUES ($1, $2, $3, $4)",
            posting.posting_id,
            posting.requirements_version,
            model_version,
            posting.requirements,
        )

    async def save_profile(self, profile: StoredProfile) -> None:
        await self._conn.execute(
            "INSERT INTO profiles (application_id, posting_id, profile_id, parser_version, status,"
            " skills, total_experience_months) VALUES ($1,$2,$3,$4,$5,$6,$7)"
            " ON CONFLICT (application_id) DO UPDATE SET profile_id = EXCLUDED.profile_id,"
            " parser_version = EXCLUDED.parser_version, status = EXCLUDED.status,"
            " skills = EXCLUDED.skills, total_experience_months = EXCLUDED.total_experience_months,"
            " received_at = now()",
            profile.application_id,
            profile.posting_id,
            profile.profile_id,
            profile.parser_version,
            profile.status,
            profile.skills,
            profile.total_experience_months,
        )

    async def add_score(self, score: StoredScore) -> None:
        await self._conn.execute(
            "INSERT INTO scores (application_id, posting_id, score, tier, verdicts, matched,"
            " missing, hint, requirements_version, rubric_version, parser_version)"
            " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)",
            score.application_id,
            score.posting_id,
            score.score,
            score.tier,
            score.verdicts,
            score.matched,
            score.missing,
            score.hint,
            score.requirements_version,
            score.rubric_version,
            score.parser_version,
        )

    async def emit(self, event: Event) -> None:
        await add_to_outbox(self._conn, event, topic_prefix=self._prefix)


@contextlib.asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, topic_prefix: str) -> AsyncIterator[PostgresScorerStore]:
    async with pool.acquire() as conn, conn.transaction():
        yield PostgresScorerStore(conn, topic_prefix)


async def ranking(
    pool: asyncpg.Pool, posting_id: uuid.UUID, *, tier: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    """The current (newest) score of each application of a posting, best first."""
    rows = await pool.fetch(
        "SELECT * FROM (SELECT DISTINCT ON (application_id) application_id, score, tier,"
        " matched, missing, hint, requirements_version, rubric_version, parser_version, scored_at"
        " FROM scores WHERE posting_id = $1 ORDER BY application_id, id DESC) current"
        " WHERE ($2::text IS NULL OR tier = $2) ORDER BY score DESC, scored_at, application_id"
        " LIMIT $3 OFFSET $4",
        posting_id,
        tier,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


async def current_score(pool: asyncpg.Pool, application_id: uuid.UUID) -> dict[str, Any] | None:
    row = await pool.fetchrow(
        "SELECT * FROM scores WHERE application_id = $1 ORDER BY id DESC LIMIT 1", application_id
    )
    return dict(row) if row else None
