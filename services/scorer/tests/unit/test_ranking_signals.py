"""What rubrics and requirements models 0.3.0 and 0.4.0 added for ranking quality, on the real
taxonomy: experience in a field, near misses, degree subjects, title skills, leadership evidence,
shared heads, one ask counted once."""

from __future__ import annotations

from typing import Any

import pytest

from hirestream.scorer.domain import (
    CandidateFacts,
    Requirement,
    extract_requirements,
    read_posting,
    score_candidate,
)
from hirestream.skills import load_taxonomy

HR_AD = """\
HR Generalist

Requirements: minimum 4 years of experience as an HR generalist or HR business partner.
Solid knowledge of payroll. Fluent French is required.

Nice to have: a master's degree in human resources, SHRM or CIPD certification.
"""

SHOP_AD = """\
# Operations Manager – Distribution Centre

Acme Logistics is a fast-growing company backed by two funds.
You will work closely with our client services team.

## Requirements
- 2 years or more in warehouse operations, including at least 1 year managing teams
- Windows 10/11 and Microsoft 365 administration
- Experience with a warehouse management system (WMS) such as SAP EWM
- A bachelor's degree in finance, accounting or economics
- Lean / continuous improvement experience (Six Sigma, Kaizen)

## Bonus points
- Spanish is a plus
"""


@pytest.fixture(scope="module")
def taxonomy() -> Any:
    return load_taxonomy()


def _reqs(text: str, taxonomy: Any) -> list[Requirement]:
    return extract_requirements(read_posting(text, fallback_slug="ad"), taxonomy)


def _one(reqs: list[Requirement], kind: str) -> Requirement:
    found = [r for r in reqs if r.kind == kind]
    assert len(found) == 1, found
    return found[0]


def _skills(reqs: list[Requirement]) -> set[str]:
    return {n for r in reqs if r.kind == "skill" for n in (r.any_of or (str(r.skill),))}


def test_skills_naming_the_field_of_years_are_that_requirement(taxonomy: Any) -> None:
    reqs = _reqs(HR_AD, taxonomy)
    years = _one(reqs, "experience_years")
    assert (years.min_months, years.importance) == (48, "must")
    assert set(years.any_of) == {"Human Resources Management", "HR Business Partnering"}
    assert "HR Business Partnering" not in _skills(reqs)  # not a must of its own
    assert "4+ years experience in" in years.label


def test_field_experience_needs_a_field_skill(taxonomy: Any) -> None:
    years = _one(_reqs(HR_AD, taxonomy), "experience_years")

    def status(*skills: str) -> str:
        facts = CandidateFacts(frozenset(skills), 96)
        return score_candidate([years], facts, taxonomy).verdicts[0].status

    assert status("Payroll", "HR Business Partnering") == "met"
    assert status("Recruitment") == "unknown"  # an HR skill, not the field asked
    assert status("Wound Care", "Patient Care") == "not_met"  # eight years, in nursing
    assert status() == "unknown"  # no skills parsed: nothing shows either way


def test_degree_subject_is_the_education_requirement(taxonomy: Any) -> None:
    reqs = _reqs(SHOP_AD, taxonomy)
    degree = next(r for r in reqs if r.kind == "education" and r.importance == "must")
    assert degree.any_of == ("Accounting",)
    assert "Accounting" not in _skills(reqs)

    def status(*degrees: str) -> str:
        facts = CandidateFacts(frozenset({"Budgeting"}), 60, degrees=degrees)
        return score_candidate([degree], facts, taxonomy).verdicts[0].status

    assert status("BSc Finance") == "met"  # a subject word of the ad's phrase
    # The level is there and the degree names another field (rubric 0.4.0): a gap, half near.
    assert status("Bachelor of Hospitality Management") == "not_met"
    facts = CandidateFacts(frozenset(), 60, degrees=("Bachelor of Hospitality Management",))
    assert score_candidate([degree], facts, taxonomy).verdicts[0].closeness == 0.5
    assert status("MBA") == "unknown"  # names no subject: the level asked, the subject unsaid
    assert status("Diploma in Accounting") == "not_met"  # below a bachelor's


