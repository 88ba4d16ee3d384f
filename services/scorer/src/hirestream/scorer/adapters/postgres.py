"""asyncpg implementation of the scorer store and its read models."""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg

from hirestream.contracts import Event, topic_name
from hirestream.kit.db import Connection
from hirestream.kit.outbox import NOTIFY_OUTBOX, add_to_outbox
from hirestream.kit.telemetry import current_carrier
from hirestream.scorer.domain.compiled import OTHER_SKILLS
from hirestream.scorer.domain.locations import skill_location
from hirestream.scorer.domain.requirements import Requirement
from hirestream.scorer.domain.scoring import CandidateFacts
from hirestream.scorer.ports import (
    FactsGroup,
    RescoredBatch,
    StoredPosting,
    StoredProfile,
    StoredScore,
    VerdictSet,
)

_POSTING = (
    "SELECT p.posting_id, p.slug, p.title, p.body, p.notify_email, p.requirements_version,"
    " r.requirements FROM postings p JOIN requirement_versions r"
    " ON r.posting_id = p.posting_id AND r.version = p.requirements_version"
)


class RequirementsCache:
    """Each posting's newest requirements version read, as ``Requirement`` objects: a version is
    never changed once written (an edit is a new version), so scoring a profile asks PostgreSQL
    only which version is current and reads and rebuilds its requirements once per process."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        self._by_posting: dict[uuid.UUID, tuple[int, list[Requirement]]] = {}

    def get(self, posting_id: uuid.UUID) -> tuple[int, list[Requirement]] | None:
        return self._by_posting.get(posting_id)

    def put(self, posting_id: uuid.UUID, version: int, requirements: list[Requirement]) -> None:
        if len(self._by_posting) >= self._size and posting_id not in self._by_posting:
            self._by_posting.clear()  # many postings: start over rather than grow
        self._by_posting[posting_id] = (version, requirements)


class PostgresScorerStore:
    def __init__(
        self,
        conn: Connection,
        topic_prefix: str = "",
        requirements: RequirementsCache | None = None,
    ) -> None:
        self._conn = conn
        self._prefix = topic_prefix
        self._requirements = requirements if requirements is not None else RequirementsCache()

    async def posting_by_slug(self, slug: str) -> StoredPosting | None:
        row = await self._conn.fetchrow(f"{_POSTING} WHERE p.slug = $1", slug)
        return StoredPosting(**dict(row)) if row else None

    async def posting(self, posting_id: uuid.UUID) -> StoredPosting | None:
        row = await self._conn.fetchrow(f"{_POSTING} WHERE p.posting_id = $1", posting_id)
        return StoredPosting(**dict(row)) if row else None

    async def current_requirements(
        self, posting_id: uuid.UUID
    ) -> tuple[int, list[Requirement]] | None:
        cached = self._requirements.get(posting_id)
        # The requirements travel only when the current version is not the one cached.
        row = await self._conn.fetchrow(
            "SELECT p.requirements_version AS version, CASE WHEN p.requirements_version"
            " IS NOT DISTINCT FROM $2::int THEN NULL ELSE r.requirements END AS requirements"
            " FROM postings p JOIN requirement_versions r"
            " ON r.posting_id = p.posting_id AND r.version = p.requirements_version"
            " WHERE p.posting_id = $1",
            posting_id,
            cached[0] if cached else None,
        )
        if row is None:
            return None
        if cached is not None and row["requirements"] is None:
            return cached
        requirements = [Requirement.from_dict(r) for r in row["requirements"]]
        self._requirements.put(posting_id, row["version"], requirements)
        return row["version"], requirements

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
        await self._conn.execute(_SAVE_PROFILE, *_profile_row(profile), profile.skill_locations)

    async def profiles_of(self, posting_id: uuid.UUID) -> list[StoredProfile]:
        rows = await self._conn.fetch(
            f"SELECT {_PROFILE_COLUMNS} FROM profiles WHERE posting_id = $1"
            " ORDER BY application_id",
            posting_id,
        )
        return [_stored_profile(row) for row in rows]

    async def skill_vocabulary(self, posting_id: uuid.UUID) -> set[str]:
        # Kept by a trigger on profiles (migration 0003): no scan of every skill list.
        rows = await self._conn.fetch(
            "SELECT skill FROM posting_skills WHERE posting_id = $1", posting_id
        )
        return {row["skill"] for row in rows}

    async def group_profiles(
        self,
        posting_id: uuid.UUID,
        *,
        folded: frozenset[str],
        reads: frozenset[str],
        unless_scored_with: tuple[int, str] | None = None,
    ) -> list[FactsGroup]:
        """Everything per application stays in PostgreSQL: a temporary table maps each
        application to its group (the md5 of its projected facts); only the groups reach
        Python, and ``add_rescored`` writes the scores with one INSERT ... SELECT."""
        kept = {name: name in reads for name in _READ_FLAGS}
        stale = "" if unless_scored_with is None else _STALE_ONLY
        await self._conn.execute("DROP TABLE IF EXISTS rescore_in")
        await self._conn.execute(
            "CREATE TEMP TABLE rescore_in (application_id uuid, parser_version text,"
            " skills text[], months int, language_names text[], language_levels text[],"
            " leadership_months int, degrees text[], facts_key text) ON COMMIT DROP"
        )
        await self._conn.execute(
            "INSERT INTO rescore_in SELECT *, md5(ROW(skills, months,"
            " language_names, language_levels, leadership_months, degrees)::text) AS facts_key"
            " FROM (SELECT p.application_id, p.parser_version,"
            " f.kept || CASE WHEN f.some_folded THEN ARRAY[$3] ELSE '{}'::text[] END AS skills,"
            " CASE WHEN $4 THEN p.total_experience_months END AS months,"
            " CASE WHEN $5 THEN p.language_names ELSE '{}' END AS language_names,"
            " CASE WHEN $5 THEN p.language_levels ELSE '{}' END AS language_levels,"
            " CASE WHEN $6 THEN p.leadership_months END AS leadership_months,"
            " CASE WHEN $7 THEN p.degrees ELSE '{}' END AS degrees"
            # LATERAL keeps the folded list one hashed subplan for the whole scan.
            " FROM profiles p, LATERAL (SELECT"
            " coalesce(array_agg(e.skill ORDER BY e.skill) FILTER (WHERE NOT e.folded), '{}')"
            " AS kept, coalesce(bool_or(e.folded), false) AS some_folded FROM (SELECT skill,"
            " skill IN (SELECT unnest($2::text[])) AS folded FROM unnest(p.skills) AS skill)"
            f" AS e) AS f WHERE p.posting_id = $1{stale}) AS projected",
            posting_id,
            list(folded),
            OTHER_SKILLS,
            kept["total_experience_months"],
            kept["languages"],
            kept["leadership_months"],
            kept["degrees"],
            *(unless_scored_with or ()),
        )
        rows = await self._conn.fetch(
            "SELECT facts_key, min(skills) AS skills, min(months) AS months,"
            " min(language_names) AS names, min(language_levels) AS levels,"
            " min(leadership_months) AS leadership_months, min(degrees) AS degrees,"
            " count(*) AS applications FROM rescore_in GROUP BY facts_key"
        )
        return [
            FactsGroup(
                key=row["facts_key"],
                facts=CandidateFacts(
                    skills=frozenset(row["skills"]),
                    total_experience_months=row["months"],
                    languages=_languages(row["names"], row["levels"]),
                    leadership_months=row["leadership_months"],
                    degrees=tuple(row["degrees"]),
                ),
                applications=row["applications"],
            )
            for row in rows
        ]

    async def save_scored_profile(self, profile: StoredProfile, score: StoredScore) -> None:
        """``save_profile`` and ``add_score`` in one statement (one round trip instead of three
        or four): the verdict set is found or added in the same statement. When another
        transaction adds the same set at the same moment, this statement cannot see it: the
        score is then added by ``add_score``, whose next statement does."""
        body, digest = _verdict_set_json(_verdict_set_of(score))
        row = await self._conn.fetchrow(
            f"WITH profile AS ({_SAVE_PROFILE}),"
            " found AS (SELECT id FROM verdict_sets WHERE posting_id = $13"
            " AND requirements_version = $14 AND digest = $15),"
            " made AS (INSERT INTO verdict_sets (posting_id, requirements_version, digest,"
            " verdicts, matched, missing, hint) SELECT $13, $14, $15, b->0, b->1, b->2, b->>3"
            " FROM (SELECT $16::text::jsonb AS b) AS given WHERE NOT EXISTS (SELECT FROM found)"
            " ON CONFLICT (posting_id, requirements_version, digest) DO NOTHING RETURNING id),"
            " chosen AS (SELECT id FROM found UNION ALL SELECT id FROM made LIMIT 1)"
            f" INSERT INTO scores ({', '.join(_SCORE_COLUMNS[:-1])})"
            " SELECT $17, $13, $18, $19, chosen.id, $14, $20, $21, $22 FROM chosen"
            " RETURNING verdict_set_id",
            *_profile_row(profile),
            profile.skill_locations,
            score.posting_id,
            score.requirements_version,
            digest,
            body,
            score.application_id,
            score.score,
            score.tier,
            score.rubric_version,
            score.parser_version,
            score.trigger,
        )
        if row is None:
            await self.add_score(score)

    async def add_score(self, score: StoredScore) -> None:
        body, digest = _verdict_set_json(_verdict_set_of(score))
        key = (score.posting_id, score.requirements_version)
        set_id = await self._conn.fetchval(_FIND_VERDICT_SET, *key, [digest])
        if set_id is None:
            set_id = await self._conn.fetchval(
                "INSERT INTO verdict_sets (posting_id, requirements_version, digest, verdicts,"
                " matched, missing, hint) SELECT $1, $2, $3, b->0, b->1, b->2, b->>3"
                " FROM (SELECT $4::text::jsonb AS b) AS given"
                " ON CONFLICT (posting_id, requirements_version, digest) DO NOTHING RETURNING id",
                *key,
                digest,
                body,
            )
        if set_id is None:  # another transaction stored the same set meanwhile: it committed
            set_id = await self._conn.fetchval(_FIND_VERDICT_SET, *key, [digest])
        await self._conn.execute(
            f"INSERT INTO scores ({', '.join(_SCORE_COLUMNS[:-1])})"
            " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
            score.application_id,
            score.posting_id,
            score.score,
            score.tier,
            set_id,
            score.requirements_version,
            score.rubric_version,
            score.parser_version,
            score.trigger,
        )

    async def add_rescored(self, batch: RescoredBatch) -> int:
        """Verdict sets first (new ones COPYed, existing ones reused), then one batch row for
        the announcer, then every score with one INSERT ... SELECT from the groups staged by
        ``group_profiles``: no score or outbox row travels from Python."""
        if not batch.group_keys:
            return 0
        texts = [_verdict_set_json(v) for v in batch.verdict_sets]
        await self._conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS verdict_sets_in (digest text, body text)"
            " ON COMMIT DELETE ROWS"
        )
        await self._conn.copy_records_to_table(
            "verdict_sets_in",
            records=list({digest: (digest, body) for body, digest in texts}.values()),
        )
        await self._conn.execute(
            "INSERT INTO verdict_sets (posting_id, requirements_version, digest, verdicts,"
            " matched, missing, hint) SELECT $1, $2, digest, b->0, b->1, b->2, b->>3"
            " FROM (SELECT digest, body::jsonb AS b FROM verdict_sets_in) AS given"
            " ON CONFLICT (posting_id, requirements_version, digest) DO NOTHING",
            batch.posting_id,
            batch.requirements_version,
        )
        await self._conn.execute("DELETE FROM verdict_sets_in")
        # A new statement: sees our sets and those other transactions committed meanwhile
        # (existing rows are only read, never locked).
        stored = await self._conn.fetch(
            "SELECT id, digest FROM verdict_sets WHERE posting_id = $1"
            " AND requirements_version = $2 AND digest = ANY($3::text[])",
            batch.posting_id,
            batch.requirements_version,
            [digest for _, digest in texts],
        )
        id_of = {row["digest"]: row["id"] for row in stored}
        await self._conn.execute("DROP TABLE IF EXISTS rescore_out")
        await self._conn.execute(
            "CREATE TEMP TABLE rescore_out (facts_key text PRIMARY KEY, score int, tier text,"
            " verdict_set_id bigint) ON COMMIT DROP"
        )
        sets = batch.verdict_sets
        await self._conn.copy_records_to_table(
            "rescore_out",
            records=[
                (key, sets[pick].score, sets[pick].tier, id_of[texts[pick][1]])
                for key, pick in zip(batch.group_keys, batch.picks, strict=True)
            ],
        )
        batch_id = await self._conn.fetchval(
            "INSERT INTO score_batches (posting_id, trigger, scores, headers)"
            " SELECT $1, $2, count(*), $3 FROM rescore_in RETURNING id",
            batch.posting_id,
            batch.trigger,
            current_carrier(),
        )
        status = await self._conn.execute(
            f"INSERT INTO scores ({', '.join(_SCORE_COLUMNS)}) SELECT i.application_id, $1,"
            " o.score, o.tier, o.verdict_set_id, $2, $3, i.parser_version, $4, $5"
            " FROM rescore_in i JOIN rescore_out o USING (facts_key)",
            batch.posting_id,
            batch.requirements_version,
            batch.rubric_version,
            batch.trigger,
            batch_id,
        )
        # Wakes the announcer at once; delivered only if this transaction commits.
        await self._conn.execute("SELECT pg_notify($1, '')", BATCHES_CHANNEL)
        return int(status.split()[-1])

    async def emit(self, event: Event) -> None:
        await add_to_outbox(self._conn, event, topic_prefix=self._prefix)


async def queue_events(
    conn: Connection, events: list[Event], *, topic_prefix: str, headers: dict[str, str]
) -> None:
    """``add_to_outbox`` for many events: one COPY and one relay wake-up (the same row shape;
    kit has no batch form yet)."""
    if not events:
        return
    carried = json.dumps(headers)
    await conn.execute(
        "CREATE TEMP TABLE IF NOT EXISTS outbox_in (event_id text, topic text, key text,"
        " payload text, headers text) ON COMMIT DELETE ROWS"
    )
    await conn.copy_records_to_table(
        "outbox_in",
        records=[
            (str(e.event_id), topic_name(e.topic, topic_prefix), e.key(), e.model_dump_json(),
             carried)
            for e in events
        ],
    )  # fmt: skip
    await conn.execute(
        "INSERT INTO outbox (event_id, topic, key, payload, headers) SELECT event_id::uuid,"
        " topic, key, payload::jsonb, headers::jsonb FROM outbox_in ORDER BY ctid"
        " ON CONFLICT (event_id) DO NOTHING"
    )
    await conn.execute("DELETE FROM outbox_in")
    await conn.execute(f"SELECT {NOTIFY_OUTBOX}")


# Rescore batches wait here for the announcer (adapters/announcer.py).
BATCHES_CHANNEL = "hirestream_scorer_batches"

_PROFILE_COLUMNS = (
    "application_id, posting_id, profile_id, parser_version, status, skills,"
    " total_experience_months, language_names, language_levels, leadership_months, degrees"
)
_SAVE_PROFILE = (
    f"INSERT INTO profiles ({_PROFILE_COLUMNS}, skill_locations)"
    " VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)"
    " ON CONFLICT (application_id) DO UPDATE SET profile_id = EXCLUDED.profile_id,"
    " parser_version = EXCLUDED.parser_version, status = EXCLUDED.status,"
    " skills = EXCLUDED.skills, total_experience_months = EXCLUDED.total_experience_months,"
    " language_names = EXCLUDED.language_names,"
    " language_levels = EXCLUDED.language_levels,"
    " leadership_months = EXCLUDED.leadership_months,"
    " degrees = EXCLUDED.degrees, skill_locations = EXCLUDED.skill_locations,"
    " received_at = now()"
)
_SCORE_COLUMNS = [
    "application_id", "posting_id", "score", "tier", "verdict_set_id", "requirements_version",
    "rubric_version", "parser_version", "trigger", "batch_id",
]  # fmt: skip
_FIND_VERDICT_SET = (
    "SELECT id FROM verdict_sets WHERE posting_id = $1 AND requirements_version = $2"
    " AND digest = ANY($3::text[])"
)


def _profile_row(p: StoredProfile) -> tuple[Any, ...]:
    return (
        p.application_id, p.posting_id, p.profile_id, p.parser_version, p.status, p.skills,
        p.total_experience_months, [x.get("language") for x in p.languages],
        [x.get("level") for x in p.languages], p.leadership_months, p.degrees,
    )  # fmt: skip


def _stored_profile(row: asyncpg.Record) -> StoredProfile:
    languages: list[dict[str, str | None]] = [
        {"language": name, "level": level}
        for name, level in zip(row["language_names"], row["language_levels"], strict=True)
    ]
    return StoredProfile(
        application_id=row["application_id"],
        posting_id=row["posting_id"],
        profile_id=row["profile_id"],
        parser_version=row["parser_version"],
        status=row["status"],
        skills=list(row["skills"]),
        total_experience_months=row["total_experience_months"],
        languages=languages,
        leadership_months=row["leadership_months"],
        degrees=list(row["degrees"]),
    )


# Which optional facts group_profiles keeps ("skills" always: folding handles them).
_READ_FLAGS = ("total_experience_months", "languages", "leadership_months", "degrees")
# Reprocess: leave out applications whose newest score used this requirements version+rubric.
_STALE_ONLY = (
    " AND NOT EXISTS (SELECT 1 FROM (SELECT s.requirements_version, s.rubric_version"
    " FROM scores s WHERE s.posting_id = p.posting_id AND s.application_id = p.application_id"
    " ORDER BY s.id DESC LIMIT 1) AS newest"
    " WHERE newest.requirements_version = $8 AND newest.rubric_version = $9)"
)


def _languages(names: list[str | None], levels: list[str | None]) -> dict[str, str]:
    """As ``handlers.facts_of``: entries without a language are skipped, a missing level is
    "", a later entry of the same language wins."""
    return {name: level or "" for name, level in zip(names, levels, strict=True) if name}


def _verdict_set_of(score: StoredScore) -> VerdictSet:
    return VerdictSet(
        score.score, score.tier, score.verdicts, score.matched, score.missing, score.hint
    )


def _verdict_set_json(v: VerdictSet) -> tuple[str, str]:
    """The set as stored (JSON of [verdicts, matched, missing, hint]) and its digest."""
    body = json.dumps(
        [v.verdicts, v.matched, v.missing, v.hint], sort_keys=True, separators=(",", ":")
    )
    return body, hashlib.md5(body.encode(), usedforsecurity=False).hexdigest()


@contextlib.asynccontextmanager
async def unit_of_work(pool: asyncpg.Pool, topic_prefix: str) -> AsyncIterator[PostgresScorerStore]:
    async with pool.acquire() as conn, conn.transaction():
        yield PostgresScorerStore(conn, topic_prefix)


async def ranking(
    pool: asyncpg.Pool, posting_id: uuid.UUID, *, tier: str | None, limit: int, offset: int
) -> list[dict[str, Any]]:
    """The current (newest) score of each application of a posting, best first."""
    rows = await pool.fetch(
        "SELECT page.application_id, page.score, page.tier, v.matched, v.missing, v.hint,"
        " page.requirements_version, page.rubric_version, page.parser_version, page.scored_at,"
        " page.trigger FROM (SELECT * FROM (SELECT DISTINCT ON (application_id) application_id,"
        " score, tier, verdict_set_id, requirements_version, rubric_version, parser_version,"
        " scored_at, trigger FROM scores WHERE posting_id = $1 ORDER BY application_id, id DESC)"
        " AS current WHERE ($2::text IS NULL OR tier = $2)"
        " ORDER BY score DESC, scored_at, application_id LIMIT $3 OFFSET $4) AS page"
        " JOIN verdict_sets v ON v.id = page.verdict_set_id"
        " ORDER BY page.score DESC, page.scored_at, page.application_id",
        posting_id,
        tier,
        limit,
        offset,
    )
    return [dict(r) for r in rows]


# Scores are indexed by (posting, application): an application's posting comes from profiles.
_OF_APPLICATION = (
    "s.posting_id = (SELECT posting_id FROM profiles WHERE application_id = $1)"
    " AND s.application_id = $1"
)


async def current_score(pool: asyncpg.Pool, application_id: uuid.UUID) -> dict[str, Any] | None:
    """The newest score, its verdicts carrying the requirement they judged."""
    row = await pool.fetchrow(
        "SELECT s.id, s.application_id, s.posting_id, s.score, s.tier, v.verdicts, v.matched,"
        " v.missing, v.hint, s.requirements_version, s.rubric_version, s.parser_version,"
        " s.scored_at, s.trigger, r.requirements,"
        " (SELECT p.skill_locations FROM profiles p WHERE p.application_id = s.application_id)"
        " AS skill_locations"
        " FROM scores s JOIN verdict_sets v ON v.id = s.verdict_set_id"
        " JOIN requirement_versions r"
        " ON r.posting_id = s.posting_id AND r.version = s.requirements_version"
        f" WHERE {_OF_APPLICATION} ORDER BY s.id DESC LIMIT 1",
        application_id,
    )
    if row is None:
        return None
    score = dict(row)
    locations = score.pop("skill_locations") or {}
    score["verdicts"] = [
        v | {"location": skill_location(v, locations)}
        for v in _expand_verdicts(score["verdicts"], score.pop("requirements"))
    ]
    return score


async def score_history(pool: asyncpg.Pool, application_id: uuid.UUID) -> list[dict[str, Any]]:
    """Every score an application got, oldest first."""
    rows = await pool.fetch(
        "SELECT s.id, s.application_id, s.posting_id, s.score, s.tier, v.matched, v.missing,"
        " v.hint, s.requirements_version, s.rubric_version, s.parser_version, s.trigger,"
        " s.scored_at FROM scores s JOIN verdict_sets v ON v.id = s.verdict_set_id"
        f" WHERE {_OF_APPLICATION} ORDER BY s.id",
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
