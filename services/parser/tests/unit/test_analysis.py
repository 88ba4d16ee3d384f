"""Evidence (page, span, confidence), the quality gate, leadership months, collapsed lines."""

from __future__ import annotations

from datetime import date

import pytest

from hirestream.parser.domain.analysis import analyse
from hirestream.parser.domain.document import ExtractedText
from hirestream.parser.domain.experience import is_leadership_title, leadership_months
from hirestream.parser.domain.profile import build_profile
from hirestream.parser.domain.sections import EDUCATION, EXPERIENCE, heading_section
from hirestream.skills import Taxonomy, load_taxonomy

TODAY = date(2024, 6, 1)
PAGE_ONE = "Ana García\nana.garcia@example.es · +34 612 345 678\nExperiencia profesional\n"
PAGE_ONE += "Jefa de equipo, Acme SL\nEnero 2020 - actualmente\n"
PAGE_TWO = (
    "Habilidades\nPython, Kubernetes\nFormación\nGrado en Informática, Universidad de Sevilla, 2015"
)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def two_pages() -> ExtractedText:
    text = PAGE_ONE.strip() + "\n\n" + PAGE_TWO
    return ExtractedText(text, "application/pdf", (0, len(PAGE_ONE.strip()) + 2))


def test_every_field_points_at_its_page_and_characters(taxonomy: Taxonomy) -> None:
    document = two_pages()
    analysis = analyse(document, taxonomy, TODAY)
    evidence = {e.field: e for e in analysis.evidence}
    name = evidence["name"]
    assert (name.value, name.page) == ("Ana García", 1)
    assert document.text[name.start : name.end] == "Ana García"
    phone = evidence["phones[0]"]
    assert phone.value == "+34612345678" and phone.page == 1
    assert document.text[phone.start : phone.end] == "+34 612 345 678"
    skills = [e for e in analysis.evidence if e.field.startswith("skills")]
    assert {e.value for e in skills} >= {"Python", "Kubernetes"}
    assert all(e.page == 2 for e in skills)
    assert all(document.text[e.start : e.end].lower() == e.value.lower() for e in skills)
    assert all(0 < e.confidence <= 1 for e in analysis.evidence)


def test_ocr_text_lowers_confidence(taxonomy: Taxonomy) -> None:
    typed = analyse(two_pages(), taxonomy, TODAY)
    scanned_doc = two_pages()
    scanned = analyse(
        ExtractedText(scanned_doc.text, "application/pdf", scanned_doc.page_starts, (1, 2)),
        taxonomy,
        TODAY,
    )
    by_field = {e.field: e.confidence for e in typed.evidence}
    assert all(e.confidence < by_field[e.field] for e in scanned.evidence)


def test_leadership_months_count_lead_roles_only(taxonomy: Taxonomy) -> None:
    analysis = analyse(two_pages(), taxonomy, TODAY)
    assert analysis.leadership_months == 54  # Jan 2020 – Jun 2024 inclusive, "Jefa de equipo"
    assert leadership_months([("Software Engineer", "2015-01", "2019-12")], TODAY) == 0
    assert leadership_months([], TODAY) is None


@pytest.mark.parametrize(
    ("title", "leads"),
    [("Engineering Manager", True), ("Tech Lead", True), ("Directrice financière", True),
     ("Jefe de obra", True), ("Assistant Manager", False), ("Software Engineer", False),
     ("Management Trainee", False), (None, False)],
)  # fmt: skip
def test_leadership_titles(title: str | None, leads: bool) -> None:
    assert is_leadership_title(title) is leads


def test_a_complete_cv_passes_the_quality_gate(taxonomy: Taxonomy) -> None:
    quality = analyse(two_pages(), taxonomy, TODAY).quality
    assert quality.usable and quality.reasons == []


def test_an_invoice_is_not_a_cv(taxonomy: Taxonomy) -> None:
    text = "FACTURE N° 2024-118\nDate d'échéance : 30/06/2024\nQuantité  Prix unitaire\n"
    text += "Formation Python  2  600,00\nSous-total 1200,00\nN° TVA FR123\nTotal TTC 1440,00"
    analysis = analyse(ExtractedText(text, "text/plain"), taxonomy, TODAY)
    assert analysis.rejection is not None and analysis.rejection[0] == "not_a_cv"
    assert "invoice" in analysis.rejection[1]
    assert not analysis.quality.usable


def test_a_cover_letter_is_not_a_cv(taxonomy: Taxonomy) -> None:
    text = "Dear Hiring Manager,\n\nI am writing to apply for the nurse position at your clinic."
    text += " I have cared for patients for ten years.\n\nSincerely,\nJane Doe"
    analysis = analyse(ExtractedText(text, "text/plain"), taxonomy, TODAY)
    assert analysis.rejection == (
        "not_a_cv",
        "reads as a letter (salutation and closing, no CV sections)",
    )


def test_a_cv_with_a_cover_note_is_still_a_cv(taxonomy: Taxonomy) -> None:
    text = "Dear Sir or Madam,\nPlease find my CV below.\nKind regards,\nJane Doe\n"
    text += "jane@example.com\nExperience\nNurse, City Hospital\n2016 - 2020\n"
    text += "Education\nBSc Nursing, University of Leeds, 2016"
    assert analyse(ExtractedText(text, "text/plain"), taxonomy, TODAY).rejection is None


def test_a_profile_without_name_or_contact_is_flagged_not_filled(taxonomy: Taxonomy) -> None:
    text = "Experience\nWelder, Acme Corp\n2016 - 2020\nSkills\nTIG welding"
    analysis = analyse(ExtractedText(text, "text/plain"), taxonomy, TODAY)
    assert analysis.profile.name is None and analysis.profile.emails == []
    assert analysis.quality.usable is False
    assert analysis.quality.reasons == ["no_name", "no_contact", "no_name_and_contact"]


def test_a_cv_collapsed_onto_one_line_is_split_back(taxonomy: Taxonomy) -> None:
    filler = "  ".join(f"Built service {i} in Python" for i in range(8))
    text = (
        '"Jane Doe  jane@example.com  WORK EXPERIENCE  Software Engineer, Acme Corp  '
        f"March 2016  June 2019  {filler}  EDUCATION  BSc Computer Science  "
        "University of Leeds  2012 to 2016"
    )
    profile = build_profile(text, taxonomy, TODAY)
    assert profile.name == "Jane Doe"
    assert [(e.title, e.company, e.start, e.end) for e in profile.experience] == [
        ("Software Engineer", "Acme Corp", "2016-03", "2019-06")
    ]
    assert [(e.degree, e.institution, e.year) for e in profile.education] == [
        ("BSc Computer Science", "University of Leeds", 2016)
    ]


@pytest.mark.parametrize(
    ("line", "section"),
    [("RETAIL EXPERIENCE", EXPERIENCE), ("Teaching Experience", EXPERIENCE),
     ("Academic Qualifications", EDUCATION), ("Formación académica", EDUCATION),
     ("Expérience professionnelle", EXPERIENCE), ("I have experience", None),
     ("Over 10 years of experience", None)],
)  # fmt: skip
def test_headings(line: str, section: str | None) -> None:
    assert heading_section(line) == section
