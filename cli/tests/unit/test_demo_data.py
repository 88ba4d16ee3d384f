from __future__ import annotations

import zipfile
from collections import Counter
from pathlib import Path

import docx
import frontmatter
import phonenumbers
import pytest
from pdfminer.high_level import extract_text

from hirestream.cli.demo_data import (
    DEMO_POSTING_SLUGS,
    DemoApplication,
    generate_demo_applications,
    render_pdf,
)

REPO_ROOT = Path(__file__).resolve().parents[3]
POSTINGS_DIR = REPO_ROOT / "examples" / "postings"

# Skill names a keyword/taxonomy parser should find in each posting's strong-fit CV.
STRONG_FIT_SKILLS = {
    "backend-engineer": ("Python", "PostgreSQL", "Kafka", "Docker", "Kubernetes"),
    "senior-accountant": ("IFRS", "SAP", "Excel", "Month-end close"),
    "registered-nurse": ("BLS", "ACLS", "Epic", "Triage", "Spanish"),
    "product-designer": ("Figma", "UX research", "Design systems", "Usability testing"),
    "account-executive": ("Salesforce", "HubSpot", "Negotiation", "B2B SaaS"),
}


def cv_text(path: Path) -> str:
    if path.suffix == ".pdf":
        return extract_text(str(path))
    return "\n".join(p.text for p in docx.Document(str(path)).paragraphs)


@pytest.fixture(scope="module")
def applications(tmp_path_factory: pytest.TempPathFactory) -> list[DemoApplication]:
    return generate_demo_applications(tmp_path_factory.mktemp("demo"))


def test_twenty_applications_over_five_postings(applications: list[DemoApplication]) -> None:
    assert len(applications) == 20
    per_posting = Counter(a.posting_slug for a in applications)
    assert set(per_posting) == set(DEMO_POSTING_SLUGS)
    assert all(count == 4 for count in per_posting.values())


def test_each_posting_has_strong_partial_and_poor_fits(
    applications: list[DemoApplication],
) -> None:
    for slug in DEMO_POSTING_SLUGS:
        fits = Counter(a.expected_fit for a in applications if a.posting_slug == slug)
        assert fits == {"strong": 1, "possible": 2, "weak": 1}, slug


def test_formats_and_channels_are_balanced(applications: list[DemoApplication]) -> None:
    assert Counter(a.cv_path.suffix for a in applications) == {".pdf": 10, ".docx": 10}
    assert Counter(a.channel for a in applications) == {"smtp": 10, "form": 10}
    for slug in DEMO_POSTING_SLUGS:
        combos = {(a.cv_path.suffix, a.channel) for a in applications if a.posting_slug == slug}
        assert len(combos) == 4, slug


def test_files_exist_and_are_valid(applications: list[DemoApplication]) -> None:
    assert len({a.cv_path for a in applications}) == len(applications)
    for app in applications:
        data = app.cv_path.read_bytes()
        assert data, app.cv_path
        if app.cv_path.suffix == ".pdf":
            assert data.startswith(b"%PDF-")
        else:
            assert zipfile.is_zipfile(app.cv_path)
            assert docx.Document(str(app.cv_path)).paragraphs


def test_cv_text_layout(applications: list[DemoApplication]) -> None:
    for app in applications:
        text = cv_text(app.cv_path)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert lines[0] == app.name
        assert app.email in lines[1]
        assert app.phone in lines[1]
        for heading in ("Summary", "Experience", "Education", "Skills", "Languages"):
            assert heading in lines, (app.cv_path.name, heading)
        assert "Present" in text


def test_strong_fits_mention_the_key_skills(applications: list[DemoApplication]) -> None:
    for app in applications:
        if app.expected_fit != "strong":
            continue
        text = cv_text(app.cv_path)
        for skill in STRONG_FIT_SKILLS[app.posting_slug]:
            assert skill in text, (app.cv_path.name, skill)


def test_contact_details(applications: list[DemoApplication]) -> None:
    emails = [a.email for a in applications]
    assert len(set(emails)) == len(emails)
    assert len({a.name for a in applications}) == len(applications)
    for app in applications:
        assert app.email.rsplit("@", 1)[1] in {"example.com", "example.org"}
        number = phonenumbers.parse(app.phone, None)
        assert phonenumbers.is_valid_number(number), app.phone


def test_generation_is_deterministic(tmp_path: Path) -> None:
    first = generate_demo_applications(tmp_path / "a")
    second = generate_demo_applications(tmp_path / "b")
    assert [a.cv_path.name for a in first] == [b.cv_path.name for b in second]
    for a, b in zip(first, second, strict=True):
        assert a.cv_path.read_bytes() == b.cv_path.read_bytes(), a.cv_path.name
        assert (a.name, a.email, a.channel, a.expected_fit) == (
            b.name,
            b.email,
            b.channel,
            b.expected_fit,
        )


def test_render_pdf_rejects_text_outside_the_core_font(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="outside the range"):
        render_pdf(["Łukasz Wiśniewski"], tmp_path / "x.pdf")


def test_example_postings_parse_with_slug_and_title() -> None:
    paths = sorted(POSTINGS_DIR.glob("*.md"))
    assert len(paths) >= 5
    slugs = set()
    for path in paths:
        post = frontmatter.load(str(path))
        assert post.get("slug"), path.name
        assert post.get("title"), path.name
        assert path.stem == post["slug"]
        assert len(post.content.split()) >= 150, path.name
        if "notify_email" in post.metadata:
            assert post["notify_email"] == f"hiring-{post['slug']}@example.com"
        slugs.add(post["slug"])
    assert set(DEMO_POSTING_SLUGS) <= slugs


def test_demo_applications_target_existing_postings(
    applications: list[DemoApplication],
) -> None:
    slugs = {frontmatter.load(str(p))["slug"] for p in POSTINGS_DIR.glob("*.md")}
    assert {a.posting_slug for a in applications} <= slugs
