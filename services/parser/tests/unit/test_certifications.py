"""Certifications, licences and courses: read only where the text says so, named through the
taxonomy when it knows the credential, with issuer, year and evidence."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from hirestream.parser.domain import CertificationEntry, build_profile
from hirestream.parser.domain.analysis import analyse
from hirestream.parser.domain.document import ExtractedText
from hirestream.parser.domain.sections import split_lines
from hirestream.parser.offline import parse_path
from hirestream.skills import Taxonomy, load_taxonomy

TODAY = date(2024, 6, 15)


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return load_taxonomy()


def certifications(text: str, taxonomy: Taxonomy) -> list[CertificationEntry]:
    return build_profile(text, taxonomy, TODAY, mentions=False).certifications


def triples(text: str, taxonomy: Taxonomy) -> list[tuple[str, str | None, int | None]]:
    return [(c.name, c.issuer, c.year) for c in certifications(text, taxonomy)]


EN_SECTION = """Dana Whitfield
dana@example.com

CERTIFICATIONS
Project Management Professional (PMP), Project Management Institute, 2019
Red Hat Certified Engineer (RHCE), 2021
E-Learning Ecologies by University of Illinois on Coursera. Certificate
earned on March 16, 2015
"""


def test_a_certifications_section_gives_name_issuer_and_year(taxonomy: Taxonomy) -> None:
    assert triples(EN_SECTION, taxonomy) == [
        # PMP is a credential the taxonomy knows: its canonical name
        ("Project Management Professional", "Project Management Institute", 2019),
        # unknown to the taxonomy: as written; the vendor opening the name is its issuer
        ("Red Hat Certified Engineer (RHCE)", "Red Hat", 2021),
        # a course certificate, its date on the wrapped line below
        ("E-Learning Ecologies", "University of Illinois", 2015),
    ]


def test_entries_keep_how_the_cv_writes_them(taxonomy: Taxonomy) -> None:
    pmp = certifications(EN_SECTION, taxonomy)[0]
    assert pmp.written == "Project Management Professional (PMP)"
    assert (pmp.known, pmp.in_section) == (True, True)
    assert pmp.span is not None
    assert EN_SECTION[pmp.span[0] : pmp.span[1]] == pmp.written


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # English credential phrases outside any certifications section
        ("Cisco Certified Network Associate (CCNA), 2018", ("CCNA", "Cisco", 2018)),
        ("Holds a PMP certification since 2016", ("Project Management Professional", None,
                                                   2016)),
        ("Licensed Clinical Professional Counselor (LCPC) - Kansas",
         ("Licensed Clinical Professional Counselor (LCPC)", None, None)),
        ("Nova Scotia Teacher's License", ("Nova Scotia Teacher's License", None, None)),
        ("RN license, Texas Board of Nursing", ("RN license", "Texas Board of Nursing", None)),
        ("Certificate in Equality and Diversity", ("Certificate in Equality and Diversity", None,
                                                   None)),
        ("Safety Certifications: Red Cross CPR and First Aid", ("Red Cross CPR", None, None)),
        # French
        ("Certifié Scrum Master (PSM I) depuis 2020", ("Scrum Master", None, 2020)),
        ("Certificat de Compétences en Langue Anglaise", (
            "Certificat de Compétences en Langue Anglaise", None, None)),
        # Spanish
        ("Certificado de Profesionalidad en Gestión Contable, SEPE, 2017",
         ("Certificado de Profesionalidad en Gestión Contable", None, 2017)),
        ("Certificación ITIL Foundation otorgado por AXELOS",
         ("Certificación ITIL Foundation", "AXELOS", None)),
        # German
        ("Zertifizierter Scrum Master (PSM I)", ("Scrum Master", None, None)),
    ],
)  # fmt: skip
def test_credential_phrases(
    line: str, expected: tuple[str, str | None, int | None], taxonomy: Taxonomy
) -> None:
    text = f"Alex Morgan\nalex@example.com\nExperience\n{line}\n"
    assert triples(text, taxonomy)[:1] == [expected]


def test_a_taxonomy_credential_needs_no_credential_word(taxonomy: Taxonomy) -> None:
    # CISSP is in the taxonomy's "Certifications" category: a credential wherever it is written.
    text = "Sam Lee\nsam@example.com\nSummary\nSecurity engineer, CISSP, ten years in banking.\n"
    assert [(c.name, c.known) for c in certifications(text, taxonomy)] == [("CISSP", True)]


@pytest.mark.parametrize(
    "line",
    [
        "Managed SSL certificates and the certificate authority for 40 servers.",
        "Renewed software licenses and negotiated license agreements with vendors.",
        "Our plant is ISO 9001 certified since 2012.",
        "Developed License Manager Suite for the sales team.",
        "Board member, Missouri Board of Licensed Clinical Social Workers, 1991 - 1998",
        "Received a Certificate of Excellence from the CEO, 2014",
        "Certificado médico de aptitud, 2019",
        "certified the accounts of three subsidiaries",
        "Python, Django, PostgreSQL, Kubernetes",  # skills are not credentials
    ],
)
def test_lines_that_are_not_credentials(line: str, taxonomy: Taxonomy) -> None:
    text = f"Alex Morgan\nalex@example.com\nExperience\n{line}\n"
    assert certifications(text, taxonomy) == []


def test_a_french_licence_is_a_degree_not_a_licence(taxonomy: Taxonomy) -> None:
    text = (
        "Claire Martin\nclaire@example.fr\nFormation\nLicence en droit, Université de Lyon, 2015\n"
    )
    profile = build_profile(text, taxonomy, TODAY, mentions=False)
    assert profile.certifications == []
    assert [e.degree for e in profile.education] == ["Licence en droit"]


def test_a_credential_a_cv_repeats_is_one_entry(taxonomy: Taxonomy) -> None:
    text = (
        "Hal Smith, MBA\nhal@example.com\nSummary\nProject manager with a PMP certification.\n"
        "Certifications\nProject Management Professional (PMP), Project Management Institute\n"
    )
    assert triples(text, taxonomy) == [
        ("Project Management Professional", "Project Management Institute", None)
    ]


def test_a_section_line_without_a_credential_cue_is_not_an_entry(taxonomy: Taxonomy) -> None:
    text = (
        "Ana Ruiz\nana@example.es\nCertificaciones\nCisco Certified Network Associate\n"
        "Networking Academy\nMadrid\nMemberships\nInformation Systems (PMI-ISSIG)\n"
    )
    assert [c.name for c in certifications(text, taxonomy)] == ["CCNA"]


def test_a_wrapped_credential_is_read_whole(taxonomy: Taxonomy) -> None:
    text = (
        "Jo Park\njo@example.com\nCERTIFICATIONS\nMCSD, Microsoft Certified\nSolution Developer\n"
    )
    (entry,) = certifications(text, taxonomy)
    assert (entry.name, entry.issuer) == ("Microsoft Certified Solution Developer", "Microsoft")
    assert text[entry.span[0] : entry.span[1]] == "Microsoft Certified\nSolution Developer"  # type: ignore[index]


def test_certifications_heading_in_four_languages() -> None:
    for heading in ("Certifications", "Certificats", "Certificaciones", "Zertifikate"):
        (line,) = split_lines(heading)
        assert line.section == "certifications" and line.is_heading


def test_stored_profile_carries_confidence_and_span(taxonomy: Taxonomy) -> None:
    document = ExtractedText(EN_SECTION, "text/plain")
    analysis = analyse(document, taxonomy, TODAY)
    stored = analysis.stored(document)
    assert stored["certifications"][0] == {
        "name": "Project Management Professional",
        "issuer": "Project Management Institute",
        "year": 2019,
    }
    evidence = {e["field"]: e for e in stored["evidence"]}
    pmp, course = evidence["certifications[0]"], evidence["certifications[2]"]
    assert pmp["value"] == "Project Management Professional (PMP)"
    assert EN_SECTION[pmp["start"] : pmp["end"]] == pmp["value"] and pmp["page"] == 1
    # known to the taxonomy and listed under the heading: surer than a course read as written
    assert pmp["confidence"] > course["confidence"] > 0


def test_parse_json_lists_certifications(tmp_path: Path) -> None:
    path = tmp_path / "cv.txt"
    path.write_text(
        "Lucía Fernández\nlucia@example.es\nExperiencia profesional\n"
        "Enfermera, Hospital Clínic\nMarzo 2019 - actualmente\n"
        "Certificaciones\nSoporte Vital Básico (BLS), American Heart Association, 2022\n",
        encoding="utf-8",
    )
    result, _ = parse_path(path, today=TODAY)
    json.dumps(result)
    assert result["certifications"] == [
        {"name": "Basic Life Support", "issuer": "American Heart Association", "year": 2022}
    ]
    assert any(e["field"] == "certifications[0]" for e in result["evidence"])
