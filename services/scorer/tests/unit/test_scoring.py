from __future__ import annotations

import itertools
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from hirestream.scorer.domain import (
    RUBRIC_VERSION,
    CandidateFacts,
    Requirement,
    ScoreResult,
    extract_requirements,
    read_posting,
    score_candidate,
)
from hirestream.scorer.domain.taxonomy import SkillTaxonomy


def skill(name: str, importance: str = "must", *any_of: str) -> Requirement:
    return Requirement("skill", importance, skill=name, any_of=any_of)  # type: ignore[arg-type]


BACKEND = [
    skill("Python"),
    skill("SQL"),
    skill("AWS"),
    Requirement("experience_years", "must", min_months=60),
    Requirement("leadership", "must"),
    skill("Kubernetes", "nice"),
    Requirement("language", "nice", language="English", level="C1"),
]


def seed_requirements(postings_dir: Path, name: str, taxonomy: SkillTaxonomy) -> list[Requirement]:
    doc = read_posting((postings_dir / f"{name}.md").read_text(), fallback_slug=name)
    return extract_requirements(doc, taxonomy)


def status(result: ScoreResult, label: str) -> str:
    return next(v.status for v in result.verdicts if v.requirement.label == label)


def test_rubric_version() -> None:
    assert RUBRIC_VERSION == "0.4.0"
    facts = CandidateFacts(frozenset(), None)
    result = score_candidate(BACKEND, facts, _NoTaxonomy())  # type: ignore[arg-type]
    assert result.rubric_version == RUBRIC_VERSION


def test_strong_candidate(taxonomy: SkillTaxonomy) -> None:
    facts = CandidateFacts(
        frozenset({"Python", "PostgreSQL", "AWS", "Kubernetes"}),
        total_experience_months=84,
        languages={"English": "C2"},
        leadership=True,
    )
    result = score_candidate(BACKEND, facts, taxonomy)
    assert (result.score, result.tier, result.missing) == (100, "strong", [])
    assert result.next_tier_hint is None
    assert result.matched == [
        "Python", "SQL", "AWS", "5+ years experience", "leadership experience", "Kubernetes",
        "English (C1)",
    ]  # fmt: skip


def test_weak_candidate(taxonomy: SkillTaxonomy) -> None:
    facts = CandidateFacts(frozenset({"Excel", "SAP"}), 18, {"en": "B1"}, leadership=False)
    result = score_candidate(BACKEND, facts, taxonomy)
    # Far misses (18 of 60 months, B1 for C1) earn a sliver of credit, nothing else does.
    assert result.tier == "weak" and result.matched == []
    assert 0 < result.score <= 5
    assert "Python" in result.missing and "English (C1)" in result.missing


def test_synonyms_and_implied_skills_count(taxonomy: SkillTaxonomy) -> None:
    # "postgres" is a synonym of PostgreSQL, which implies SQL; Django implies Python;
    # AWS RDS implies AWS.
    facts = CandidateFacts(frozenset({"postgres", "django", "rds"}), 60, leadership=True)
    result = score_candidate(BACKEND[:5], facts, taxonomy)
    assert result.missing == []
    sql = next(v for v in result.verdicts if v.requirement.skill == "SQL")
    assert sql.status == "met"
    assert sql.evidence == "PostgreSQL (implies SQL)"


def test_implication_is_one_way(taxonomy: SkillTaxonomy) -> None:
    facts = CandidateFacts(frozenset({"SQL"}), None)
    result = score_candidate([skill("PostgreSQL")], facts, taxonomy)
    assert result.verdicts[0].status == "not_met"


def test_any_of_is_met_by_one_alternative(taxonomy: SkillTaxonomy) -> None:
    reqs = [skill("Node.js", "must", "Node.js", "Go", "Java")]
    result = score_candidate(reqs, CandidateFacts(frozenset({"golang"}), None), taxonomy)
    assert (result.verdicts[0].status, result.verdicts[0].evidence) == ("met", "Go")