def test_title_or_more_examples_and_joined_lists(taxonomy: Any) -> None:
    reqs = _reqs(SHOP_AD, taxonomy)
    # The job title names a skill: asked softly.
    title = [r for r in reqs if r.evidence.startswith("Operations Manager")]
    assert title and all(r.importance == "nice" for r in title)
    # "2 years or more" is a minimum.
    assert any(r.kind == "experience_years" and r.min_months == 24 for r in reqs)
    # "Windows 10/11 and Microsoft 365": both, not either.
    musts = {str(r.skill) for r in reqs if r.kind == "skill" and r.importance == "must"}
    assert {"Microsoft Windows", "Microsoft Office"} <= musts
    # "a WMS such as SAP EWM": the WMS is asked, the product is an example.
    example = next(r for r in reqs if r.skill == "SAP Warehouse Management")
    assert example.importance == "nice"
    # "Lean / continuous improvement (Six Sigma, Kaizen)": one requirement, every alternative.
    lean = [r for r in reqs if r.kind == "skill" and "Lean" in r.any_of]
    assert len(lean) == 1 and {"Six Sigma", "Continuous Improvement"} <= set(lean[0].any_of)
    # "Spanish is a plus": a language without any fluency word.
    spanish = _one(reqs, "language")
    assert (spanish.language, spanish.importance) == ("Spanish", "nice")
    # Blurb and collaborators are not asks: no "Customer Service" from "client services".
    assert "Customer Service" not in _skills(reqs)


def test_management_months_are_not_counted_twice_as_leadership(taxonomy: Any) -> None:
    reqs = _reqs(SHOP_AD, taxonomy)
    assert any(r.kind == "experience_years" and r.scope == "management" for r in reqs)
    assert not [r for r in reqs if r.kind == "leadership"]


def _years(months: int) -> Requirement:
    return Requirement("experience_years", "must", min_months=months, evidence="5 years")


def test_a_near_miss_ranks_above_a_far_miss_and_below_silence(taxonomy: Any) -> None:
    reqs = [_years(60), Requirement("skill", "must", skill="Python")]

    def score(months: int | None) -> int:
        facts = CandidateFacts(frozenset({"Python"}), months)
        return score_candidate(reqs, facts, taxonomy).score

    assert score(12) < score(48) < score(None) < score(60)
    result = score_candidate(reqs, CandidateFacts(frozenset({"Python"}), 48), taxonomy)
    assert result.verdicts[0].status == "not_met" and result.tier != "strong"


def test_language_near_miss(taxonomy: Any) -> None:
    req = [Requirement("language", "must", language="Spanish", level="C1")]

    def score(level: str) -> int:
        facts = CandidateFacts(frozenset(), None, languages={"es": level})
        return score_candidate(req, facts, taxonomy).score

    assert score("A2") < score("B2") < score("C1")


def test_a_listed_leadership_skill_outweighs_no_leading_title(taxonomy: Any) -> None:
    lead = Requirement("leadership", "must", evidence="leading teams")
    manage = Requirement("experience_years", "must", min_months=12, scope="management")
    facts = CandidateFacts(frozenset({"Mentoring", "Python"}), 96, leadership_months=0)
    verdicts = score_candidate([lead, manage], facts, taxonomy).verdicts
    assert [v.status for v in verdicts] == ["met", "unknown"]
    silent = CandidateFacts(frozenset({"Python"}), 96, leadership_months=0)
    assert [v.status for v in score_candidate([lead, manage], silent, taxonomy).verdicts] == [
        "not_met",
        "not_met",
    ]


