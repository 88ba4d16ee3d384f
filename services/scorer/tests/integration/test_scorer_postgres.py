"""The scorer's store, rescoring and HTTP API against a real PostgreSQL (no broker needed: events
go to the outbox table, which is what the relay publishes; rescored applications get there
through the announcer, run here by hand)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
import httpx
import pytest

from hirestream.contracts import LanguageLevel, ParseStatus, ProfileParsedV1, SkillLocation
from hirestream.kit.db import connect, create_pool
from hirestream.kit.migrations import apply_migrations, kit_migrations, load_migrations
from hirestream.kit.testing import migrated_pool
from hirestream.scorer.adapters.announcer import announce_all, announce_next_chunk, run_announcer
from hirestream.scorer.adapters.postgres import (
    PostgresScorerStore,
    RequirementsCache,
    current_score,
    score_history,
    unit_of_work,
)
from hirestream.scorer.config import ScorerSettings
from hirestream.scorer.domain.compiled import ALL_FIELDS, OTHER_SKILLS
from hirestream.scorer.domain.scoring import RUBRIC_VERSION
from hirestream.scorer.entrypoints.http import create_app
from hirestream.scorer.handlers import (
    facts_of,
    profile_from_event,
    reprocess,
    score_profile,
    score_with,
)
from hirestream.skills import Taxonomy, load_taxonomy

pytestmark = pytest.mark.integration

KEY = {"X-API-Key": "k"}
POSTING = """---
slug: data-engineer
title: Data Engineer
notify_email: team@example.com
---
# Data Engineer

## Requirements
- 3+ years of experience as a data engineer
- Python and PostgreSQL
- Fluent English

