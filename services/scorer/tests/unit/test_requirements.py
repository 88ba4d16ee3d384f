from __future__ import annotations

from dataclasses import asdict
from pathlib import Path

import pytest

from hirestream.scorer.domain import (
    REQUIREMENTS_MODEL_VERSION,
    Requirement,
    extract_requirements,
    read_posting,
)
from hirestream.scorer.domain.taxonomy import SkillTaxonomy

NURSE_AD = """\
# Registered Nurse – Medical/Surgical Unit

St. Mary's General Hospital is hiring a full-time staff nurse for our 32-bed surgical unit.

## What you'll do
- Provide direct patient care to up to 6 patients per shift
- Administer medications and start IVs
- Supervise and mentor nursing students

## Requirements
- Current registration with the College of Nurses as a Registered Nurse
- Minimum 2 years of acute care experience
- Current BLS certification
- Experience with electronic health records (Epic preferred)
- Strong wound care and medication administration skills

## Nice to have
- ACLS certification
- Charge nurse experience

## What we offer
- Tuition support for BScN completion
- Shift premiums
"""

# Plain text, no Markdown at all: sections only from "Qualifications:"-style lines.
ACCOUNTANT_AD = """\
Senior Accountant
Location: Toronto, ON (hybrid)

We are a growing logistics company looking for a Senior Accountant to own our month-end close.

Qualifications:
CPA designation required
5+ years of progressive accounting experience, including 2 years in a supervisory role
Advanced Excel skills (pivot tables, VLOOKUP)
Hands-on experience with NetSuite or SAP
Knowledge of IFRS; US GAAP an asset

Responsibilities:
Prepare monthly financial statements and account reconciliations
Supervise two junior accountants

Bilingual an asset.
"""

SALES_AD = """\
---
title: Inside Sales Representative
slug: inside-sales-rep-lyon
team: Sales
notify_email: sales-hiring@example.com
---
**About us**

We sell scheduling software to dental clinics across Europe. Our team uses HubSpot daily.

**What we’re looking for**

* 2-4 years of B2B sales experience, ideally selling SaaS
* Proven track record of meeting quota
* Comfortable with cold calling and negotiation
* Experience with a CRM such as Salesforce or HubSpot
* Native French and professional working English (C1)
* A valid driver's license and willingness to travel within France

**Bonus**

* German at conversational level
* Experience managing a small team of SDRs

**Benefits**
* Uncapped commission, company car
"""


def skills(reqs: list[Requirement], importance: str | None = None) -> set[str]:
    return {
        str(r.skill)
        for r in reqs
        if r.kind == "skill"
        and not r.negative
        and not r.any_of
        and (importance is None or r.importance == importance)
    }


def only(reqs: list[Requirement], kind: str, **fields: object) -> Requirement:
    found = [
        r for r in reqs if r.kind == kind and all(getattr(r, k) == v for k, v in fields.items())
    ]
    assert len(found) == 1, f"expected one {kind} {fields}, got {found}"
    return found[0]


def seed(postings_dir: Path, name: str, taxonomy: SkillTaxonomy) -> list[Requirement]:
    doc = read_posting((postings_dir / f"{name}.md").read_text(), fallback_slug=name)
    return extract_requirements(doc, taxonomy)


def test_model_version() -> None:
    assert REQUIREMENTS_MODEL_VERSION == "0.4.0"


# --- the seed postings -------------------------------------------------------------------------