def test_leading_people_meets_a_leadership_alternative(taxonomy: Any) -> None:
    req = Requirement(
        "skill",
        "must",
        skill="Project Management",
        any_of=("Project Management", "Team Leadership"),
    )
    led = CandidateFacts(frozenset({"Python"}), 96, leadership_months=30)
    assert score_candidate([req], led, taxonomy).verdicts[0].status == "met"
    never = CandidateFacts(frozenset({"Python"}), 96, leadership_months=0)
    assert score_candidate([req], never, taxonomy).verdicts[0].status == "not_met"


# --- requirements model 0.4.0, rubric 0.4.0 -----------------------------------------------------


def test_a_shared_head_names_both_skills_of_a_coordination(taxonomy: Any) -> None:
    ad = "Requirements\n- 5 years of experience in warehouse or logistics operations\n"
    years = _one(_reqs(ad, taxonomy), "experience_years")
    assert set(years.any_of) == {"Warehouse Management", "Logistics"}
    reqs = _reqs("Requirements\n- Front-end or back-end development\n", taxonomy)
    assert _skills(reqs) == {"Frontend Development", "Backend Development"}
    # Only a whole taxonomy phrase counts: "strong logistics operations" names one skill.
    assert _skills(_reqs("Requirements\n- Strong and logistics operations\n", taxonomy)) == {
        "Logistics"
    }


def test_a_leadership_skill_asked_with_leadership_is_one_ask(taxonomy: Any) -> None:
    reqs = _reqs("Qualifications\n- Experience with mentoring (or managing) people.\n", taxonomy)
    assert [r.kind for r in reqs] == ["leadership"]
    lead = reqs[0]
    # Any listed leadership skill meets it, not only the word the ad used.
    facts = CandidateFacts(frozenset({"Team Leadership"}), 96, leadership_months=0)
    assert score_candidate([lead], facts, taxonomy).verdicts[0].status == "met"
    # Other skills of the sentence stay asks of their own.
    reqs = _reqs("Requirements\n- Mentoring junior staff in Python\n", taxonomy)
    assert sorted(r.kind for r in reqs) == ["leadership", "skill"]
    assert _skills(reqs) == {"Python"}


def test_years_building_web_applications_need_web_work(taxonomy: Any) -> None:
    ad = "Qualifications\n- 3+ years experience building scalable web applications.\n"
    years = _one(_reqs(ad, taxonomy), "experience_years")
    assert years.any_of == ("Web Development",)

    def status(*skills: str) -> str:
        facts = CandidateFacts(frozenset(skills), 96)
        return score_candidate([years], facts, taxonomy).verdicts[0].status

    assert status("Django") == "met"  # a web framework implies backend, backend implies web
    assert status("React", "Frontend Development") == "met"
    assert status("Oracle Database", "Backup and Recovery") == "not_met"  # a DBA's decade


def test_supply_chain_experience_is_logistics_experience(taxonomy: Any) -> None:
    ad = "Requirements\n- 5 years of experience in warehouse or logistics operations\n"
    years = _one(_reqs(ad, taxonomy), "experience_years")
    facts = CandidateFacts(frozenset({"Supply Chain Management", "Lean"}), 96)
    assert score_candidate([years], facts, taxonomy).verdicts[0].status == "met"
    restaurant = CandidateFacts(frozenset({"Hotel Management", "Budgeting"}), 108)
    assert score_candidate([years], restaurant, taxonomy).verdicts[0].status == "not_met"


def test_a_product_blurb_is_not_web_development(taxonomy: Any) -> None:
    # The product of an untitled blurb is not an ask: "web apps" is no alias of Web Development.
    blurb = "We design tools. You will own the experience of our mobile and web apps end to end."
    assert not [r for r in _reqs(blurb, taxonomy) if r.kind == "skill"]


