from datetime import date

import pytest

from hirestream.parser.domain import (
    EducationEntry,
    ExperienceEntry,
    LanguageEntry,
    Profile,
    build_profile,
    merge_months,
)
from hirestream.parser.domain.experience import find_ranges
from hirestream.parser.domain.languages import detect_language

TODAY = date(2024, 6, 15)

NURSE_EN = """CURRICULUM VITAE
Jane Doe, RN
Chicago, IL 60601 | jane.doe@example.com | (312) 555-0147 | linkedin.com/in/janedoe

PROFESSIONAL SUMMARY
Registered Nurse with 7 years of experience in critical care, triage and wound care.

WORK EXPERIENCE
Charge Nurse, Northwestern Memorial Hospital    Jan 2019 – Present
- Supervised a team of 8 nurses; charting in Epic; IV therapy and medication administration.
Staff Nurse — Rush University Medical Center, Chicago    06/2016 - 12/2018

EDUCATION
Bachelor of Science in Nursing (BSN), University of Illinois Chicago, 2016

CERTIFICATIONS
BLS, ACLS, PALS

LANGUAGES
English (native), Spanish (B2)
"""

ACCOUNTANT_EN = """Resume

MICHAEL O'BRIEN
Senior Accountant
Dublin, Ireland · +353 87 123 4567 · michael.obrien@example.ie

Experience
Senior Accountant at KPMG Ireland
2019 - Present
Month-end close, IFRS reporting, bank reconciliations and payroll in Xero and SAP.
Accountant, PwC
2016-2019
Accounts Payable Clerk, Ryanair (2015 - 2017)

Education
ACCA, Dublin Business School, 2016
"""

ACCOUNTANT_FR = """Curriculum Vitae

Claire MARTIN
Comptable confirmée
12 rue des Lilas, 69003 Lyon
claire.martin@exemple.fr  |  06 12 34 56 78  |  linkedin.com/in/claire-martin

PROFIL
Comptable avec plus de 8 ans d'expérience dans la tenue de la comptabilité générale, la clôture
mensuelle et la préparation des déclarations de TVA pour des PME et des groupes.

EXPÉRIENCE PROFESSIONNELLE
Comptable senior — Groupe Seb, Écully        depuis 2019
Clôture mensuelle et annuelle sous SAP, rapprochements bancaires, comptabilité fournisseurs.
Comptable — Cabinet Fiducial, Lyon        03/2015 - 12/2018
Tenue de la comptabilité de 40 clients sur Sage et Excel, déclarations de TVA, paie.

FORMATION
Master Comptabilité Contrôle Audit (CCA), Université Lyon 3, 2015

LANGUES
Français : langue maternelle
Anglais : courant (C1)
Espagnol : notions
"""

NURSE_ES = """María José García López
Enfermera — Madrid, España
mariajose.garcia@correo.es · +34 612 345 678

PERFIL PROFESIONAL
Enfermera con 10 años de experiencia en cuidados intensivos, triaje y curas de heridas. Manejo de
historia clínica electrónica y administración de medicación.

EXPERIENCIA PROFESIONAL
Enfermera de UCI, Hospital Universitario La Paz, Madrid
2016 – actualmente
Enfermera, Hospital General de Toledo
Enero 2012 - Diciembre 2015

FORMACIÓN
Grado en Enfermería, Universidad Complutense de Madrid, 2011

IDIOMAS
Español: nativo
Inglés: B2
"""


def skill_names(profile: Profile) -> list[str]:
    return [s.name for s in profile.skills]


# --- whole CVs ------------------------------------------------------------------------------


def test_english_nurse_cv():
    p = build_profile(NURSE_EN, today=TODAY)
    assert p.name == "Jane Doe"
    assert p.emails == ["jane.doe@example.com"]
    assert p.phones == ["+13125550147"]  # the "06/2016 - 12/2018" range is not a phone
    assert p.links == ["https://linkedin.com/in/janedoe"]
    assert p.location == "Chicago, IL"
    for skill in (
        "Registered Nurse",
        "Critical Care",
        "Triage",
        "Wound Care",
        "Epic",
        "IV Therapy",
        "Medication Administration",
        "Basic Life Support",
        "Advanced Cardiovascular Life Support",
    ):
        assert skill in skill_names(p)
    assert p.experience == [
        ExperienceEntry("Charge Nurse", "Northwestern Memorial Hospital", "2019-01", "present"),
        ExperienceEntry("Staff Nurse", "Rush University Medical Center", "2016-06", "2018-12"),
    ]
    assert p.total_experience_months == 66 + 31  # Jan 2019–Jun 2024, Jun 2016–Dec 2018
    assert p.education == [
        EducationEntry(
            "Bachelor of Science in Nursing (BSN)", "University of Illinois Chicago", 2016
        )
    ]
    assert p.languages == [LanguageEntry("en", "C2"), LanguageEntry("es", "B2")]
    assert p.language == "en"