## Nice to have
- Experience with Kafka is a plus
"""


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    async with migrated_pool(database_url, "scorer", "hirestream.scorer") as pool:
        yield pool


@pytest.fixture
async def api(pool: asyncpg.Pool, taxonomy: Taxonomy) -> AsyncIterator[httpx.AsyncClient]:
    settings = ScorerSettings(api_key="k", topic_prefix="t.")
    app = create_app(pool, settings, taxonomy)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://scorer") as client:
        yield client


def parsed(posting_id: uuid.UUID, skills: list[str], months: int | None, **extra: Any) -> Any:
    return ProfileParsedV1(
        application_id=uuid.uuid4(),
        posting_id=posting_id,
        profile_id=uuid.uuid4(),
        parser_version="p1",
        status=ParseStatus.PARSED,
        skills=skills,
        total_experience_months=months,
        **extra,
    )


async def scored_events(pool: asyncpg.Pool) -> list[dict[str, Any]]:
    rows = await pool.fetch(
        "SELECT payload FROM outbox WHERE topic = 't.application.scored.v1' ORDER BY id"
    )
    return [r["payload"] for r in rows]


async def publish_with_candidates(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    response = await api.put("/v1/postings/data-engineer", json={"text": POSTING}, headers=KEY)
    assert response.status_code == 200, response.text
    posting_id = uuid.UUID(response.json()["posting_id"])
    english = [LanguageLevel(language="en", level="fluent")]
    events = [
        parsed(
            posting_id, ["Python", "PostgreSQL", "Kafka", "Data Engineering"], 60, languages=english
        ),
        parsed(posting_id, ["Python", "MySQL"], 48, languages=english),
        parsed(posting_id, ["Excel"], 12, languages=[LanguageLevel(language="fr", level="C2")]),
    ]
    for event in events:
        async with unit_of_work(pool, "t.") as store:
            await score_profile(store, event, taxonomy)
    return posting_id, [e.application_id for e in events]


async def test_ranking_is_ordered_paginated_and_filterable_by_tier(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    _, (best, middle, worst) = await publish_with_candidates(pool, api, taxonomy)

    everyone = (await api.get("/v1/postings/data-engineer/ranking")).json()["items"]
    assert [i["application_id"] for i in everyone] == [str(best), str(middle), str(worst)]
    scores = [i["score"] for i in everyone]
    assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]
    assert everyone[0]["tier"] == "strong" and everyone[-1]["tier"] == "weak"

    page = (await api.get("/v1/postings/data-engineer/ranking?limit=1&offset=1")).json()
    assert [i["application_id"] for i in page["items"]] == [str(middle)]
    weak = (await api.get("/v1/postings/data-engineer/ranking?tier=weak")).json()["items"]
    assert [i["application_id"] for i in weak] == [str(worst)]
    assert (await api.get("/v1/postings/data-engineer/ranking?tier=bogus")).status_code == 422
    assert (await api.get("/v1/postings/nope/ranking")).status_code == 404


async def test_verdicts_use_languages_and_carry_evidence_and_reasons(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    _, (best, _, worst) = await publish_with_candidates(pool, api, taxonomy)
    score = (await api.get(f"/v1/applications/{best}/score")).json()
    by_label = {
        v["requirement"]["language"] or v["requirement"]["skill"] or v["requirement"]["kind"]: v
        for v in score["verdicts"]
    }
    assert by_label["English"]["status"] == "met"
    assert by_label["PostgreSQL"]["evidence"] == "PostgreSQL"
    assert all(v["reason"] for v in score["verdicts"])
    assert all(v["requirement"]["evidence"] for v in score["verdicts"])
    french_only = (await api.get(f"/v1/applications/{worst}/score")).json()
    english = next(v for v in french_only["verdicts"] if v["requirement"]["language"] == "English")
    assert english["status"] == "not_met"


async def test_team_edit_makes_a_version_and_rescores_keeping_history(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    _, (_, middle, _) = await publish_with_candidates(pool, api, taxonomy)
    assert len(await scored_events(pool)) == 3
    v1 = (await api.get("/v1/postings/data-engineer")).json()
    assert v1["requirements_version"] == 1

    # The team drops PostgreSQL to nice-to-have with a low weight and makes MySQL a must.
    edited = [r for r in v1["requirements"] if r["skill"] != "PostgreSQL"]
    edited.append({"kind": "skill", "importance": "must", "skill": "MySQL", "weight": 5})
    response = await api.put(
        "/v1/postings/data-engineer/requirements", json={"requirements": edited}, headers=KEY
    )
    assert response.status_code == 200, response.text
    assert response.json()["requirements_version"] == 2

    versions = (await api.get("/v1/postings/data-engineer/requirements/versions")).json()
    assert [(v["version"], v["source"]) for v in versions] == [(1, "extracted"), (2, "team")]
    history = (await api.get(f"/v1/applications/{middle}/scores")).json()
    assert [(h["requirements_version"], h["trigger"]) for h in history] == [
        (1, "profile"),
        (2, "requirements"),
    ]
    assert history[1]["score"] > history[0]["score"]  # MySQL now counts, with weight 5
    assert len(await scored_events(pool)) == 3  # announced after the commit, not in it
    assert await announce_all(pool, "t.") == 3
    events = await scored_events(pool)
    assert len(events) == 6 and {e["requirements_version"] for e in events[3:]} == {2}
    ranking = (await api.get("/v1/postings/data-engineer/ranking")).json()["items"]
    assert {i["requirements_version"] for i in ranking} == {2}

    # Same list again: no new version, nothing rescored.
    again = await api.put(
        "/v1/postings/data-engineer/requirements",
        json={"requirements": response.json()["requirements"]},
        headers=KEY,
    )
    assert await announce_all(pool, "t.") == 0
    assert again.json()["requirements_version"] == 2 and len(await scored_events(pool)) == 6


async def test_edits_are_validated_and_need_the_api_key(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    await publish_with_candidates(pool, api, taxonomy)
    url = "/v1/postings/data-engineer/requirements"
    good = {"requirements": [{"kind": "skill", "importance": "must", "skill": "Go"}]}
    assert (await api.put(url, json=good)).status_code == 401
    bad_kind = {"requirements": [{"kind": "astrology", "importance": "must"}]}
    assert (await api.put(url, json=bad_kind, headers=KEY)).status_code == 422
    bad_weight = {"requirements": [{"kind": "skill", "importance": "must", "skill": "Go",
                                    "weight": 99}]}  # fmt: skip
    assert (await api.put(url, json=bad_weight, headers=KEY)).status_code == 422
    assert (
        await api.put("/v1/postings/nope/requirements", json=good, headers=KEY)
    ).status_code == 404


async def test_new_ad_text_rescores_and_reprocess_replays_only_stale_scores(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    _, apps = await publish_with_candidates(pool, api, taxonomy)
    changed = POSTING.replace("- Python and PostgreSQL", "- Python, PostgreSQL and Terraform")
    response = await api.put("/v1/postings/data-engineer", json={"text": changed}, headers=KEY)
    assert response.json()["requirements_version"] == 2
    await announce_all(pool, "t.")
    assert len(await scored_events(pool)) == 6
    current = (await api.get(f"/v1/applications/{apps[0]}/score")).json()
    assert current["requirements_version"] == 2 and "Terraform" in current["missing"]

    nothing_stale = await api.post("/v1/rescore", headers=KEY)
    assert nothing_stale.json() == {"rescored": {"data-engineer": 0}, "total": 0}
    # A rubric change leaves stored scores stale: simulate an older rubric on one of them.
    await pool.execute(
        "UPDATE scores SET rubric_version = '0.0.1' WHERE id = (SELECT max(id) FROM scores"
        " WHERE application_id = $1)",
        apps[1],
    )
    stale = await api.post("/v1/rescore?posting=data-engineer", headers=KEY)
    assert stale.json()["total"] == 1
    forced = await api.post("/v1/rescore?all=true", headers=KEY)
    assert forced.json()["total"] == 3
    history = (await api.get(f"/v1/applications/{apps[1]}/scores")).json()
    assert [h["trigger"] for h in history] == ["profile", "requirements", "reprocess", "reprocess"]
    assert (await api.post("/v1/rescore")).status_code == 401


async def test_bulk_rescoring_writes_every_score_and_event_once(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    """A batch is announced chunk by chunk, each application once, then closed."""
    posting_id, _ = await publish_with_candidates(pool, api, taxonomy)
    async with unit_of_work(pool, "t.") as store:
        for months in range(60):
            await score_profile(store, parsed(posting_id, ["Python", "Go"], months), taxonomy)
    forced = await api.post("/v1/rescore?all=true", headers=KEY)
    assert forced.json()["total"] == 63
    assert await pool.fetchval("SELECT count(*) FROM scores WHERE trigger = 'reprocess'") == 63
    # Far fewer verdict sets than scores: profiles differing only in months share most.
    sets = await pool.fetchval("SELECT count(*) FROM verdict_sets")
    assert 3 <= sets < 126
    assert await announce_next_chunk(pool, "t.", chunk=25) == 25
    assert len(await scored_events(pool)) == 63 + 25
    assert await announce_all(pool, "t.", chunk=25) == 38
    assert await pool.fetchval("SELECT count(*) FROM score_batches WHERE announced_at IS NULL") == 0
    events = await scored_events(pool)
    assert len(events) == 126 and len({e["event_id"] for e in events}) == 126
    rescored = events[63:]
    assert len({e["application_id"] for e in rescored}) == 63
    newest = {
        str(r["application_id"]): r
        for r in await pool.fetch(
            "SELECT DISTINCT ON (application_id) application_id, score, tier, parser_version"
            " FROM scores ORDER BY application_id, id DESC"
        )
    }
    for event in rescored:
        row = newest[event["application_id"]]
        assert (event["score"], event["tier"], event["parser_version"]) == (
            row["score"], row["tier"], row["parser_version"]
        )  # fmt: skip
    newest = await pool.fetchval("SELECT application_id FROM scores ORDER BY id DESC LIMIT 1")
    score = (await api.get(f"/v1/applications/{newest}/score")).json()
    assert score["trigger"] == "reprocess"
    assert {v["requirement"]["kind"] for v in score["verdicts"]} >= {"skill", "language"}


async def test_a_score_replaced_before_its_announcement_is_not_announced(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    posting_id, apps = await publish_with_candidates(pool, api, taxonomy)
    forced = await api.post("/v1/rescore?all=true", headers=KEY)
    assert forced.json()["total"] == 3
    # The parser sends a new profile for one application before the announcer runs.
    again = parsed(posting_id, ["Python"], 1)
    again = again.model_copy(update={"application_id": apps[0]})
    async with unit_of_work(pool, "t.") as store:
        await score_profile(store, again, taxonomy)
    assert await announce_all(pool, "t.") == 3
    events = await scored_events(pool)
    assert len(events) == 3 + 1 + 2  # the newer score was announced by its own writer
    assert [e["application_id"] for e in events[4:]] == sorted(str(a) for a in apps[1:])


async def test_a_rescore_rolled_back_leaves_no_score_and_no_announcement(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    await publish_with_candidates(pool, api, taxonomy)
    with pytest.raises(RuntimeError):
        async with unit_of_work(pool, "t.") as store:
            assert await reprocess(store, taxonomy, everything=True) == {"data-engineer": 3}
            raise RuntimeError("the publishing call failed after rescoring")
    assert await pool.fetchval("SELECT count(*) FROM scores") == 3
    assert await pool.fetchval("SELECT count(*) FROM score_batches") == 0
    assert await announce_all(pool, "t.") == 0 and len(await scored_events(pool)) == 3


async def test_rescoring_groups_profiles_by_the_facts_scoring_reads(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    posting_id, _ = await publish_with_candidates(pool, api, taxonomy)
    english = [LanguageLevel(language="en", level="fluent")]
    odd = parsed(
        posting_id,
        ["Go", "go", " Rust "],
        None,
        languages=[LanguageLevel(language="en", level=None), LanguageLevel(language="de")],
        leadership_months=7,
        degrees=["MSc Physics", "BSc Maths"],
    )
    twin = parsed(posting_id, ["Kafka", "Python", "Data Engineering", "PostgreSQL"], 60,
                  languages=english)  # fmt: skip
    async with unit_of_work(pool, "t.") as store:
        for event in (odd, twin):
            await score_profile(store, event, taxonomy)
    async with unit_of_work(pool, "t.") as store:
        stored = [facts_of(p) for p in await store.profiles_of(posting_id)]
        groups = await store.group_profiles(posting_id, folded=frozenset(), reads=ALL_FIELDS)
    assert len(stored) == 5 and sorted(g.applications for g in groups) == [1, 1, 1, 2]
    assert all(g.facts in stored for g in groups) and all(
        f in [g.facts for g in groups] for f in stored
    )
    assert facts_of(profile_from_event(odd)).languages == {"en": "", "de": ""}

    async with unit_of_work(pool, "t.") as store:
        vocabulary = await store.skill_vocabulary(posting_id)
        folded = await store.group_profiles(
            posting_id, folded=frozenset({"go", "Excel"}), reads=frozenset({"skills"})
        )
        stale = await store.group_profiles(
            posting_id, folded=frozenset(), reads=ALL_FIELDS, unless_scored_with=(1, RUBRIC_VERSION)
        )
    assert {"Go", "go", " Rust ", "Excel", "Python", "Kafka"} <= vocabulary
    # A new profile for an application (the parser ran again) adds its skills too.
    async with unit_of_work(pool, "t.") as store:
        await score_profile(store, odd.model_copy(update={"skills": ["Zig"]}), taxonomy)
        assert "Zig" in await store.skill_vocabulary(posting_id)
    assert {g.facts.skills for g in folded} == {
        frozenset({"Go", " Rust ", OTHER_SKILLS}),
        frozenset({OTHER_SKILLS}),  # Excel only
        frozenset({"Python", "PostgreSQL", "Kafka", "Data Engineering"}),
        frozenset({"Python", "MySQL"}),
    }
    assert all(
        (g.facts.total_experience_months, g.facts.languages, g.facts.degrees) == (None, {}, ())
        for g in folded
    )
    assert stale == []  # every newest score already used version 1 and this rubric


async def test_the_running_announcer_wakes_on_a_committed_batch(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    await publish_with_candidates(pool, api, taxonomy)
    stop = asyncio.Event()
    task = asyncio.create_task(run_announcer(pool, "t.", stop, poll_seconds=60))
    try:
        await asyncio.sleep(0.2)  # listening
        assert (await api.post("/v1/rescore?all=true", headers=KEY)).json()["total"] == 3
        for _ in range(100):
            if len(await scored_events(pool)) == 6:
                break
            await asyncio.sleep(0.05)
        assert len(await scored_events(pool)) == 6
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=5)


async def test_migration_moves_stored_verdicts_and_profiles_into_the_bulk_shape(
    database_url: str, taxonomy: Taxonomy
) -> None:
    """Scores and profiles written before 0003 read back the same after it."""
    conn = await connect(database_url)
    try:
        older = [m for m in load_migrations("hirestream.scorer") if m.version < "0003"]
        await apply_migrations(conn, "scorer", kit_migrations() + older)
        await conn.execute("SET search_path TO scorer")
        posting, app = uuid.uuid4(), uuid.uuid4()
        requirements = [{"kind": "skill", "importance": "must", "skill": "Go"}]
        await conn.execute(
            "INSERT INTO postings (posting_id, slug, title, body, requirements_version)"
            " VALUES ($1, 'p', 'P', 'b', 1)",
            posting,
        )
        await conn.execute(
            "INSERT INTO requirement_versions (posting_id, version, model_version, requirements)"
            " VALUES ($1, 1, 'm', $2)",
            posting,
            requirements,
        )
        await conn.execute(
            "INSERT INTO profiles (application_id, posting_id, profile_id, parser_version, status,"
            " skills, total_experience_months, languages, leadership_months, degrees)"
            " VALUES ($1, $2, $3, 'p0', 'parsed', $4, 30, $5, 3, $6)",
            app,
            posting,
            uuid.uuid4(),
            ["Go", "SQL"],
            [{"language": "en", "level": "C1"}, {"language": "fr", "level": None}],
            ["MSc"],
        )
        verdicts = [{"requirement": 0, "status": "met", "evidence": "Go", "reason": "r"}]
        for score, hint in ((100, None), (40, "possible if Go is confirmed"), (100, None)):
            await conn.execute(
                "INSERT INTO scores (application_id, posting_id, score, tier, verdicts, matched,"
                " missing, hint, requirements_version, rubric_version, parser_version)"
                " VALUES ($1, $2, $3, 'strong', $4, $5, '[]', $6, 1, 'r0', 'p0')",
                app,
                posting,
                score,
                verdicts,
                ["Go"] if hint is None else [],
                hint,
            )
        await apply_migrations(
            conn, "scorer", kit_migrations() + load_migrations("hirestream.scorer")
        )
    finally:
        await conn.close()
    pool = await create_pool(database_url, "scorer")
    try:
        history = await score_history(pool, app)
        assert [(h["score"], h["matched"], h["hint"]) for h in history] == [
            (100, ["Go"], None),
            (40, [], "possible if Go is confirmed"),
            (100, ["Go"], None),
        ]
        assert await pool.fetchval("SELECT count(*) FROM verdict_sets") == 2
        skills = await pool.fetch("SELECT skill FROM posting_skills WHERE posting_id = $1", posting)
        assert {r["skill"] for r in skills} == {"Go", "SQL"}
        current = await current_score(pool, app)
        assert current is not None
        assert current["verdicts"] == [
            verdicts[0] | {"requirement": requirements[0], "location": None}
        ]
        async with unit_of_work(pool, "t.") as store:
            (profile,) = await store.profiles_of(posting)
        assert (profile.skills, profile.degrees) == (["Go", "SQL"], ["MSc"])
        assert profile.languages == [
            {"language": "en", "level": "C1"},
            {"language": "fr", "level": None},
        ]
    finally:
        await pool.close()


async def test_two_transactions_storing_the_same_verdicts_share_one_set(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    posting_id, _ = await publish_with_candidates(pool, api, taxonomy)
    first, second = (parsed(posting_id, ["Rust"], 7) for _ in range(2))
    async with unit_of_work(pool, "t.") as store:
        await score_profile(store, first, taxonomy)

        async def the_other() -> None:
            async with unit_of_work(pool, "t.") as other:
                await score_profile(other, second, taxonomy)

        waiting = asyncio.create_task(the_other())
        await asyncio.sleep(0.3)  # blocked on our uncommitted verdict set
        assert not waiting.done()
    await asyncio.wait_for(waiting, timeout=10)
    ids = await pool.fetch(
        "SELECT verdict_set_id FROM scores WHERE application_id = ANY($1::uuid[])",
        [first.application_id, second.application_id],
    )
    assert len(ids) == 2 and len({r["verdict_set_id"] for r in ids}) == 1


async def test_a_met_skill_points_to_where_the_cv_states_it(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    response = await api.put("/v1/postings/data-engineer", json={"text": POSTING}, headers=KEY)
    posting_id = uuid.UUID(response.json()["posting_id"])
    event = parsed(
        posting_id,
        ["Python", "PostgreSQL"],
        60,
        skill_locations=[
            SkillLocation(skill="Python", page=1, start=120, end=126),
            SkillLocation(skill="Python", page=2, start=900, end=906),  # a later mention
            SkillLocation(skill="PostgreSQL", page=2, start=40, end=50),
        ],
    )
    async with unit_of_work(pool, "t.") as store:
        await score_profile(store, event, taxonomy)

    body = (await api.get(f"/v1/applications/{event.application_id}/score")).json()
    by_skill = {v["requirement"].get("skill"): v for v in body["verdicts"]}
    assert by_skill["Python"]["status"] == "met"
    assert by_skill["Python"]["location"] == {"page": 1, "start": 120, "end": 126}
    assert by_skill["PostgreSQL"]["location"] == {"page": 2, "start": 40, "end": 50}
    # A requirement the profile does not meet has nothing to point at.
    unmet = [v for v in body["verdicts"] if v["status"] != "met"]
    assert unmet and all(v["location"] is None for v in unmet)


async def test_one_statement_stores_what_profile_and_score_statements_stored(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    posting_id, _ = await publish_with_candidates(pool, api, taxonomy)
    english = [LanguageLevel(language="en", level="fluent")]
    facts = [(["Python", "Zig"], 50, english), (["Python", "Zig"], 50, english), (["Zig"], 3, [])]
    rows: dict[str, list[dict[str, Any]]] = {}
    for way in ("apart", "together"):
        events = [parsed(posting_id, s, m, languages=lang) for s, m, lang in facts]
        for event in events:
            async with unit_of_work(pool, "t.") as store:
                current = await store.current_requirements(posting_id)
                assert current is not None
                profile = profile_from_event(event)
                score = score_with(posting_id, *current, profile, taxonomy, "profile")
                if way == "apart":
                    await store.save_profile(profile)
                    await store.add_score(score)
                else:
                    await store.save_scored_profile(profile, score)
        ids = [e.application_id for e in events]
        found = await pool.fetch(
            "SELECT p.skills, p.total_experience_months, p.language_names, p.language_levels,"
            " p.status, p.parser_version, p.skill_locations, s.score, s.tier, s.trigger,"
            " s.requirements_version, s.rubric_version, s.parser_version AS scored_with,"
            " v.verdicts, v.matched, v.missing, v.hint, s.verdict_set_id"
            " FROM unnest($1::uuid[]) WITH ORDINALITY AS a(id, n)"
            " JOIN profiles p ON p.application_id = a.id JOIN scores s ON s.application_id = a.id"
            " JOIN verdict_sets v ON v.id = s.verdict_set_id ORDER BY a.n",
            ids,
        )
        rows[way] = [dict(r) for r in found]
    assert len(rows["together"]) == 3
    # The same outcome shares one verdict set, in either way, and both ways share the sets.
    sets = [r.pop("verdict_set_id") for way in ("apart", "together") for r in rows[way]]
    assert sets[0] == sets[1] == sets[3] == sets[4] and sets[2] == sets[5] != sets[0]
    assert rows["together"] == rows["apart"]
    vocabulary = await pool.fetch(
        "SELECT skill FROM posting_skills WHERE posting_id = $1 AND skill = 'Zig'", posting_id
    )
    assert len(vocabulary) == 1  # the trigger keeping the posting's skill strings still runs


async def test_scoring_reads_a_requirements_version_once_and_follows_a_new_one(
    pool: asyncpg.Pool, api: httpx.AsyncClient, taxonomy: Taxonomy
) -> None:
    posting_id, _ = await publish_with_candidates(pool, api, taxonomy)
    cache = RequirementsCache()
    async with pool.acquire() as conn:
        store = PostgresScorerStore(conn, "t.", cache)
        version, first = await store.current_requirements(posting_id) or (0, [])
        assert version == 1 and first and cache.get(posting_id) == (1, first)
        again = await store.current_requirements(posting_id)
        assert again is not None and again[1] is first  # not read and rebuilt again
        assert await store.current_requirements(uuid.uuid4()) is None
    edited = [r.to_dict() for r in first[:2]]
    response = await api.put(
        "/v1/postings/data-engineer/requirements", json={"requirements": edited}, headers=KEY
    )
    assert response.status_code == 200, response.text
    async with pool.acquire() as conn:
        current = await PostgresScorerStore(conn, "t.", cache).current_requirements(posting_id)
    assert current is not None and current[0] == 2
    assert [r.to_dict() for r in current[1]] == edited