def test_microservices_are_distributed_systems(taxonomy: Any) -> None:
    ad = "Qualifications\n- A passion for building large scale, distributed systems.\n"
    reqs = [r for r in _reqs(ad, taxonomy) if r.kind == "skill"]
    assert _skills(reqs) == {"Distributed Systems"}
    facts = CandidateFacts(frozenset({"Microservices", "Python"}), 96)
    assert score_candidate(reqs, facts, taxonomy).verdicts[0].status == "met"
    assert (
        score_candidate(reqs, CandidateFacts(frozenset({"Kubernetes"}), 96), taxonomy)
        .verdicts[0]
        .status
        == "not_met"
    )  # running an orchestrator is not building a distributed system


SENIOR_AD = """\
# Senior Product Designer

## Requirements
- 5+ years of experience in product design
- Figma, wireframing and prototyping
- Usability testing and user research
"""


@pytest.mark.parametrize(
    ("title", "scope"),
    [
        ("Senior Product Designer", "level"),
        ("Sr. Accountant", "level"),
        ("Lead Nurse", "level"),
        ("Head of Sales", "level"),
        ("Product Designer", "total"),
        ("Staff Nurse", "total"),  # a grade, not a senior level
        ("Lead Generation Specialist", "total"),
    ],
)
def test_a_senior_title_makes_the_years_a_level(taxonomy: Any, title: str, scope: str) -> None:
    ad = f"# {title}\n\n## Requirements\n- 5+ years of experience\n\n## Nice to have\n- 8+ years\n"
    years = [r for r in _reqs(ad, taxonomy) if r.kind == "experience_years"]
    assert {(r.importance, r.scope) for r in years} == {("must", scope), ("nice", "total")}


def test_a_junior_with_the_tools_ranks_below_a_senior_with_half_of_them(taxonomy: Any) -> None:
    reqs = _reqs(SENIOR_AD, taxonomy)
    years = _one(reqs, "experience_years")
    assert years.scope == "level" and "(senior level)" in years.label
    tools = {"Figma", "Wireframing", "Prototyping", "Usability Testing", "UX Design"}
    junior = score_candidate(reqs, CandidateFacts(frozenset(tools), 24), taxonomy)
    senior = CandidateFacts(frozenset({"UX Research", "Usability Testing", "Product Design"}), 84)
    assert score_candidate(reqs, senior, taxonomy).score > junior.score
    # The junior's skill verdicts stay "met"; only what they earn is scaled (24 of 60: 0.4).
    assert {v.requirement.label for v in junior.verdicts if v.status == "met"} >= {"Figma"}
    plain = [Requirement(r.kind, r.importance, r.skill, r.min_months, any_of=r.any_of,
                         evidence=r.evidence) for r in reqs]  # fmt: skip
    assert score_candidate(plain, CandidateFacts(frozenset(tools), 24), taxonomy).score > (
        junior.score
    )
    # Unknown months scale nothing: silence is not a gap.
    silent = CandidateFacts(frozenset(tools), None)
    assert (
        score_candidate(reqs, silent, taxonomy).score
        == score_candidate(plain, silent, taxonomy).score
    )
    # Enough years: the same as without the level.
    full = CandidateFacts(frozenset(tools), 72)
    assert (
        score_candidate(reqs, full, taxonomy).score == score_candidate(plain, full, taxonomy).score
    )


def test_the_hint_counts_the_level_back_when_the_years_are_confirmed(taxonomy: Any) -> None:
    skill = Requirement("skill", "must", skill="Figma")
    years = Requirement("experience_years", "must", min_months=60, scope="level")
    result = score_candidate([skill, years], CandidateFacts(frozenset({"Figma"}), 30), taxonomy)
    # Figma earns 3 x 0.5 (30 of 60 months), the length 3 x 0.125: 1.875 of 6, 31.
    assert (result.score, result.tier) == (31, "weak")
    # Confirming the years lifts Figma back to full credit: 100, past "possible" and "strong".
    assert result.next_tier_hint == "possible if 5+ years experience (senior level) is confirmed"
