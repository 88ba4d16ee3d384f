"""Section headings written two ways or run into their first entry, and a job title with its
town run into it."""

from datetime import date

import pytest

from hirestream.parser.domain import build_profile
from hirestream.parser.domain.employers import employer as employer_or_none
from hirestream.parser.domain.normalise import normalise
from hirestream.parser.domain.sections import (
    EDUCATION,
    EXPERIENCE,
    SKILLS,
    SUMMARY,
    heading_section,
    split_lines,
)

TODAY = date(2024, 6, 15)


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("Career Experience/Job History", EXPERIENCE),
        ("EMPLOYMENT RECORD", EXPERIENCE),
        ("Employment Record:", EXPERIENCE),
        ("Job History", EXPERIENCE),
        ("Employment Details", EXPERIENCE),
        ("Employment Law Specialist 2019", None),  # a title with a year, not a heading
        # "Qualifications" after another word is what the candidate can do; alone or
        # academic, the education section
        ("SUMMARY OF QUALIFICATIONS", SUMMARY),
        ("Key Qualifications:", SKILLS),
        ("Qualifications", EDUCATION),
        ("Academic Qualifications", EDUCATION),
        # a heading naming experience is experience, whatever it ends with
        ("Related Experience in Education", EXPERIENCE),
        ("Teaching Experience", EXPERIENCE),
        ("INTERNSHIPS", EXPERIENCE),
        ("PROFESSIONAL TRAINEESHIP", EXPERIENCE),
        ("CURRENT POSITION", EXPERIENCE),
    ],
)
def test_headings(text: str, section: str | None) -> None:
    assert heading_section(text) == section


def test_a_heading_run_into_the_first_job_opens_the_section() -> None:
    text = (
        "Skills\nC#, Java, Python\n"
        "Experience Disney Interactive Media Group January 2008 - Present\n"
        "Sr. Web Developer, North Hollywood, CA\n"
        "Built internal applications.\n"
    )
    normalised = normalise(text)
    assert len(normalised) == len(text)  # offsets stay valid
    lines = split_lines(normalised)
    assert [(line.text, line.is_heading) for line in lines[2:4]] == [
        ("Experience", True),
        ("Disney Interactive Media Group January 2008 - Present", False),
    ]
    assert lines[3].section == EXPERIENCE
    job = build_profile(text, today=TODAY, mentions=False).experience[0]
    assert (job.company, job.title, job.start) == (
        "Disney Interactive Media Group", "Sr. Web Developer", "2008-01",
    )  # fmt: skip


def test_a_two_word_heading_run_into_an_employer_is_split() -> None:
    assert normalise("Work Experience Carnegie Mellon University") == (
        "Work Experience\nCarnegie Mellon University"
    )


@pytest.mark.parametrize(
    "line",
    [
        "Experience in Oracle Hyperion Products (September 2017 onwards)",  # a sentence
        "Volunteer, Soup Kitchen, 2009-Present",  # a role, not the "Volunteer" heading
        "Education Specialist, Acme Schools, 2010 - 2012",  # a title that begins as a heading
        "Experience Carnegie Mellon University",  # one heading word before an undated name
        "Computer Skills: Windows, Word, 2010 - 2013",  # only entry sections are split
        "Experience 2008 - 2012 at Acme",  # no capitalised entry after the heading
        "Work Experience",  # the heading alone
    ],
)
def test_a_sentence_or_a_bare_heading_is_not_split(line: str) -> None:
    assert normalise(line) == line


def test_the_town_run_into_a_title_before_its_state_is_cut_off() -> None:
    text = (
        "Experience\nXylin August 2003 - December 2007\n"
        "Owner/Web Developer West Hills, California\nSole proprietor of a web design firm.\n"
    )
    job = build_profile(text, today=TODAY, mentions=False).experience[0]
    assert (job.title, job.company) == ("Owner/Web Developer", "Xylin")


def test_what_follows_a_titles_colon_is_kept() -> None:
    text = (
        "Experience\n2010 - 2012\nDirector/Producer: Atlantis Documentary, Los Angeles, CA\n"
        "Directed a feature documentary.\n"
    )
    titles = [job.title for job in build_profile(text, today=TODAY, mentions=False).experience]
    assert titles == ["Director/Producer: Atlantis Documentary"]