def test_unmet_must_caps_the_tier_at_possible(taxonomy: SkillTaxonomy) -> None:
    reqs = [skill(name) for name in ("Python", "SQL", "AWS", "Docker", "Git", "Kubernetes")]
    facts = CandidateFacts(frozenset({"Python", "SQL", "AWS", "Docker", "Git"}), None)
    result = score_candidate(reqs, facts, taxonomy)
    assert result.score >= 70
    assert result.tier == "possible"
    assert result.missing == ["Kubernetes"]
    assert result.next_tier_hint == "strong if Kubernetes is confirmed"


def test_unknown_costs_less_than_not_met(taxonomy: SkillTaxonomy) -> None:
    said_nothing = CandidateFacts(frozenset({"Python", "SQL", "AWS"}), None, leadership=None)
    said_no = CandidateFacts(frozenset({"Python", "SQL", "AWS"}), 12, leadership=False)
    unknown = score_candidate(BACKEND, said_nothing, taxonomy)
    known_gap = score_candidate(BACKEND, said_no, taxonomy)
    assert status(unknown, "5+ years experience") == "unknown"
    assert status(unknown, "English (C1)") == "unknown"  # no languages parsed at all
    assert status(known_gap, "5+ years experience") == "not_met"
    assert unknown.score > known_gap.score
    # Unknown musts do not block "strong" the way a known gap does.
    assert known_gap.tier != "strong"


def test_must_outweighs_nice(taxonomy: SkillTaxonomy) -> None:
    reqs = [skill("Python"), skill("Rust", "nice")]
    only_must = score_candidate(reqs, CandidateFacts(frozenset({"Python"}), None), taxonomy)
    only_nice = score_candidate(reqs, CandidateFacts(frozenset({"Rust"}), None), taxonomy)
    assert only_must.score > only_nice.score
    assert (only_must.score, only_must.tier) == (75, "strong")


def test_negative_signals_neither_add_nor_cost(taxonomy: SkillTaxonomy) -> None:
    negative = Requirement("skill", "nice", skill=".NET", negative=True, evidence="not .net")
    facts = CandidateFacts(frozenset({"Python", ".net"}), None)
    with_signal = score_candidate([skill("Python"), negative], facts, taxonomy)
    without = score_candidate([skill("Python")], facts, taxonomy)
    assert with_signal.score == without.score == 100
    assert [v.requirement.skill for v in with_signal.verdicts] == ["Python"]
    assert with_signal.flags == ["profile lists .NET, which the posting rules out"]
    assert ".NET" not in with_signal.matched + with_signal.missing


def test_languages_by_level_and_code(taxonomy: SkillTaxonomy) -> None:
    reqs = [
        Requirement("language", "must", language="French", level="C1"),
        Requirement("language", "must", language="Spanish", level="B2"),
        Requirement("language", "nice", language="German", level="B1"),
    ]
    facts = CandidateFacts(frozenset(), None, {"fr": "native", "Spanish": "B1", "de": ""})
    result = score_candidate(reqs, facts, taxonomy)
    assert [v.status for v in result.verdicts] == ["met", "not_met", "unknown"]


def test_management_experience_needs_leadership(taxonomy: SkillTaxonomy) -> None:
    req = Requirement("experience_years", "must", min_months=12, scope="management")

    def verdict(leadership: bool | None) -> str:
        facts = CandidateFacts(frozenset(), 120, leadership=leadership)
        return score_candidate([req], facts, taxonomy).verdicts[0].status

    assert (verdict(True), verdict(None), verdict(False)) == ("met", "unknown", "not_met")


def test_unscorable_kinds_are_unknown(taxonomy: SkillTaxonomy) -> None:
    reqs = [Requirement(kind, "must", evidence="x") for kind in ("education", "location", "other")]
    result = score_candidate(reqs, CandidateFacts(frozenset({"Python"}), 100), taxonomy)
    assert {v.status for v in result.verdicts} == {"unknown"}
    assert (result.score, result.tier) == (50, "possible")


