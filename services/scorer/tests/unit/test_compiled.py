"""The compiled rescoring path gives exactly what ``score_candidate`` gives (verdicts, evidence,
reasons, score, tier, matched, missing, hint, flags), profile by profile."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from hirestream.scorer.domain import (
    CandidateFacts,
    Requirement,
    extract_requirements,
    read_posting,
    score_candidate,
)
from hirestream.scorer.domain.compiled import ALL_FIELDS, OTHER_SKILLS, CompiledRequirements
from hirestream.scorer.domain.taxonomy import SkillTaxonomy

REPO = Path(__file__).resolve().parents[4]

EVERY_KIND = [
    Requirement("skill", "must", skill="Python"),
    Requirement("skill", "must", skill="SQL"),  # met through PostgreSQL or MySQL
    Requirement("skill", "nice", skill="Node.js", any_of=("Node.js", "Go", "Java")),
    Requirement("skill", "must", skill="AWS", weight=7),  # implied by AWS RDS, DynamoDB ...
    Requirement("skill", "nice", skill="JavaScript", weight=0),
    Requirement("skill", "must", skill="Fortran"),  # unknown to the taxonomy
    Requirement("skill", "must", skill=".NET", negative=True),
    Requirement("skill", "nice", skill="Redis", negative=True),
    Requirement("other", "must", skill="Teamwork"),
    Requirement("other", "nice"),
    Requirement("location", "must"),
    Requirement("experience_years", "must", min_months=60),
    Requirement("experience_years", "nice", min_months=24, scope="management"),
    Requirement("leadership", "must"),
    Requirement("language", "must", language="English", level="C1"),
    Requirement("language", "nice", language="German"),
    Requirement("education", "nice", evidence="a master's degree"),
    Requirement("education", "must", evidence="degree"),
]

SKILLS = [
    "Python", "python", " Python ", "PYTHON", "Django", "PostgreSQL", "postgres", "TimescaleDB",
    "MySQL", "SQL", "Go", "golang", "Java", "Node.js", "React", "AWS RDS", "DynamoDB", "ec2",
    "AWS", ".net", "Redis", "NoSQL", "Team Leadership", "team leadership", "Teamwork",
    "Mentoring", "Fortran", "fortran", "COBOL", "Excel", "Kubernetes", "English", "",
]  # fmt: skip
LANGUAGES = ["en", "EN", "English", "english", "de", "German", "fr", "Klingon", "pt"]
LEVELS = ["A2", "B1", "B2", "C1", "C2", "native", "fluent", "basic", "", "working knowledge"]
DEGREES = ["BSc Computer Science", "MSc Finance", "MBA", "PhD Physics", "Diploma", "High school"]


def synthetic(count: int, skills: list[str], seed: int) -> list[CandidateFacts]:
    rng = random.Random(seed)
    return [
        CandidateFacts(
            skills=frozenset(rng.sample(skills, rng.randint(0, min(12, len(skills))))),
            total_experience_months=rng.choice([None, 0, 6, 23, 24, 59, 60, 61, 120]),
            languages={
                code: rng.choice(LEVELS) for code in rng.sample(LANGUAGES, rng.randint(0, 3))
            },
            leadership=rng.choice([None, None, None, True, False]),
            leadership_months=rng.choice([None, 0, 12, 24, 36]),
            degrees=tuple(rng.sample(DEGREES, rng.randint(0, 2))),
        )
        for _ in range(count)
    ]


def assert_same(
    requirements: list[Requirement], profiles: list[CandidateFacts], taxonomy: SkillTaxonomy
) -> CompiledRequirements:
    """Full facts, and facts as the store hands them over: foldable skills folded, the fields
    no requirement reads left at their defaults."""
    compiled = CompiledRequirements(requirements, taxonomy)
    folding = CompiledRequirements(requirements, taxonomy)
    foldable = folding.foldable_skills(s for f in profiles for s in f.skills)
    unread = {name: UNSET[name] for name in UNSET if name not in folding.reads}
    for facts in profiles:
        expected = score_candidate(requirements, facts, taxonomy)
        assert compiled.score(facts) == expected, facts
        kept = facts.skills - foldable
        folded = kept | {OTHER_SKILLS} if kept != facts.skills else kept
        assert folding.score(replace(facts, skills=folded, **unread)) == expected, facts
    return compiled


UNSET: dict[str, Any] = {
    "total_experience_months": None,
    "languages": {},
    "leadership": None,
    "leadership_months": None,
    "degrees": (),
}


def test_every_requirement_kind_judged_as_score_candidate_does(taxonomy: SkillTaxonomy) -> None:
    compiled = assert_same(EVERY_KIND, synthetic(4000, SKILLS, seed=1), taxonomy)
    # Outcomes are shared, not one per profile, and the synthetic set exercises all of them.
    assert 1 < len(compiled.results) < 4000
    assert {r.tier for r in compiled.results} == {"strong", "possible", "weak"}
    statuses = {v.status for r in compiled.results for v in r.verdicts}
    assert statuses == {"met", "not_met", "unknown"}
    assert any(r.flags for r in compiled.results)
    assert any(r.next_tier_hint for r in compiled.results)
    assert any("(implies" in (v.evidence or "") for r in compiled.results for v in r.verdicts)


def test_profile_order_does_not_matter(taxonomy: SkillTaxonomy) -> None:
    """Memoised outcomes must not depend on which profile happened to come first."""
    profiles = synthetic(1500, SKILLS, seed=2)
    forwards = CompiledRequirements(EVERY_KIND, taxonomy)
    backwards = CompiledRequirements(EVERY_KIND, taxonomy)
    reverse = [backwards.score(f) for f in reversed(profiles)]
    assert [forwards.score(f) for f in profiles] == reverse[::-1]


def test_folding_keeps_only_what_requirements_can_see(taxonomy: SkillTaxonomy) -> None:
    compiled = CompiledRequirements(EVERY_KIND, taxonomy)
    foldable = compiled.foldable_skills(SKILLS)
    assert {"Excel", "COBOL", "Kubernetes", "English", ""} <= foldable
    # React implies JavaScript, Team Leadership is leading people, .net is ruled out
    assert not {"Python", "postgres", "AWS RDS", "React", "Team Leadership", ".net"} & foldable
    assert OTHER_SKILLS not in foldable
    asks_everything = [*EVERY_KIND, Requirement("skill", "must", skill=OTHER_SKILLS)]
    assert CompiledRequirements(asks_everything, taxonomy).foldable_skills(SKILLS) == frozenset()


def test_fields_no_requirement_reads_are_named(taxonomy: SkillTaxonomy) -> None:
    assert CompiledRequirements(EVERY_KIND, taxonomy).reads == ALL_FIELDS
    skills_only = CompiledRequirements(EVERY_KIND[:8], taxonomy)
    assert skills_only.reads == {"skills"}
    languages = CompiledRequirements(EVERY_KIND[14:16], taxonomy)
    assert languages.reads == {"languages"}
    for one in EVERY_KIND:  # each kind alone: blanking the rest changes nothing
        assert_same([one], synthetic(300, SKILLS, seed=6), taxonomy)


def test_edge_cases(taxonomy: SkillTaxonomy) -> None:
    nothing = CandidateFacts(frozenset(), None)
    negative_only = [Requirement("skill", "must", skill=".NET", negative=True)]
    all_zero = [Requirement("skill", "must", skill="Python", weight=0)]
    for requirements in ([], negative_only, all_zero, EVERY_KIND):
        assert_same(requirements, [nothing, *synthetic(200, SKILLS, seed=3)], taxonomy)


def test_a_skill_string_learnt_late_keeps_earlier_outcomes_exact(taxonomy: SkillTaxonomy) -> None:
    """Strings of one key ("python", "Python") are told apart by which sorts first."""
    requirements = [Requirement("skill", "must", skill="Python"), *EVERY_KIND[1:4]]
    profiles = [
        CandidateFacts(frozenset({"python"}), 60),
        CandidateFacts(frozenset({"python", "Python"}), 60),
        CandidateFacts(frozenset({"PYTHON", "Django"}), 60),
        CandidateFacts(frozenset({"AWS RDS", "DynamoDB"}), 60),
        CandidateFacts(frozenset({"dynamodb", "AWS RDS"}), 60),
    ]
    assert_same(requirements, profiles + profiles[::-1], taxonomy)


def _postings() -> list[tuple[str, str]]:
    found = sorted((REPO / "examples" / "postings").glob("*.md"))
    found += sorted((REPO / "benchmarks" / "scorer" / "jobs" / "ads").iterdir())
    found += sorted((REPO.parent / "shared" / "postings").glob("*.md"))
    return [(p.stem, p.read_text("utf-8")) for p in found]


@pytest.mark.parametrize(("slug", "text"), _postings(), ids=lambda value: str(value)[:40])
def test_real_postings_and_taxonomy(slug: str, text: str, real_taxonomy: Any) -> None:
    requirements = extract_requirements(read_posting(text, fallback_slug=slug), real_taxonomy)
    names = sorted(s.name for s in real_taxonomy)
    vocabulary = [*random.Random(slug).sample(names, 300), *SKILLS]
    for r in requirements:  # the skills the posting names, in a few spellings
        for name in (*r.any_of, r.skill or ""):
            vocabulary += [name, name.lower(), f" {name.upper()}"]
    assert_same(requirements, synthetic(1500, vocabulary, seed=4), real_taxonomy)


@pytest.fixture(scope="module")
def real_taxonomy() -> Any:
    from hirestream.skills import load_taxonomy

    return load_taxonomy()