@pytest.mark.parametrize(
    ("company", "kept"),
    [
        ("November 2008", False),  # a date read as the employer
        ("September [year]", False),  # a template's placeholder
        ("Updated: 10. August 2014", False),
        ("cleaned up the architecture", False),  # prose
        ("faculty member of the United States International", False),
        ("and Caesarstone", False),  # the rest of a list
        ("the Institute of Information Technology", True),
        ("invivodata®", True),  # a brand written in small letters
        ("teleperformance microsoft", True),
        ("Acme Corp", True),
        ("Client Services Inc", True),  # "Client" here is the name's, not a label
        ("Atlanta Legal Aid Society", True),  # a society employs people too
        ("Graduation Committee", False),
        # template placeholders, headings, a word cut at the line's end
        ("Fall [year]", False),
        ("Fall 07", False),
        ("Somewhere", False),
        ("Interim Department Chair", False),  # a role read as the employer
        ("Summer Street Partners", True),  # a season's word, no year
        ("XXXX Technologies India", False),
        ("CAREER OVERVIEW", False),
        ("Tele-", False),
        # labelled fields: another field's value is not an employer
        ("Software: Adobe Photoshop", False),
        ("Project 2: ECCI", False),
        ("Environment: Microsoft", False),
    ],
)
def test_dates_prose_and_other_fields_are_not_employers(company: str, kept: bool) -> None:
    from hirestream.skills import load_taxonomy

    assert (employer_or_none(company, load_taxonomy()) == company) is kept


@pytest.mark.parametrize(
    ("company", "employer"),
    [
        ("ORGANISATION HCL Technologies Ltd", "HCL Technologies Ltd"),
        ("Client: Whitbread PLC", "Whitbread PLC"),
        ("Company Name: Acme Ltd", "Acme Ltd"),
    ],
)
def test_the_employers_own_label_is_cut_off(company: str, employer: str) -> None:
    from hirestream.skills import load_taxonomy

    assert employer_or_none(company, load_taxonomy()) == employer


def test_a_memberships_heading_is_not_a_job_header() -> None:
    assert heading_section("MEMBERSHIPS") is not None
    assert heading_section("Professional Affiliations") is not None


def test_an_undated_header_that_ends_with_a_lone_year_names_its_role_and_employer() -> None:
    text = (
        "EXPERIENCE\n"
        "Learning Problems Resource Teacher, Chesapeake High School, Baltimore, MD, 1976 to 1980\n"
        "Fourth Grade Teacher, General Wolfe Elementary School, Baltimore, MD, 1976\n"
        "Business Teacher, Treeville High School, Treeville, Nebraska, 19xx-20xx\n"
        "Microsoft, Product Manager, Redmond, WA 2006\n"
    )
    roles = {(r.title, r.company) for r in build_profile(text, today=TODAY, mentions=False).roles}
    assert ("Fourth Grade Teacher", "General Wolfe Elementary School") in roles
    assert ("Business Teacher", "Treeville High School") in roles
    assert ("Product Manager", "Microsoft") in roles


def test_a_lettered_subheading_stays_in_its_section() -> None:
    text = (
        "Employment History\nA. Higher Education\n2015 - present\n"
        "Department Head & Associate Professor, Wichita State University\n"
        "B. Education\nPh.D., Syracuse University, 2001\n"
    )
    sections = [(line.text, line.section) for line in split_lines(text)]
    assert sections[1] == ("A. Higher Education", EXPERIENCE)
    assert sections[3][1] == EXPERIENCE
    assert sections[4] == ("B. Education", EDUCATION)  # a section named outright


def test_an_objectives_organisation_a_person_and_a_phrase_are_not_employers() -> None:
    text = (
        "OBJECTIVE: Seeking a position as a Web Developer at AT Tech utilizing my skills.\n"
        "EXPERIENCE\n"
        "I worked with Ian at Native Title Services Victoria for two years.\n"
        "Legal Advisor and Attorney at Law in the field of commercial law.\n"
    )
    roles = build_profile(text, today=TODAY, mentions=False).roles
    companies = {r.company for r in roles}
    assert not companies & {"AT Tech", "Ian", "Law"}
    assert "Web Developer" in {r.title for r in roles}  # the wished role is still read


