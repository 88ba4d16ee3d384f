"""Use cases with an in-memory store: versions, rescoring, and fairness at the handler level."""

from __future__ import annotations

import random
import uuid
from dataclasses import fields, replace
from typing import Any

import pytest

from hirestream.contracts import (
    ApplicationScoredV1,
    Event,
    LanguageLevel,
    ParseStatus,
    PostingPublishedV1,
    ProfileParsedV1,
)
from hirestream.scorer.domain.compiled import OTHER_SKILLS
from hirestream.scorer.domain.posting import read_posting
from hirestream.scorer.domain.requirements import Requirement
from hirestream.scorer.domain.scoring import RUBRIC_VERSION, CandidateFacts
from hirestream.scorer.domain.taxonomy import SkillTaxonomy
from hirestream.scorer.handlers import (
    UnknownPosting,
    edit_requirements,
    facts_of,
    publish_posting,
    reprocess,
    score_profile,
    score_stored_profile,
    scored_event,
)
from hirestream.scorer.ports import (
    FactsGroup,
    RescoredBatch,
    StoredPosting,
    StoredProfile,
    StoredScore,
)

UNSET: dict[str, Any] = {
    "total_experience_months": None,
    "languages": {},
    "leadership": None,
    "leadership_months": None,
    "degrees": (),
}

AD = """---
slug: backend
---
# Backend developer

## Requirements
- 5+ years working as a back-end developer
- Python and PostgreSQL
- Fluency in English and Spanish, both written and spoken
- Experience managing small to medium sized dev teams

## Nice to have
- Knowledge of Django is a plus
"""


class FakeStore:
    def __init__(self) -> None:
        self.postings_: dict[uuid.UUID, StoredPosting] = {}
        self.versions: list[tuple[uuid.UUID, int, str, list[dict[str, Any]]]] = []
        self.profiles: dict[uuid.UUID, StoredProfile] = {}
        self.scores: list[StoredScore] = []
        self.events: list[Event] = []

    async def posting_by_slug(self, slug: str) -> StoredPosting | None:
        return next((p for p in self.postings_.values() if p.slug == slug), None)

    async def posting(self, posting_id: uuid.UUID) -> StoredPosting | None:
        return self.postings_.get(posting_id)

    async def postings(self) -> list[StoredPosting]:
        return sorted(self.postings_.values(), key=lambda p: p.slug)

    async def save_posting(
        self, posting: StoredPosting, metadata: dict[str, Any], model_version: str
    ) -> None:
        await self.save_requirements(posting, "extracted")

    async def save_requirements(self, posting: StoredPosting, source: str) -> None:
        self.postings_[posting.posting_id] = posting
        self.versions.append(
            (posting.posting_id, posting.requirements_version, source, posting.requirements)
        )

    async def current_requirements(
        self, posting_id: uuid.UUID
    ) -> tuple[int, list[Requirement]] | None:
        posting = self.postings_.get(posting_id)
        if posting is None:
            return None
        return posting.requirements_version, [
            Requirement.from_dict(r) for r in posting.requirements
        ]

    async def save_profile(self, profile: StoredProfile) -> None:
        self.profiles[profile.application_id] = profile

    async def save_scored_profile(self, profile: StoredProfile, score: StoredScore) -> None:
        await self.save_profile(profile)
        await self.add_score(score)

    async def profiles_of(self, posting_id: uuid.UUID) -> list[StoredProfile]:
        return [p for p in self.profiles.values() if p.posting_id == posting_id]

    async def add_score(self, score: StoredScore) -> None:
        self.scores.append(score)

    async def skill_vocabulary(self, posting_id: uuid.UUID) -> set[str]:
        return {s for p in await self.profiles_of(posting_id) for s in p.skills}

    async def group_profiles(
        self,
        posting_id: uuid.UUID,
        *,
        folded: frozenset[str],
        reads: frozenset[str],
        unless_scored_with: tuple[int, str] | None = None,
    ) -> list[FactsGroup]:
        newest = {s.application_id: (s.requirements_version, s.rubric_version)
                  for s in self.scores}  # fmt: skip
        unread = {name: value for name, value in UNSET.items() if name not in reads}
        self.staged: dict[str, tuple[CandidateFacts, list[StoredProfile]]] = {}
        for p in await self.profiles_of(posting_id):
            if unless_scored_with and newest.get(p.application_id) == unless_scored_with:
                continue
            facts = facts_of(p)
            kept = facts.skills - folded
            skills = kept | {OTHER_SKILLS} if kept != facts.skills else kept
            facts = replace(facts, skills=skills, **unread)
            key = repr((sorted(facts.skills), facts.total_experience_months,
                        sorted(facts.languages.items()), facts.leadership_months,
                        facts.degrees))  # fmt: skip
            self.staged.setdefault(key, (facts, []))[1].append(p)
        return [FactsGroup(key, facts, len(ps)) for key, (facts, ps) in self.staged.items()]

    async def add_rescored(self, batch: RescoredBatch) -> int:
        """Every staged application scored, each announced (the announcer does it after
        commit)."""
        count = 0
        for key, pick in zip(batch.group_keys, batch.picks, strict=True):
            chosen = batch.verdict_sets[pick]
            for profile in self.staged[key][1]:
                score = StoredScore(
                    profile.application_id, batch.posting_id, chosen.score, chosen.tier,
                    chosen.verdicts, chosen.matched, chosen.missing, chosen.hint,
                    batch.requirements_version, batch.rubric_version, profile.parser_version,
                    batch.trigger,
                )  # fmt: skip
                self.scores.append(score)
                self.events.append(scored_event(score))
                count += 1
        return count

    async def emit(self, event: Event) -> None:
        self.events.append(event)

    def scored(self) -> list[ApplicationScoredV1]:
        return [e for e in self.events if isinstance(e, ApplicationScoredV1)]