def test_benchmark_me(postings_dir: Path, taxonomy: SkillTaxonomy) -> None:
    reqs = seed(postings_dir, "benchmark-me-back-end-lead", taxonomy)

    years = [r for r in reqs if r.kind == "experience_years"]
    assert years and max(r.min_months or 0 for r in years) >= 60
    assert all(r.importance == "must" for r in years)
    assert any("5+ years working as a back-end developer" in r.evidence for r in reqs) or any(
        "minimum 5 years" in r.evidence for r in years
    )

    assert only(reqs, "leadership").importance == "must"

    french = only(reqs, "language", language="French")
    english = only(reqs, "language", language="English")
    assert (french.importance, english.importance) == ("nice", "nice")
    assert french.evidence == english.evidence == "Bilingual an asset"

    net = only(reqs, "skill", skill=".NET")
    assert net.negative
    assert ".NET" not in skills(reqs)  # a signal against it, not a requirement

    # "... are an asset (we are NOT open to .net)": Linux is nice, the sentence's .net negative.
    assert only(reqs, "skill", skill="Linux", negative=False).importance == "nice"
    # "(and Elastisearch would be good too)": only the parenthetical is softened.
    assert only(reqs, "skill", skill="Elasticsearch").importance == "nice"
    assert only(reqs, "skill", skill="Machine Learning").importance == "must"
    assert only(reqs, "skill", skill="R").importance == "nice"
    assert only(reqs, "education").importance == "nice"  # "(though not a requirement)"
    # "Female/Trans an asset" and the note about women applying are never requirements.
    assert not any("Female" in r.evidence or "women" in r.evidence for r in reqs)
    # Links and names in "Leads"/"Resources" (R-Ladies Montreal) are not requirements either.
    assert not any("R-Ladies" in r.evidence for r in reqs)


def test_benchmark_me_example_lists_are_alternatives(
    postings_dir: Path, taxonomy: SkillTaxonomy
) -> None:
    reqs = seed(postings_dir, "benchmark-me-back-end-lead", taxonomy)
    # "we anticipate Python, Rust, Golang, MySQL, C but are open to whatever"
    langs = only(reqs, "skill", skill="Python")
    assert set(langs.any_of) == {"Python", "Rust", "Go", "MySQL"}
    # "(AWS Console, RDS, EC2, S3, bucket, CloudFormation, DynamoDB)": examples, any will do.
    aws = only(reqs, "skill", skill="AWS")
    assert {"AWS RDS", "DynamoDB"} <= set(aws.any_of)
    assert aws.importance == "must"


def test_mediasmart(postings_dir: Path, taxonomy: SkillTaxonomy) -> None:
    reqs = seed(postings_dir, "mediasmart-head-of-backend-engineering", taxonomy)

    languages = [r for r in reqs if r.kind == "language"]
    assert {(r.language, r.level, r.importance) for r in languages} == {
        ("English", "C1", "must"),
        ("Spanish", "C1", "must"),
    }
    assert only(reqs, "skill", skill="Data Science").importance == "nice"
    assert only(reqs, "skill", skill="Machine Learning").importance == "nice"
    assert only(reqs, "skill", skill="JavaScript").importance == "must"
    assert only(reqs, "skill", skill="Git").importance == "must"
    assert only(reqs, "experience_years").min_months == 60
    assert only(reqs, "education").importance == "must"  # "Technical academic degree"
    # "node.js, go lang, erlang, elixir or java": one of them is enough.
    backend = next(r for r in reqs if "Erlang" in r.any_of)
    assert set(backend.any_of) == {"Node.js", "Go", "Erlang", "Elixir", "Java"}
    assert backend.importance == "must"
    # "Links to personal projects (or your GitHub account)" is how to apply, not a requirement.
    assert not any("GitHub" in r.evidence for r in reqs)


def test_team_lead_san_francisco(postings_dir: Path, taxonomy: SkillTaxonomy) -> None:
    reqs = seed(postings_dir, "team-lead-backend-san-francisco", taxonomy)
    management = only(reqs, "experience_years", scope="management")
    assert (management.min_months, management.importance) == (12, "must")
    assert only(reqs, "experience_years", scope="level").min_months == 36  # "Team Lead"
    assert only(reqs, "leadership").importance == "must"


def test_batvoice_prose_only(postings_dir: Path, taxonomy: SkillTaxonomy) -> None:
    reqs = seed(postings_dir, "batvoice-senior-backend-engineer", taxonomy)
    # No headings at all: wording decides. "you should be very familiar..." asks; "our
    # codebase is in Python with Django. If you've never used either, that's fine" does not.
    assert only(reqs, "skill", skill="PostgreSQL").importance == "must"
    assert only(reqs, "skill", skill="Python").importance == "nice"
    # "We do not measure seniority by years of experience" states no minimum.
    assert not [r for r in reqs if r.kind == "experience_years"]
    # "such a degree of concurrency" is not a degree.
    assert not [r for r in reqs if r.kind == "education"]