def test_english_accountant_cv_with_overlapping_jobs():
    p = build_profile(ACCOUNTANT_EN, today=TODAY)
    assert p.name == "Michael O'Brien"
    assert p.phones == ["+353871234567"]  # a country code parses whatever the region hint
    assert p.emails == ["michael.obrien@example.ie"]
    assert p.location == "Dublin, Ireland"
    assert {"Month-End Close", "IFRS", "Bank Reconciliation", "Payroll", "Xero", "SAP"} <= set(
        skill_names(p)
    )
    assert [(e.title, e.company, e.start, e.end) for e in p.experience] == [
        ("Senior Accountant", "KPMG Ireland", "2019-01", "present"),
        ("Accountant", "PwC", "2016-01", "2019-01"),
        ("Accounts Payable Clerk", "Ryanair", "2015-01", "2017-01"),
    ]
    # 2015-01 .. 2024-06 without gaps: the overlapping 2015–2017 and 2016–2019 count once.
    assert p.total_experience_months == 114


def test_french_accountant_cv():
    p = build_profile(ACCOUNTANT_FR, today=TODAY)
    assert p.language == "fr"
    assert p.name == "Claire Martin"
    assert p.emails == ["claire.martin@exemple.fr"]
    assert p.phones == ["+33612345678"]  # national format, read under the CV's language region
    assert p.location == "Lyon"
    assert {
        "Month-End Close",
        "VAT",
        "SAP",
        "Bank Reconciliation",
        "Accounts Payable",
        "Payroll",
        "Microsoft Excel",
    } <= set(skill_names(p))
    assert p.experience == [
        ExperienceEntry("Comptable senior", "Groupe Seb", "2019-01", "present"),
        ExperienceEntry("Comptable", "Cabinet Fiducial", "2015-03", "2018-12"),
    ]
    assert p.total_experience_months == 66 + 46
    assert p.education == [
        EducationEntry("Master Comptabilité Contrôle Audit (CCA)", "Université Lyon 3", 2015)
    ]
    assert p.languages == [
        LanguageEntry("fr", "C2"),  # langue maternelle
        LanguageEntry("en", "C1"),  # courant (C1)
        LanguageEntry("es", "A2"),  # notions
    ]


def test_spanish_nurse_cv():
    p = build_profile(NURSE_ES, today=TODAY)
    assert p.language == "es"
    assert p.name == "María José García López"
    assert p.phones == ["+34612345678"]
    assert p.location == "Madrid, España"
    assert {
        "Critical Care",
        "Triage",
        "Wound Care",
        "Electronic Health Records",
        "Medication Administration",
    } <= set(skill_names(p))
    assert p.experience == [
        ExperienceEntry("Enfermera de UCI", "Hospital Universitario La Paz", "2016-01", "present"),
        ExperienceEntry("Enfermera", "Hospital General de Toledo", "2012-01", "2015-12"),
    ]
    assert p.total_experience_months == 102 + 48
    assert p.education == [
        EducationEntry("Grado en Enfermería", "Universidad Complutense de Madrid", 2011)
    ]
    assert p.languages == [LanguageEntry("es", "C2"), LanguageEntry("en", "B2")]


# --- fields stay empty rather than guessed ---------------------------------------------------


def test_missing_fields_stay_empty():
    p = build_profile("Curriculum Vitae\n\nResume\n\nSkills: negotiation, Salesforce", today=TODAY)
    assert p.name is None
    assert p.emails == p.phones == p.links == []
    assert p.location is None
    assert p.experience == [] and p.total_experience_months is None
    assert p.education == [] and p.languages == []
    assert skill_names(p) == ["Negotiation", "Salesforce"]


def test_empty_text_gives_an_empty_profile():
    assert build_profile("", today=TODAY) == Profile()


@pytest.mark.parametrize(
    "header",
    [
        "RESUME\nSenior Software Engineer\nSan Jose, CA",
        "Curriculum Vitae\nDigital Marketing\nProfessional Summary",
        "Project Manager | London, United Kingdom",
    ],
)
def test_headings_titles_and_places_are_not_names(header):
    assert build_profile(header, today=TODAY).name is None


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("JOHN SMITH\nAccountant", "John Smith"),
        ("Name: Ana Lucía Pérez\nNationality: Mexican", "Ana Lucía Pérez"),
        ("Resume of Darell Cormier  LOS ANGELES", "Darell Cormier"),
        ("Hal Schmeler, MS (CS), PMP\n232 Olive Ave", "Hal Schmeler"),
        ("Ivan Keeling 87 Some Example Street\nKansas City, MO 52364", "Ivan Keeling"),
        ("Jean-Pierre de la Fontaine\nIngénieur", "Jean-Pierre de la Fontaine"),
    ],
)
def test_name_is_read_from_the_header(header, name):
    assert build_profile(header, today=TODAY).name == name