def profile_event(posting_id: uuid.UUID, **overrides: Any) -> ProfileParsedV1:
    values: dict[str, Any] = {
        "application_id": uuid.uuid4(),
        "posting_id": posting_id,
        "profile_id": uuid.uuid4(),
        "parser_version": "p1",
        "status": ParseStatus.PARSED,
        "skills": ["Python", "PostgreSQL"],
        "total_experience_months": 72,
        "languages": [LanguageLevel(language="en", level="C2")],
        "leadership_months": 0,
    }
    return ProfileParsedV1(**(values | overrides))


def judged(
    store: FakeStore, requirements: list[dict[str, Any]]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """The newest score's verdicts with the requirement each one judged (stored as an index)."""
    return [(requirements[v["requirement"]], v) for v in store.scores[-1].verdicts]


async def published(store: FakeStore, taxonomy: SkillTaxonomy) -> StoredPosting:
    return await publish_posting(store, read_posting(AD, "backend"), taxonomy)


async def test_languages_leadership_and_degrees_get_real_verdicts(taxonomy: SkillTaxonomy) -> None:
    store = FakeStore()
    posting = await published(store, taxonomy)
    spanish = [
        LanguageLevel(language="en", level="native"),
        LanguageLevel(language="es", level="B1"),
    ]
    await score_profile(
        store, profile_event(posting.posting_id, languages=spanish, leadership_months=30), taxonomy
    )
    verdicts = {r["kind"] + str(r["language"]): v
                for r, v in judged(store, posting.requirements)}  # fmt: skip
    assert verdicts["languageEnglish"]["status"] == "met"
    assert verdicts["languageSpanish"]["status"] == "not_met"
    assert verdicts["languageSpanish"]["reason"] == "B1 is below C1"
    assert verdicts["leadershipNone"]["status"] == "met"
    assert "30 months" in verdicts["leadershipNone"]["evidence"]

    await score_profile(store, profile_event(posting.posting_id, leadership_months=0), taxonomy)
    no_lead = {r["kind"]: v["status"] for r, v in judged(store, posting.requirements)}
    assert no_lead["leadership"] == "not_met"
    assert store.scores[-1].tier != "strong"  # an unmet must caps the tier
    assert store.scores[-1].hint is None or "confirmed" in store.scores[-1].hint


async def test_score_names_the_versions_it_used(taxonomy: SkillTaxonomy) -> None:
    store = FakeStore()
    posting = await published(store, taxonomy)
    await score_profile(store, profile_event(posting.posting_id), taxonomy)
    (event,) = store.scored()
    assert (event.requirements_version, event.rubric_version, event.parser_version) == (
        1,
        RUBRIC_VERSION,
        "p1",
    )


async def test_team_edit_is_a_new_version_and_rescores_every_stored_profile(
    taxonomy: SkillTaxonomy,
) -> None:
    store = FakeStore()
    posting = await published(store, taxonomy)
    for _ in range(3):
        await score_profile(store, profile_event(posting.posting_id), taxonomy)
    before = list(store.scores)

    only_python = [Requirement("skill", "must", skill="Python", weight=10)]
    edited = await edit_requirements(store, "backend", only_python, taxonomy)

    assert edited.requirements_version == 2
    assert [(v, source) for _, v, source, _ in store.versions] == [(1, "extracted"), (2, "team")]
    assert len(store.scores) == 6 and store.scores[:3] == before  # history kept
    assert {(s.requirements_version, s.trigger, s.score) for s in store.scores[3:]} == {
        (2, "requirements", 100)
    }
    assert [e.requirements_version for e in store.scored()][3:] == [2, 2, 2]
    assert any(isinstance(e, PostingPublishedV1) and e.requirements_version == 2
               for e in store.events)  # fmt: skip

    unchanged = await edit_requirements(store, "backend", only_python, taxonomy)
    assert unchanged.requirements_version == 2 and len(store.scores) == 6
    with pytest.raises(UnknownPosting):
        await edit_requirements(store, "nope", only_python, taxonomy)


async def test_republishing_the_same_text_rescores_nothing_and_new_text_rescores(
    taxonomy: SkillTaxonomy,
) -> None:
    store = FakeStore()
    posting = await published(store, taxonomy)
    await score_profile(store, profile_event(posting.posting_id), taxonomy)
    await published(store, taxonomy)
    assert len(store.scores) == 1
    await publish_posting(
        store, read_posting(AD.replace("Python and", "Go, Python and"), "backend"), taxonomy
    )
    assert [(s.requirements_version, s.trigger) for s in store.scores] == [
        (1, "profile"),
        (2, "requirements"),
    ]
    assert "Go" in store.scores[-1].missing


async def test_reprocess_replays_stale_scores_only_unless_asked_for_all(
    taxonomy: SkillTaxonomy,
) -> None:
    store = FakeStore()
    posting = await published(store, taxonomy)
    await score_profile(store, profile_event(posting.posting_id), taxonomy)
    await score_profile(store, profile_event(posting.posting_id), taxonomy)
    assert await reprocess(store, taxonomy, everything=False) == {"backend": 0}
    store.scores[0] = replace(store.scores[0], rubric_version="0.0.1")
    assert await reprocess(store, taxonomy, everything=False) == {"backend": 1}
    assert await reprocess(store, taxonomy, slug="backend", everything=True) == {"backend": 2}
    assert [s.trigger for s in store.scores[2:]] == ["reprocess"] * 3
    with pytest.raises(UnknownPosting):
        await reprocess(store, taxonomy, slug="nope", everything=True)


PERSONAL = {
    "name": "Ana García",
    "email": "ana@example.com",
    "gender": "female",
    "age": 52,
    "date_of_birth": "1973-04-01",
    "address": "12 Rue de la Paix, Paris",
    "nationality": "Spanish",
    "photo": "base64...",
    "phone": "+33123456789",
}
OTHER_PERSON = {
    "name": "John Smith",
    "email": "john@example.org",
    "gender": "male",
    "age": 24,
    "date_of_birth": "2001-09-30",
    "address": "1 Main St, Springfield",
    "nationality": "American",
    "photo": None,
    "phone": "+15550100",
}


def test_nothing_personal_exists_in_what_the_scorer_reads() -> None:
    personal = set(PERSONAL)
    assert personal.isdisjoint(ProfileParsedV1.model_fields)
    assert personal.isdisjoint(f.name for f in fields(StoredProfile))


async def test_score_is_the_same_whoever_the_candidate_is(taxonomy: SkillTaxonomy) -> None:
    """Producers may add fields (tolerant reader); personal ones must change nothing."""
    store = FakeStore()
    posting = await published(store, taxonomy)
    base = profile_event(posting.posting_id).model_dump(mode="json")
    results = []
    for person in (PERSONAL, OTHER_PERSON, {}):
        event = ProfileParsedV1.model_validate(base | person)
        await score_profile(store, event, taxonomy)
        stored = store.profiles[event.application_id]
        assert not set(PERSONAL) & set(vars(stored))
        score = store.scores[-1]
        results.append((score.score, score.tier, score.verdicts, score.hint))
    assert results[0] == results[1] == results[2]


async def test_bulk_rescoring_stores_what_scoring_each_profile_alone_would(
    taxonomy: SkillTaxonomy,
) -> None:
    """The compiled path and shared verdict sets change nothing in any stored score."""
    store = FakeStore()
    posting = await published(store, taxonomy)
    rng = random.Random(5)
    skills = ["Python", "PostgreSQL", "MySQL", "Django", "Go", "AWS RDS", "Team Leadership", "x"]
    levels = ["B1", "C1", "native", "", "fluent"]
    for _ in range(300):
        await score_profile(
            store,
            profile_event(
                posting.posting_id,
                skills=rng.sample(skills, rng.randint(0, 5)),
                total_experience_months=rng.choice([None, 12, 60, 90]),
                languages=[LanguageLevel(language=c, level=rng.choice(levels))
                           for c in rng.sample(["en", "es", "fr"], rng.randint(0, 2))],
                leadership_months=rng.choice([None, 0, 24]),
                degrees=rng.sample(["BSc Physics", "MBA"], rng.randint(0, 1)),
            ),
            taxonomy,
        )  # fmt: skip
    team = [
        Requirement("skill", "must", skill="SQL"),
        Requirement("skill", "nice", skill="Go", any_of=("Go", "Django")),
        Requirement("experience_years", "must", min_months=48, scope="management"),
        Requirement("leadership", "nice"),
        Requirement("language", "must", language="Spanish", level="B2"),
        Requirement("education", "nice", evidence="master's degree"),
    ]
    edited = await edit_requirements(store, "backend", team, taxonomy)

    rescored = store.scores[300:]
    assert len(rescored) == 300 and len({s.application_id for s in rescored}) == 300
    for score in rescored:
        profile = store.profiles[score.application_id]
        alone = score_stored_profile(edited, team, profile, taxonomy, "requirements")
        assert score == alone
    assert len({(s.score, s.tier) for s in rescored}) > 3