def test_every_seed_posting_is_deterministic(postings_dir: Path, taxonomy: SkillTaxonomy) -> None:
    for path in sorted(postings_dir.glob("*.md")):
        doc = read_posting(path.read_text(), path.stem)
        assert extract_requirements(doc, taxonomy) == extract_requirements(doc, taxonomy)


# --- non-software postings ---------------------------------------------------------------------


def test_staff_nurse(taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(NURSE_AD, taxonomy)
    assert skills(reqs, "must") >= {
        "BLS",
        "Electronic Health Records",
        "Wound Care",
        "Medication Administration",
    }
    assert only(reqs, "skill", skill="Epic").importance == "nice"  # "(Epic preferred)"
    assert only(reqs, "skill", skill="ACLS").importance == "nice"
    assert only(reqs, "experience_years").min_months == 24
    # Duties are not requirements: "Provide direct patient care", "Supervise and mentor ...".
    assert "Patient Care" not in skills(reqs)
    assert only(reqs, "leadership").importance == "nice"  # from "Charge nurse experience"
    education = [r for r in reqs if r.kind == "education"]
    assert any("College of Nurses" in r.evidence and r.importance == "must" for r in education)
    assert not any("BScN" in r.evidence for r in education)  # a benefit, not an ask


def test_senior_accountant_plain_text(taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(ACCOUNTANT_AD, taxonomy)
    assert skills(reqs, "must") >= {"Excel", "IFRS"}
    assert only(reqs, "skill", skill="US GAAP").importance == "nice"  # "; US GAAP an asset"
    erp = only(reqs, "skill", skill="NetSuite")
    assert (erp.any_of, erp.importance) == (("NetSuite", "SAP"), "must")
    assert only(reqs, "experience_years", scope="level").min_months == 60  # "Senior Accountant"
    assert only(reqs, "experience_years", scope="management").min_months == 24
    # "including 2 years in a supervisory role" is the management months, not a second ask.
    assert not [r for r in reqs if r.kind == "leadership"]
    assert any(r.kind == "education" and "CPA" in r.evidence for r in reqs)
    assert "Account Reconciliation" not in skills(reqs)  # a responsibility
    # No Montreal/Québec/Canada in the text: "bilingual" names no languages.
    other = only(reqs, "other")
    assert (other.importance, other.evidence) == ("nice", "Bilingual an asset.")
    assert not [r for r in reqs if r.kind == "language"]


def test_sales_rep(taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(SALES_AD, taxonomy)
    # "2-4 years of B2B sales experience, ideally selling SaaS": only the tail is softened.
    assert only(reqs, "experience_years").min_months == 24
    assert only(reqs, "experience_years").importance == "must"
    # "years of B2B sales experience": B2B sales is the field of those years, not a second ask.
    assert only(reqs, "experience_years").any_of == ("B2B Sales",)
    assert skills(reqs, "must") >= {"Cold Calling", "Negotiation", "CRM"}
    assert "B2B Sales" not in skills(reqs, "must")
    # "a CRM such as Salesforce or HubSpot": the products illustrate the CRM ask.
    crm_examples = only(reqs, "skill", skill="Salesforce")
    assert (crm_examples.any_of, crm_examples.importance) == (("Salesforce", "HubSpot"), "nice")
    assert only(reqs, "language", language="French").level == "C2"
    assert only(reqs, "language", language="English").level == "C1"
    german = only(reqs, "language", language="German")
    assert (german.level, german.importance) == ("B1", "nice")
    assert only(reqs, "leadership").importance == "nice"
    assert only(reqs, "other").importance == "must"  # driver's licence, travel


def test_sales_rep_about_us_mentions_are_not_requirements(taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(SALES_AD, taxonomy)
    assert not any(r.evidence.startswith("Our team uses HubSpot") for r in reqs)


# --- cues --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "Salesforce is an asset",
        "Salesforce is a plus",
        "Nice to have: Salesforce",
        "Bonus: Salesforce",
        "Salesforce preferred",
        "Ideally Salesforce",
        "Salesforce, not required",
        "We would rather teach you Salesforce than pass on you",
        "Salesforce would be good",
    ],
)
def test_nice_cues_soften_a_requirements_section(line: str, taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(f"## Requirements\n- {line}\n", taxonomy)
    assert only(reqs, "skill", skill="Salesforce").importance == "nice"


@pytest.mark.parametrize(
    "heading", ["Requirements", "Qualifications", "Must have", "What you need", "Skills:"]
)
def test_requirement_headings_make_musts(heading: str, taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(f"## {heading}\n- Salesforce\n", taxonomy)
    assert only(reqs, "skill", skill="Salesforce").importance == "must"


@pytest.mark.parametrize("heading", ["Responsibilities", "About us", "We offer", "Benefits"])
def test_descriptive_sections_yield_no_skills_unless_explicit(
    heading: str, taxonomy: SkillTaxonomy
) -> None:
    duty = f"## {heading}\n- You will run Salesforce reports\n"
    assert extract_requirements(duty, taxonomy) == []
    reqs = extract_requirements(f"## {heading}\n- Salesforce experience is required\n", taxonomy)
    assert only(reqs, "skill", skill="Salesforce").importance == "must"


def test_unknown_sub_heading_inherits_its_section(taxonomy: SkillTaxonomy) -> None:
    text = "## Requirements\n### Tools\n- Excel\n## Nice to have\n### Tools\n- SAP\n"
    reqs = extract_requirements(text, taxonomy)
    assert only(reqs, "skill", skill="Excel").importance == "must"
    assert only(reqs, "skill", skill="SAP").importance == "nice"


def test_each_skill_once_with_strongest_importance(taxonomy: SkillTaxonomy) -> None:
    text = "Excel is a plus.\n\n## Requirements\n- Advanced Excel\n\n## Bonus\n- Excel macros\n"
    reqs = extract_requirements(text, taxonomy)
    excel = only(reqs, "skill", skill="Excel")
    assert (excel.importance, excel.evidence) == ("must", "Advanced Excel")


@pytest.mark.parametrize(
    ("sentence", "months"),
    [
        ("5+ years of experience in retail", 60),
        ("Minimum 5 years in a similar role", 60),
        ("At least 3 years of bookkeeping", 36),
        ("Three (3) years of experience", 36),
        ("6 months of experience in a call centre", 6),
    ],
)
def test_experience_years(sentence: str, months: int, taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(f"## Requirements\n- {sentence}\n", taxonomy)
    assert only(reqs, "experience_years").min_months == months


def test_durations_that_are_not_experience(taxonomy: SkillTaxonomy) -> None:
    text = "## About the role\nA 6 months contract. We have been in business for 20 years.\n"
    assert not [r for r in extract_requirements(text, taxonomy) if r.kind == "experience_years"]


@pytest.mark.parametrize(
    "sentence",
    [
        "Experience managing small to medium sized teams",
        "Previous experience as a team lead",
        "Mentoring junior staff",
        "Proven leadership",
        "Experience leading teams",
    ],
)
def test_leadership_cues(sentence: str, taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(f"## Requirements\n- {sentence}\n", taxonomy)
    assert only(reqs, "leadership").importance == "must"


def test_bilingual_in_quebec_is_french_and_english(taxonomy: SkillTaxonomy) -> None:
    text = "Cashier wanted in Québec City.\n\n## Requirements\n- Bilingual\n"
    reqs = extract_requirements(text, taxonomy)
    assert {(r.language, r.level, r.importance) for r in reqs if r.kind == "language"} == {
        ("French", "C1", "must"),
        ("English", "C1", "must"),
    }


@pytest.mark.parametrize(
    ("line", "languages"),
    [
        ("Bilingual Spanish", {"Spanish", "English"}),
        ("Bilingual (English/French) an asset", {"French", "English"}),
        ("Bilingual in German and Italian", {"German", "Italian"}),
    ],
)
def test_bilingual_with_named_languages(
    line: str, languages: set[str], taxonomy: SkillTaxonomy
) -> None:
    reqs = extract_requirements(f"## Requirements\n- {line}\n", taxonomy)
    assert {r.language for r in reqs if r.kind == "language"} == languages


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("Fluent English", "C1"),
        ("English (B2) required", "B2"),
        ("Native-level Dutch", "C2"),
        ("Conversational Portuguese", "B1"),
        ("Spoken and written German", "B2"),
    ],
)
def test_language_levels(line: str, level: str, taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(f"## Requirements\n- {line}\n", taxonomy)
    assert only(reqs, "language").level == level


def test_language_needs_a_language_cue(taxonomy: SkillTaxonomy) -> None:
    text = "## Requirements\n- Experience selling to English retailers\n"
    assert not [r for r in extract_requirements(text, taxonomy) if r.kind == "language"]
    # The fake taxonomy knows "English" as a skill: it still must not become a skill requirement.
    assert "English" not in skills(extract_requirements(text, taxonomy))


def test_negative_signal_with_contrast(taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements("## Requirements\n- No Java please, but Python\n", taxonomy)
    assert only(reqs, "skill", skill="Java").negative
    assert only(reqs, "skill", skill="Python").negative is False


def test_protected_characteristics_are_never_requirements(taxonomy: SkillTaxonomy) -> None:
    text = "## Requirements\n- Male candidates under 30 with Excel\n- Excel a plus\n"
    reqs = extract_requirements(text, taxonomy)
    assert [(r.skill, r.importance) for r in reqs] == [("Excel", "nice")]


def test_musts_come_first_negatives_last(postings_dir: Path, taxonomy: SkillTaxonomy) -> None:
    reqs = seed(postings_dir, "benchmark-me-back-end-lead", taxonomy)
    ranks = [(r.negative, r.importance == "nice") for r in reqs]
    assert ranks == sorted(ranks)


# --- the Requirement type ----------------------------------------------------------------------


def test_requirement_round_trips_through_json_shapes() -> None:
    req = Requirement(
        "skill", "must", skill="Go", any_of=("Go", "Java"), evidence="Go or Java required"
    )
    stored = asdict(req)
    stored["any_of"] = list(stored["any_of"])  # what a JSON column gives back
    assert Requirement(**stored) == req
    assert hash(Requirement(**stored)) == hash(req)
    assert Requirement.from_dict(req.to_dict()) == req


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": "skills", "importance": "must", "skill": "Go"},
        {"kind": "skill", "importance": "should", "skill": "Go"},
        {"kind": "skill", "importance": "must"},
        {"kind": "experience_years", "importance": "must"},
        {"kind": "language", "importance": "must", "language": "French", "level": "fluent"},
    ],
)
def test_requirement_rejects_nonsense(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Requirement(**kwargs)  # type: ignore[arg-type]


def test_labels() -> None:
    assert Requirement("experience_years", "must", min_months=60).label == "5+ years experience"
    assert Requirement("experience_years", "must", min_months=6).label == "6+ months experience"
    assert Requirement("language", "nice", language="French", level="C1").label == "French (C1)"
    assert Requirement("skill", "must", skill="Go", any_of=("Go", "Rust")).label == "Go or Rust"


def test_soft_skills_are_other_and_team_leadership_is_leadership(taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(
        "## Requirements\n- Team player with strong communication skills\n"
        "- Team leadership experience\n- Python\n",
        taxonomy,
    )
    assert {(r.kind, r.skill) for r in reqs} == {
        ("other", "Teamwork"),
        ("other", "Communication"),
        ("leadership", None),
        ("skill", "Python"),
    }
    teamwork = only(reqs, "other", skill="Teamwork")
    assert (teamwork.label, teamwork.importance) == ("Teamwork", "must")


def test_hiring_process_and_offers_ask_nothing(taxonomy: SkillTaxonomy) -> None:
    reqs = extract_requirements(
        "## Requirements\n- Python\n\n"
        "Our interview process is documented: you should know Rust to read it.\n\n"
        "## We offer\n- Remote work optional\n- Docker courses welcome\n"
        "- Kubernetes experience is an asset\n",
        taxonomy,
    )
    assert skills(reqs) == {"Python", "Kubernetes"}
    assert only(reqs, "skill", skill="Kubernetes").importance == "nice"