def test_no_requirements_sends_the_cv_to_a_human(taxonomy: SkillTaxonomy) -> None:
    result = score_candidate([], CandidateFacts(frozenset({"Python"}), 100), taxonomy)
    assert (result.score, result.tier, result.verdicts) == (50, "possible", [])


def test_hint_names_up_to_two_items(taxonomy: SkillTaxonomy) -> None:
    reqs = [skill("Python"), skill("Kubernetes"), skill("Docker"), skill("Git", "nice")]
    facts = CandidateFacts(frozenset({"Python", "Git"}), None)
    result = score_candidate(reqs, facts, taxonomy)
    assert result.tier == "weak"
    assert result.next_tier_hint == "possible if Kubernetes is confirmed"
    facts = CandidateFacts(frozenset({"Python", "Git", "Docker"}), None)
    result = score_candidate(reqs, facts, taxonomy)
    assert result.tier == "possible"
    assert result.next_tier_hint == "strong if Kubernetes is confirmed"
    facts = CandidateFacts(frozenset({"Git"}), None)
    result = score_candidate(reqs, facts, taxonomy)
    assert result.next_tier_hint == "possible if Python and Kubernetes are confirmed"
    five = [skill(name) for name in ("Python", "SQL", "AWS", "Docker", "Git")]
    result = score_candidate(five, CandidateFacts(frozenset({"Excel"}), None), taxonomy)
    assert (result.tier, result.next_tier_hint) == ("weak", None)  # three away: no hint


def test_seed_posting_strong_and_weak(postings_dir: Path, taxonomy: SkillTaxonomy) -> None:
    reqs = seed_requirements(postings_dir, "mediasmart-head-of-backend-engineering", taxonomy)
    strong = CandidateFacts(
        frozenset({"node.js", "JavaScript", "aws", "git", "DynamoDB", "bigquery", "redis"}),
        total_experience_months=96,
        languages={"en": "C2", "Spanish": "native"},
        leadership=True,
    )
    weak = CandidateFacts(frozenset({"Excel"}), 24, {"English": "B2"}, leadership=False)
    assert score_candidate(reqs, strong, taxonomy).tier == "strong"
    assert score_candidate(reqs, weak, taxonomy).tier == "weak"


def test_seed_posting_bilingual_and_negative(postings_dir: Path, taxonomy: SkillTaxonomy) -> None:
    reqs = seed_requirements(postings_dir, "benchmark-me-back-end-lead", taxonomy)
    facts = CandidateFacts(frozenset({"Python", ".NET"}), 72, {"French": "C2", "en": "C1"}, True)
    result = score_candidate(reqs, facts, taxonomy)
    assert status(result, "French (C1)") == status(result, "English (C1)") == "met"
    assert status(result, "5+ years experience (senior level)") == "met"  # "Back-end lead"
    assert any(".NET" in flag for flag in result.flags)


# --- determinism -------------------------------------------------------------------------------

SKILLS = ["Python", "postgres", "AWS", "docker", "Kubernetes", "git", "Salesforce"]


def test_score_does_not_depend_on_skill_order(taxonomy: SkillTaxonomy) -> None:
    results = {
        repr(score_candidate(BACKEND, CandidateFacts(frozenset(order), 30, {}), taxonomy))
        for order in itertools.permutations(SKILLS, len(SKILLS))
    }
    assert len(results) == 1


def test_language_dict_order_does_not_matter(taxonomy: SkillTaxonomy) -> None:
    one = CandidateFacts(frozenset(), None, {"English": "B2", "en": "C2"})
    two = CandidateFacts(frozenset(), None, {"en": "C2", "English": "B2"})
    assert score_candidate(BACKEND, one, taxonomy) == score_candidate(BACKEND, two, taxonomy)


