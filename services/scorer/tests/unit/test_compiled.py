"""The compiled rescoring path gives exactly what ``score_candidate`` gives (verdicts, evidence,
reasons, score, tier, matched, missing, hint, flags), profile by profile."""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from hirestream.scorer.domain import (
    CandidateFacts,
    Requirement,
    Verdict,
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
    "SAP", "sap", "IFRS", "QuickBooks", "Salesforce", "Patient Care", "Project Management",
]  # fmt: skip
LANGUAGES = ["en", "EN", "English", "english", "de", "German", "fr", "Klingon", "pt"]
LEVELS = ["A2", "B1", "B2", "C1", "C2", "native", "fluent", "basic", "", "working knowledge"]
DEGREES = [
    "BSc Computer Science", "MSc Finance", "MBA", "PhD Physics", "Diploma", "High school",
    "BSc Accounting", "BA Economics", "Diploma in Hospitality Management", "BSc in Patient Care",
    "MSc Financial Reporting", "Associate degree in Patient Care",
]  # fmt: skip
MONTHS = [None, 0, 6, 23, 24, 30, 36, 47, 48, 59, 60, 61, 83, 84, 120]


def synthetic(count: int, skills: list[str], seed: int) -> list[CandidateFacts]:
    rng = random.Random(seed)
    return [
        CandidateFacts(
            skills=frozenset(rng.sample(skills, rng.randint(0, min(12, len(skills))))),
            total_experience_months=rng.choice(MONTHS),
            languages={
                code: rng.choice(LEVELS) for code in rng.sample(LANGUAGES, rng.randint(0, 3))
            },
            leadership=rng.choice([None, None, None, True, False]),
            leadership_months=rng.choice([None, 0, 0, 12, 24, 36, 48]),
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


# Rubric 0.4.0's rules, each read by the compiled path from facts 0.3.0 did not read.
NEW_RULES = [
    # Experience in a field: the field held (or implied), a skill of its category, or neither.
    Requirement("experience_years", "must", min_months=48, any_of=("SQL", "Python")),
    Requirement("experience_years", "nice", min_months=24, any_of=("IFRS", "US GAAP")),
    # A senior title's length: a timeline short of it scales every skill's credit.
    Requirement("experience_years", "must", min_months=84, scope="level"),
    # A degree subject: named by a field skill or a subject word, another subject, or unclear.
    Requirement(
        "education",
        "must",
        any_of=("Financial Reporting",),
        evidence="a bachelor's degree in finance, accounting or economics",
    ),
    # A leadership skill asked: months leading people stand for it.
    Requirement("skill", "nice", skill="Team Leadership", any_of=("Team Leadership", "Agile")),
    Requirement("skill", "must", skill="Mentoring", negative=True),
    # Near misses: a level below the one asked, months below, management months below.
    Requirement("language", "must", language="German", level="C1"),
    Requirement("experience_years", "must", min_months=36, scope="management"),
]

# The stand-in taxonomy puts every hard skill in one category: give them their trades, so
# "related field" picks between categories as the real taxonomy does.
_TRADES = {
    "Software": ("Python", "Django", "Go", "Java", "SQL", "PostgreSQL", "MySQL", "Kubernetes",
                 "AWS", "AWS RDS", "DynamoDB", "Node.js", "React", "Redis", "NoSQL", "Agile"),
    "Accounting": ("Excel", "IFRS", "US GAAP", "SAP", "QuickBooks", "Financial Reporting"),
    "Nursing": ("Patient Care",),
    "Sales": ("Salesforce", "CRM"),
}  # fmt: skip
_TRADE_OF = {name: trade for trade, names in _TRADES.items() for name in names}


@dataclass(frozen=True)
class _TradeSkill:
    name: str
    category: str


class _ByTrade:
    def __init__(self, inner: Any) -> None:
        self._inner = inner
        self.canonical = inner.canonical
        self.implied = inner.implied
        self.find = inner.find

    def get(self, term: str) -> _TradeSkill | None:
        found = self._inner.get(term)
        if found is None:
            return None
        return _TradeSkill(found.name, _TRADE_OF.get(found.name, found.category))


@pytest.fixture(scope="module")
def by_trade(taxonomy: SkillTaxonomy) -> Any:
    return _ByTrade(taxonomy)


def test_rubric_040_rules_judged_as_score_candidate_does(by_trade: Any) -> None:
    requirements = [*EVERY_KIND, *NEW_RULES]
    compiled = assert_same(requirements, synthetic(5000, SKILLS, seed=7), by_trade)
    verdicts = [v for r in compiled.results for v in r.verdicts]

    def of(req: Requirement) -> list[Verdict]:
        return [v for v in verdicts if v.requirement is req]

    in_sql, in_ifrs, level, degree, leading, _, german, managing = NEW_RULES
    # Each rule's outcomes are reached, so the comparison above covered them.
    for field in (in_sql, in_ifrs):
        assert any("related to" in v.reason for v in of(field))
        assert any("none of them shown" in v.reason and v.closeness == 0.5 for v in of(field))
        assert any(v.status == "met" and ";" in (v.evidence or "") for v in of(field))
    assert any("(implies SQL)" in (v.evidence or "") for v in of(in_sql))
    assert {v.status for v in of(degree)} == {"met", "not_met", "unknown"}
    assert any("another subject" in v.reason for v in of(degree))
    assert any("below the degree" in v.reason and 0 < v.closeness < 1 for v in of(degree))
    assert any("months leading people" in (v.evidence or "") for v in of(leading))
    assert any("months leading people" in f for r in compiled.results for f in r.flags)
    for near in (german, managing, level):
        assert any(v.status == "not_met" and 0 < v.closeness < 1 for v in of(near))
    # A seniority shortfall lowers the score of otherwise identical verdict statuses.
    by_statuses: dict[tuple[str, ...], set[int]] = {}
    for r in compiled.results:
        statuses = tuple(v.status for v in r.verdicts if v.requirement is not level)
        by_statuses.setdefault(statuses, set()).add(r.score)
    assert any(len(scores) > 1 for scores in by_statuses.values())


def test_fields_keep_their_category_skills_unfolded(by_trade: Any) -> None:
    in_ifrs = CompiledRequirements([NEW_RULES[1]], by_trade)
    foldable = in_ifrs.foldable_skills(SKILLS)
    assert not {"Excel", "SAP", "sap", "IFRS", "QuickBooks"} & foldable
    assert {"Kubernetes", "Patient Care", "Salesforce", "Teamwork"} <= foldable
    assert {"skills", "total_experience_months"} <= in_ifrs.reads
    leading = CompiledRequirements([NEW_RULES[4]], by_trade)
    assert leading.reads == {"skills", "leadership_months"}
    for one in NEW_RULES:  # each alone, with the rest of the facts blanked and skills folded
        assert_same([one], synthetic(400, SKILLS, seed=8), by_trade)


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