def test_phones_are_e164_and_deduplicated():
    text = "Tel: +44 20 7946 0958 / 020 7946 0958 (UK)\nMobile: +1 415-555-0132\n+44 20 7946 0958"
    p = build_profile(text, today=TODAY, region="GB")
    assert p.phones == ["+442079460958", "+14155550132"]


def test_skills_inside_emails_and_urls_are_ignored_and_evidence_is_short():
    text = (
        "Contact: python.dev@example.com, https://github.com/jdoe/kubernetes-tools\n"
        "Built data pipelines in Python and SQL for a logistics company, " + "x " * 200
    )
    p = build_profile(text, today=TODAY)
    assert {"Data Pipelines", "Python", "SQL"} <= set(skill_names(p))
    assert "Kubernetes" not in skill_names(p)
    for skill in p.skills:
        assert len(skill.evidence) <= 120
    assert all(s.name.split()[0].lower() in s.evidence.lower() for s in p.skills)
    assert p.links == ["https://github.com/jdoe/kubernetes-tools"]


# --- dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("Jan 2019 – Present", "2019-01", "present"),
        ("2016-2019", "2016-01", "2019-01"),
        ("03/2018 - 06/2020", "2018-03", "2020-06"),
        ("2019 – actualmente", "2019-01", "present"),
        ("depuis 2019", "2019-01", "present"),
        ("janv. 2018 à mars 2020", "2018-01", "2020-03"),
        ("enero de 2019 - presente", "2019-01", "present"),
        ("seit 2020", "2020-01", "present"),
        ("September 2017 to Current", "2017-09", "present"),
        ("2018-03 – 2019-11", "2018-03", "2019-11"),
    ],
)
def test_date_ranges_in_several_languages(text, start, end):
    ranges = find_ranges(f"Accountant, Acme  {text}")
    assert [(r.start, r.end) for r in ranges] == [(start, end)]


def test_a_range_that_ends_before_it_starts_is_ignored():
    assert find_ranges("2020 - 2018") == []


def test_merge_months_counts_overlaps_once():
    ranges = [("2015-01", "2017-01"), ("2016-01", "2019-01"), ("2019-02", "present")]
    assert merge_months(ranges, date(2024, 6, 15)) == 114


def test_merge_months_keeps_gaps_and_clips_at_today():
    today = date(2024, 6, 1)
    assert merge_months([("2010-01", "2010-12"), ("2012-01", "2012-06")], today) == 18
    assert merge_months([("2023-01", "2030-12")], today) == 18
    assert merge_months([("2025-01", "present")], today) == 0
    assert merge_months([("2020-05", None)], today) == 1
    assert merge_months([], today) == 0


def test_build_profile_uses_the_given_today():
    text = "Experience\nNurse, City Hospital  Jan 2020 – Present"
    assert build_profile(text, today=date(2020, 12, 31)).total_experience_months == 12
    assert build_profile(text, today=date(2021, 12, 31)).total_experience_months == 24


@pytest.mark.parametrize(
    "layout",
    [
        "Software Engineer, Acme Corp  2016 - 2019",
        "2016 - 2019  Software Engineer at Acme Corp",
        "Acme Corp\nSoftware Engineer\n2016 - 2019",
        "Acme Corp  2016 - 2019\nSoftware Engineer\n- Built billing services.",
    ],
)
def test_job_title_and_employer_in_common_layouts(layout):
    p = build_profile(f"Experience\n{layout}\n", today=TODAY)
    assert p.experience == [ExperienceEntry("Software Engineer", "Acme Corp", "2016-01", "2019-01")]


def test_education_dates_are_not_experience():
    text = "Education\nBSc Computer Science, University of Leeds  2012 - 2015\n"
    p = build_profile(text, today=TODAY)
    assert p.experience == [] and p.total_experience_months is None
    assert p.education == [EducationEntry("BSc Computer Science", "University of Leeds", 2015)]


# --- language of the document ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("I have worked as a nurse for seven years and I am looking for a role.", "en"),
        ("J'ai travaillé comme comptable pendant huit ans et je cherche un poste.", "fr"),
        ("He trabajado como enfermera durante diez años en el hospital.", "es"),
        ("Ich habe acht Jahre als Buchhalterin gearbeitet und suche eine Stelle.", "de"),
        ("Python, SQL, Docker, Kubernetes, AWS", None),
    ],
)
def test_document_language(text, code):
    assert detect_language(text) == code
