"""asyncpg implementation of the scorer store and its read models."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from hirestream.contracts import Event, topic_name
from hirestream.kit.db import Connection
from hirestream.kit.outbox import NOTIFY_CHANNEL, add_to_outbox
from hirestream.kit.telemetry import current_carrier
from hirestream.scorer.ports import CurrentScore, StoredPosting, StoredProfile, StoredScore

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

    async def postings(self) -> list[StoredPosting]:
        rows = await self._conn.fetch(f"{_POSTING} ORDER BY p.slug")
        return [StoredPosting(**dict(row)) for row in rows]

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

    async def save_requirements(self, posting: StoredPosting, source: str) -> None:
        await self._conn.execute(
            "INSERT INTO requirement_versions (posting_id, version, model_version, requirements,"
            " source) VALUES ($1, $2, $3, $4, $5)",
            posting.posting_id,
            posting.requirements_version,
            source,
            posting.requirements,
            source,
        )
        await self._conn.execute(
            "UPDATE postings SET requirements_version = $2, updated_at = now()"
            " WHERE posting_id = $1",
            posting.posting_id,
            posting.requirements_version,
        )

    async def save_profile(self, profile: StoredProfile) -> None:
        await self._conn.execute(
            "INSERT INTO profiles (application_id, posting_id, profile_id, parser_version, status,"
            " skills, total_experience_months, languages, leadership_months, degrees)"
            " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)"
            " ON CONFLICT (application_id) DO UPDATE SET profile_id = EXCLUDED.profile_id,"
            " parser_version = EXCLUDED.parser_version, status = EXCLUDED.status,"
            " skills = EXCLUDED.skills, total_experience_months = EXCLUDED.total_experience_months,"
            " languages = EXCLUDED.languages, leadership_months = EXCLUDED.leadership_months,"
            " degrees = EXCLUDED.degrees, received_at = now()",
            *_profile_row(profile),
        )

    async def profiles_of(self, posting_id: uuid.UUID) -> list[StoredProfile]:
        rows = await self._conn.fetch(
            f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE posting_id = $1"
            " ORDER BY application_id",
            posting_id,
        )
        return [StoredProfile(**dict(row)) for row in rows]

    async def current_scores(self, posting_id: uuid.UUID) -> dict[uuid.UUID, CurrentScore]:
        rows = await self._conn.fetch(
            "SELECT DISTINCT ON (application_id) application_id, requirements_version,"
            " rubric_version FROM scores WHERE posting_id = $1 ORDER BY application_id, id DESC",
            posting_id,
        )
        return {row["application_id"]: CurrentScore(**dict(row)) for row in rows}

    async def add_score(self, score: StoredScore) -> None:
        await self.add_scores([score])

    async def add_scores(self, scores: list[StoredScore]) -> None:
        if len(scores) < _COPY_FROM:
            await self._conn.executemany(_INSERT_SCORE, [_score_row(s) for s in scores])
            return
        # Rescoring a posting writes one row per application, possibly 100,000 of them: COPY
        # (binary, so the JSON columns travel as text) into a staging table, then one INSERT.
        await self._conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS scores_in (application_id uuid, posting_id uuid,"
            " score int, tier text, verdicts text, matched text, missing text, hint text,"
            " requirements_version int, rubric_version text, parser_version text, trigger text)"
            " ON COMMIT DELETE ROWS"
        )
        await self._conn.copy_records_to_table(
            "scores_in", records=[_score_row(s, as_text=True) for s in scores]
        )
        await self._conn.execute(
            f"INSERT INTO scores ({', '.join(_SCORE_COLUMNS)}) SELECT application_id,"
            " posting_id, score, tier, verdicts::jsonb, matched::jsonb, missing::jsonb, hint,"
            " requirements_version, rubric_version, parser_version, trigger FROM scores_in"
        )
        await self._conn.execute("DELETE FROM scores_in")

    async def emit(self, event: Event) -> None:
        await add_to_outbox(self._conn, event, topic_prefix=self._prefix)

    async def emit_many(self, events: list[Event]) -> None:
        """``add_to_outbox`` for many events: one COPY and one relay wake-up (the same row
        shape; kit has no batch form yet)."""
        if not events:
            return
        headers = json.dumps(current_carrier())
        await self._conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS outbox_in (event_id text, topic text, key text,"
            " payload text, headers text) ON COMMIT DELETE ROWS"
        )
        await self._conn.copy_records_to_table(
            "outbox_in",
            records=[
                (str(e.event_id), topic_name(e.topic, self._prefix), e.key(),
                 e.model_dump_json(), headers)
                for e in events
            ],
        )  # fmt: skip
        await self._conn.execute(
            "INSERT INTO outbox (event_id, topic, key, payload, headers) SELECT event_id::uuid,"
            " topic, key, payload::jsonb, headers::jsonb FROM outbox_in ORDER BY ctid"
            " ON CONFLICT (event_id) DO NOTHING"
        )
        await self._conn.execute("DELETE FROM outbox_in")
        await self._conn.execute("SELECT pg_notify($1, '')", NOTIFY_CHANNEL)


_PROFILE_COLUMNS = (
    "application_id, posting_id, profile_id, parser_version, status, skills,"
    " total_experience_months, languages, leadership_months, degrees"
)
_SCORE_COLUMNS = [
    "application_id", "posting_id", "score", "tier", "verdicts", "matched", "missing", "hint",
    "requirements_version", "rubric_version", "parser_version", "trigger",
]  # fmt: skip


def _profile_row(p: StoredProfile) -> tuple[Any, ...]:
    return (
        p.application_id, p.posting_id, p.profile_id, p.parser_version, p.status, p.skills,
        p.total_experience_months, p.languages, p.leadership_months, p.degrees,
    )  # fmt: skip


_INSERT_SCORE = (
    f"INSERT INTO scores ({', '.join(_SCORE_COLUMNS)})"
    " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)"
)
_COPY_FROM = 50


def _score_row(s: StoredScore, *, as_text: bool = False) -> tuple[Any, ...]:
    dump = json.dumps if as_text else (lambda value: value)
    return (
        s.application_id, s.posting_id, s.score, s.tier, dump(s.verdicts), dump(s.matched),
        dump(s.missing), s.hint, s.requirements_version, s.rubric_version, s.parser_version,
        s.trigger,
    )  # fmt: skip


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
        " matched, missing, hint, requirements_version, rubric_version, parser_version, scored_at,"
        " trigger"
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
    """The newest score, its verdicts carrying the requirement they judged."""
    row = await pool.fetchrow(
        "SELECT s.*, r.requirements FROM scores s JOIN requirement_versions r"
        " ON r.posting_id = s.posting_id AND r.version = s.requirements_version"
        " WHERE s.application_id = $1 ORDER BY s.id DESC LIMIT 1",
        application_id,
    )
    if row is None:
        return None
    score = dict(row)
    score["verdicts"] = _expand_verdicts(score["verdicts"], score.pop("requirements"))
    return score


async def score_history(pool: asyncpg.Pool, application_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every score an application got, oldest first."""
    rows = await pool.fetch(
        "SELECT id, application_id, posting_id, score, tier, matched, missing, hint,"
        " requirements_version, rubric_version, parser_version, trigger, scored_at"
        " FROM scores WHERE application_id = $1 ORDER BY id",
        application_id,
    )
    return [dict(r) for r in rows]


async def requirement_versions(pool: asyncpg.Pool, posting_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT version, source, model_version, requirements, created_at"
        " FROM requirement_versions WHERE posting_id = $1 ORDER BY version",
        posting_id,
    )
    return [dict(r) for r in rows]


def _expand_verdicts(
    verdicts: list[dict[str, Any]], requirements: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Stored verdicts with their requirement written out (older rows already carry it)."""
    return [
        v | {"requirement": requirements[v["requirement"]]}
        if isinstance(v.get("requirement"), int)
        else v
        for v in verdicts
    ]