def test_same_result_across_processes_with_different_hash_seeds() -> None:
    # frozenset iteration order changes with PYTHONHASHSEED; the result must not.
    fake_path = str(Path(__file__).parent / "conftest.py")
    script = textwrap.dedent(
        f"""
        import importlib.util, sys
        spec = importlib.util.spec_from_file_location("fake", {fake_path!r})
        fake = importlib.util.module_from_spec(spec)
        sys.modules["fake"] = fake
        spec.loader.exec_module(fake)
        from hirestream.scorer.domain import CandidateFacts, Requirement, score_candidate
        reqs = [Requirement("skill", "must", skill="SQL"), Requirement("skill", "nice", skill="Go"),
                Requirement("skill", "must", skill="Go", any_of=("Go", "Rust"))]
        facts = CandidateFacts(frozenset({SKILLS!r}), 30)
        print(repr(score_candidate(reqs, facts, fake.FakeTaxonomy())))
        """
    )
    outputs = {
        subprocess.run(
            [sys.executable, "-c", script],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        ).stdout
        for seed in ("0", "1", "2", "3")
    }
    assert len(outputs) == 1
    assert "score=" in next(iter(outputs))


class _NoTaxonomy:
    """Knows no skills at all: scoring must still work (exact names only)."""

    def canonical(self, term: str) -> str | None:
        return None

    def implied(self, name: str) -> frozenset[str]:
        return frozenset()

    def find(self, text: str) -> list[object]:
        return []


def test_works_with_a_taxonomy_that_knows_nothing() -> None:
    facts = CandidateFacts(frozenset({"Python "}), None)
    result = score_candidate([skill("Python")], facts, _NoTaxonomy())  # type: ignore[arg-type]
    assert result.verdicts[0].status == "met"


@pytest.mark.parametrize("months", [59, 60])
def test_experience_threshold_is_inclusive(months: int, taxonomy: SkillTaxonomy) -> None:
    req = Requirement("experience_years", "must", min_months=60)
    result = score_candidate([req], CandidateFacts(frozenset(), months), taxonomy)
    assert result.verdicts[0].status == ("met" if months >= 60 else "not_met")


def test_degrees_answer_education_requirements(taxonomy: SkillTaxonomy) -> None:
    req = Requirement("education", "must", evidence="Master's degree in finance or accounting")

    def verdict(*degrees: str) -> str:
        facts = CandidateFacts(frozenset(), 60, degrees=degrees)
        return score_candidate([req], facts, taxonomy).verdicts[0].status

    assert verdict() == "unknown"
    assert verdict("BSc Accounting") == "not_met"
    assert verdict("BSc Accounting", "MSc Finance") == "met"
    assert verdict("PhD Economics") == "met"
    any_degree = Requirement("education", "must", evidence="A university degree")
    facts = CandidateFacts(frozenset(), 60, degrees=("Diploma in Nursing",))
    assert score_candidate([any_degree], facts, taxonomy).verdicts[0].evidence == (
        "Diploma in Nursing"
    )


def test_leadership_months_decide_leadership_and_management_experience(
    taxonomy: SkillTaxonomy,
) -> None:
    lead = Requirement("leadership", "must")
    managed = Requirement("experience_years", "must", min_months=36, scope="management")

    def statuses(months: int | None) -> tuple[str, str]:
        facts = CandidateFacts(frozenset(), 120, leadership_months=months)
        verdicts = score_candidate([lead, managed], facts, taxonomy).verdicts
        return verdicts[0].status, verdicts[1].status

    assert statuses(None) == ("unknown", "unknown")
    assert statuses(0) == ("not_met", "not_met")
    assert statuses(12) == ("met", "not_met")
    assert statuses(48) == ("met", "met")


def test_team_weights_change_the_score(taxonomy: SkillTaxonomy) -> None:
    facts = CandidateFacts(frozenset({"Python"}), None)
    reqs = [Requirement("skill", "must", skill="Python"), Requirement("skill", "must", skill="Go")]
    assert score_candidate(reqs, facts, taxonomy).score == 50
    heavy = [replace(reqs[0], weight=9), replace(reqs[1], weight=1)]
    assert score_candidate(heavy, facts, taxonomy).score == 90
    zero = [replace(r, weight=0) for r in reqs]
    assert score_candidate(zero, facts, taxonomy).score == 50
    with pytest.raises(ValueError):
        Requirement("skill", "must", skill="Go", weight=11)