def test_a_templates_city_field_is_not_an_employer() -> None:
    from hirestream.skills import load_taxonomy

    assert employer_or_none("City", load_taxonomy()) is None
    assert employer_or_none("Law for Iraqi", load_taxonomy()) is None
    assert employer_or_none("Lawson Products", load_taxonomy()) == "Lawson Products"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the dated line's own place is where the job was; the employer is the line above
        (
            "PROFESSIONAL EXPERIENCE\nRising Sun\nRapid City, SD | January 2015 - Present\n"
            "Special Education Teacher\n",
            ("Special Education Teacher", "Rising Sun"),
        ),
        # the end of a sentence begun on the line above is not part of the header
        (
            "EXPERIENCE\nWrote applications that worked with\n"
            "relational databases (Oracle, FrontBase, DB2, and Sybase).\n"
            "Software Engineer, Edmark\nJanuary 1996 - April 1998\n",
            ("Software Engineer", "Edmark"),
        ),
        # nor is the rest of a sentence in small letters, begun on the line above
        (
            "EXPERIENCE\nWrote Visual Basic user survey (costing $80,000) conducted once every 2"
            " years to guide\n"
            "product development and to measure competitive threats and user satisfaction\n"
            "Veristage, Senior Consultant, 2000-2001\n",
            ("Senior Consultant", "Veristage"),
        ),
        # a header in small letters, in fields, is still one
        (
            "EXPERIENCE\nvoice and accent trainer\nteleperformance microsoft -  Jaipur, Rajasthan -"
            "\nOctober 2014 to February 2015\n",
            ("voice and accent trainer", "teleperformance microsoft"),
        ),
        # "--" sets the employer apart as a dash does
        (
            "EXPERIENCE\nIVORY SYSTEMS -- Drupal Developer, October 2012 - February 2013\n",
            ("Drupal Developer", "IVORY SYSTEMS"),
        ),
        # a company named like its product, on a job board's employer line
        (
            "WORK EXPERIENCE\nSenior Corporate Account Executive\n"
            "MongoDB -  Gurgaon, Haryana -\nMay 2016 to Present\n",
            ("Senior Corporate Account Executive", "MongoDB"),
        ),
        (
            "WORK EXPERIENCE\nTechnical Support Engineer\nSAP -  Bengaluru, Karnataka -\n"
            "November 2017 to February 2018\n",
            ("Technical Support Engineer", "SAP"),
        ),
    ],
)
def test_which_part_of_a_header_is_theemployer_or_none(
    text: str, expected: tuple[str, str]
) -> None:
    job = build_profile(text, today=TODAY, mentions=False).experience[0]
    assert (job.title, job.company) == expected


def test_a_bullet_that_opens_with_worked_for_names_the_employer() -> None:
    text = (
        "EXPERIENCE\n"
        "• Worked for National Informatics Centre under multiple payrolls from Apr 2014 to "
        "Oct 2015\n"
    )
    profile = build_profile(text, today=TODAY, mentions=False)
    companies = {r.company for r in profile.roles} | {j.company for j in profile.experience}
    assert "National Informatics Centre" in companies


@pytest.mark.parametrize(
    ("title", "plausible"),
    [
        ("Managed team of 3 developers", False),
        ("Supervise Student Teachers", False),
        ("Working with Engineers", False),
        ("Delivered Google Assistant", False),
        ("Design Engineer", True),
        ("Support Engineer", True),
        ("Help Desk Technician", True),
        ("Build Engineer", True),
        ("Managing Director", True),
        ("Assistant Manager", True),
    ],
)
def test_a_duty_is_not_a_title(title: str, plausible: bool) -> None:
    from hirestream.parser.domain.roles import _plausible

    assert _plausible(title) is plausible


def test_a_role_and_a_name_set_apart_by_a_dash() -> None:
    text = (
        "EXPERIENCE\nProgramme Manager - Dream a Dream\nAnalyst - Operations\n"
        "Software Engineer - Automation & Testing\n"
    )
    roles = {(r.title, r.company) for r in build_profile(text, today=TODAY, mentions=False).roles}
    assert ("Programme Manager", "Dream a Dream") in roles
    companies = {company for _, company in roles}
    assert not companies & {"Operations", "Automation & Testing"}  # the role's field
