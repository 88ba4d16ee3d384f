"""Job-board layouts, roles named outside dated jobs, and education entries laid out in blocks."""

from datetime import date

import pytest

from hirestream.parser.domain import EducationEntry, ExperienceEntry, build_profile
from hirestream.parser.domain.experience import find_ranges

TODAY = date(2024, 6, 15)

JOB_BOARD = """Asha Rao
Senior Associate Consultant - Infosys

Bengaluru, Karnataka - Email me on Indeed: asha@example.com

• Working as a software engineer with Exilant Technologies Pvt. Ltd. from June 2015 to May 2016.

WORK EXPERIENCE

Senior Associate Consultant

Infosys Limited -  Bangalore Urban, Karnataka -

July 2017 to Present

- Project Management Office lead for a utility client

software engineer

Oracle, Business Objects -

June 2015 to June 2017

EDUCATION

B-tech in Electronics and Telecommunication

College of Engineering -  Bhubaneshwar, Orissa

2015

Pratibha Junior College

2011
"""


def test_job_board_layout_title_employer_line_dates():
    p = build_profile(JOB_BOARD, today=TODAY)
    assert p.experience == [
        ExperienceEntry("Senior Associate Consultant", "Infosys Limited", "2017-07", "present"),
        # "Business Objects" is also SAP's BI product, a skill: the part naming only a skill
        # is passed over and the employer is Oracle, which had bought the company.
        ExperienceEntry("software engineer", "Oracle", "2015-06", "2017-06"),
    ]
    # The place after the employer's dash is not the employer.
    assert all("Karnataka" not in (e.company or "") for e in p.experience)


def test_roles_named_outside_dated_jobs_are_reported_with_their_span():
    p = build_profile(JOB_BOARD, today=TODAY)
    roles = {(r.title, r.company) for r in p.roles}
    assert ("Senior Associate Consultant", "Infosys") in roles  # the headline under the name
    assert ("software engineer", "Exilant Technologies Pvt. Ltd") in roles
    for role in p.roles:
        assert role.span is not None
        written = JOB_BOARD[role.span[0] : role.span[1]]
        assert (role.title or role.company or "") in written
    # Mentions do not count as months worked: only the two dated jobs do.
    assert p.total_experience_months == (2024 - 2015) * 12 + 1


def test_education_block_degree_school_line_year_and_a_school_alone():
    p = build_profile(JOB_BOARD, today=TODAY)
    assert p.education == [
        EducationEntry(
            "B-tech in Electronics and Telecommunication", "College of Engineering", 2015
        ),
        EducationEntry(None, "Pratibha Junior College", 2011),
    ]


@pytest.mark.parametrize(
    ("text", "title", "company"),
    [
        ("Position: Technical Support Engineer\nCompany: Microsoft Corporation", None, None),
        ("I worked as Team Lead at Wipro for four years", "Team Lead", "Wipro"),
        ("Seeking a position as a Web Developer", "Web Developer", None),
        ("J'ai travaillé comme comptable chez Fiducial", "comptable", "Fiducial"),
        ("He trabajado como enfermera en Hospital La Paz", "enfermera", "Hospital La Paz"),
    ],
)
def test_roles_in_fields_and_sentences(text, title, company):
    p = build_profile(f"Jane Doe\n\nSummary\n{text}\n", today=TODAY)
    found = {(r.title, r.company) for r in p.roles}
    if title is None:  # labelled fields: one mention each
        assert ("Technical Support Engineer", None) in found
        assert (None, "Microsoft Corporation") in found
    else:
        assert (title, company) in found


@pytest.mark.parametrize(
    "text",
    [
        "Team player who works well as a member of any group",
        "Used Python as well as agents for monitoring",
        "Member of the Society of Automotive Engineers",
    ],
)
def test_generic_words_and_societies_are_not_roles(text):
    p = build_profile(f"Jane Doe\n\nSummary\n{text}\n", today=TODAY)
    assert [r for r in p.roles if r.title] == []


def test_an_employer_that_names_only_a_skill_is_dropped():
    text = "Experience\nABAP Developer\nSAP ABAP -\nDecember 2011 to March 2012\n"
    p = build_profile(text, today=TODAY)
    assert p.experience == [ExperienceEntry("ABAP Developer", None, "2011-12", "2012-03")]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("09/14-Present", "2014-09", "present"),
        ("05/13-08/14", "2013-05", "2014-08"),
        ("20132015", "2013-01", "2015-01"),
        ("2016present", "2016-01", "present"),
        ("September 2017 onwards", "2017-09", "present"),
        ("since Oct 2008 to Jan 2014", "2008-10", "2014-01"),
        ("depuis janvier 2020", "2020-01", "present"),
        ("desde 2018", "2018-01", "present"),
        ("Marzo 2019 - actualidad", "2019-03", "present"),
    ],
)
def test_more_date_ranges(text, start, end):
    ranges = find_ranges(text)
    assert [(r.start, r.end) for r in ranges] == [(start, end)]


@pytest.mark.parametrize("text", ["19552023", "12/34", "Call 05/13 or 08/14", "ref 2016201"])
def test_numbers_that_are_not_ranges(text):
    assert find_ranges(text) == []


def test_date_then_employer_then_title_below():
    text = "Career Experience\n2004-2007\nBay Journal\nEditor\nEdited incoming news.\n"
    p = build_profile(text, today=TODAY)
    assert p.experience == [ExperienceEntry("Editor", "Bay Journal", "2004-01", "2007-01")]


def test_a_place_line_is_not_the_employer():
    text = "Experience\nPrudential\nNewark, New Jersey\n1997-1999\nProject Manager:\n"
    p = build_profile(text, today=TODAY)
    assert p.experience == [ExperienceEntry("Project Manager", "Prudential", "1997-01", "1999-01")]


@pytest.mark.parametrize(
    ("line", "degree"),
    [
        ("b.tech in computer science", "b.tech in computer science"),
        (
            "Bachelors Degree in Business Administration",
            "Bachelors Degree in Business Administration",
        ),
        # the subject written in the next field belongs to the degree
        (
            "Masters, Business Administration, University of Florida",
            "Masters Business Administration",
        ),
        # "from" opens the school's field
        ("B.E from University of Madras in 2007", "B.E"),
    ],
)
def test_degree_spellings(line, degree):
    p = build_profile(f"Education\n{line}\n", today=TODAY)
    assert [e.degree for e in p.education][:1] == [degree]


@pytest.mark.parametrize("line", ["Scheduling using MS Project", "Bachelor thesis on start-ups"])
def test_not_degrees(line):
    assert build_profile(f"Education\n{line}\n", today=TODAY).education == []


def test_french_and_spanish_sections_and_dates():
    fr = (
        "Jean Dupont\nExpérience professionnelle\nComptable chez Acme SA depuis 2019\n"
        "Formation\nLicence de gestion, Université de Lille, 2016\n"
    )
    p = build_profile(fr, today=TODAY)
    assert p.experience == [ExperienceEntry("Comptable", "Acme SA", "2019-01", "present")]
    assert p.education == [EducationEntry("Licence de gestion", "Université de Lille", 2016)]
    es = (
        "María López\nExperiencia laboral\nEnfermera, Hospital del Mar\n2015 - actualmente\n"
        "Formación\nGrado en Enfermería\nUniversidad de Barcelona\n2014\n"
    )
    p = build_profile(es, today=TODAY)
    assert p.experience == [ExperienceEntry("Enfermera", "Hospital del Mar", "2015-01", "present")]
    assert p.education == [EducationEntry("Grado en Enfermería", "Universidad de Barcelona", 2014)]


def test_dates_written_above_an_entry_are_its_year_unless_the_entry_above_took_them():
    text = (
        "Education\n2013 – 2015\nMSc in Finance\nBI Norwegian Business School\n"
        "BSc in Economics\nUniversity of Oslo\n2012\n"
    )
    p = build_profile(text, today=TODAY)
    assert p.education == [
        EducationEntry("MSc in Finance", "BI Norwegian Business School", 2015),
        EducationEntry("BSc in Economics", "University of Oslo", 2012),
    ]


def test_language_levels_are_cefr():
    text = (
        "Jane Doe\nLanguages\nEnglish (native), German (fluent), Italian: advanced\n"
        "Spanish - intermediate, French (basic), Dutch: courant (B2)\n"
    )
    levels = {e.language: e.level for e in build_profile(text, today=TODAY).languages}
    assert levels == {"en": "C2", "de": "C1", "it": "C1", "es": "B1", "fr": "A2", "nl": "B2"}


def test_a_degree_line_read_as_a_heading_is_still_a_degree():
    text = "Education\nAssociate's Degree - Education\n1998\nGalley Community College\n"
    assert build_profile(text, today=TODAY).education == [
        EducationEntry("Associate's Degree", "Galley Community College", 1998)
    ]


def test_a_degree_named_outside_the_education_section_needs_its_school_or_year():
    text = (
        "Jane Roe\nExperience\nScholastic Profile:\nB.E from University of Madras in 2007\n"
        "Bachelor of Ceremonies for the annual gala\nEducation\nMSc in Finance, LSE, 2010\n"
    )
    degrees = [(e.degree, e.year) for e in build_profile(text, today=TODAY).education]
    assert ("B.E", 2007) in degrees
    assert ("MSc in Finance", 2010) in degrees
    assert not any("Ceremonies" in (d or "") for d, _ in degrees)


def test_a_bare_degree_takes_its_subject_from_the_line_below():
    text = "Education\nBS\nElectrical Engineering, 1991: Rutgers University, New Brunswick\n"
    assert [e.degree for e in build_profile(text, today=TODAY).education] == [
        "BS Electrical Engineering"
    ]
    # A line of its own below the degree may be anything: not taken as the subject.
    text = "Education\nBCA\nKgisl\nPSG College, 2012\n"
    assert [e.degree for e in build_profile(text, today=TODAY).education] == ["BCA"]


def test_schools_far_from_any_entry_are_not_schools_attended():
    filler = "".join(f"Served on panel number {n}\n" for n in range(6))
    text = (
        "Education\nPh.D., University of Wisconsin, 1984\n"
        f"{filler}Harvard University, 2009\nPrinceton University Press, 1997\n"
    )
    entries = build_profile(text, today=TODAY).education
    assert [e.institution for e in entries] == ["University of Wisconsin"]
    near = "Education\nPh.D., University of Wisconsin, 1984\nHarvard University, 2009\n"
    assert [e.institution for e in build_profile(near, today=TODAY).education] == [
        "University of Wisconsin",
        "Harvard University",
    ]


def _education(text: str) -> list[tuple[str | None, str | None, int | None]]:
    profile = build_profile(text, today=TODAY, mentions=False)
    return [(e.degree, e.institution, e.year) for e in profile.education]


def test_dates_above_every_entry_are_read_as_the_section_writes_them():
    # The first entry's dates sit above it, so the dates below a degree are the next entry's
    # (before: the PhD took 2008 and the MSc "2016 to date" from the job below).
    text = (
        "Education\n2012\nPhD in Computer Science, Lodz University of Technology\n"
        "Thesis: Orthogonal wavelet synthesis.\n2008\n"
        "MSc in Computer Science, Lodz University of Technology\nThesis: Fingerprints.\n"
        "Academic career\n2016 to date\nResearch Associate\n"
    )
    assert [(d, y) for d, _, y in _education(text)] == [
        ("PhD in Computer Science", 2012),
        ("MSc in Computer Science", 2008),
    ]


def test_dates_above_the_school_that_heads_an_entry():
    text = (
        "EDUCATION\nJune 2015\nNorthwestern University, Evanston, IL\n"
        "Master of Science in Higher Education Administration\nMasters Research Project\n"
        "June 2012\nBachelor of Science in Psychology\n"
    )
    assert _education(text)[0] == (
        "Master of Science in Higher Education Administration",
        "Northwestern University",
        2015,
    )


def test_a_school_with_its_own_dates_below_a_dated_degree_opens_the_next_entry():
    text = (
        "EDUCATION\nMarietta College Bachelor of Arts, Marietta, Ohio, August 2007 - May 2011\n"
        "• Major in Psychology, Minor in Spanish\n"
        "Ursuline College, Pepper Pike, Ohio, August 2014\n"
        "• M. Ed. Special Education Mild to Moderate\nEXPERIENCE\n"
    )
    assert [(s, y) for _, s, y in _education(text)] == [
        (None, 2011),
        ("Ursuline College", 2014),
    ]


def test_a_school_above_the_degree_when_the_one_below_follows_its_dates():
    text = (
        "ACADEMIC QUALIFICATIONS\nNuneaton University\nBSc (Hons)\nSales Management\n"
        "2008 - 2011\nCoventry Central College\nA levels:\n"
    )
    assert _education(text)[0] == ("BSc (Hons)", "Nuneaton University", 2011)


def test_lower_case_schools_and_their_own_years():
    text = (
        "EDUCATION\nBSc in Computer Science\nvasundhara womens\n2015\n"
        "narayana jr.college\n2012\nSKILLS\nJava\n"
    )
    assert _education(text) == [
        ("BSc in Computer Science", None, 2015),
        (None, "narayana jr.college", 2012),
    ]


@pytest.mark.parametrize(
    ("line", "degree"),
    [
        ("BA English Studies and Marketing Management, Oxford Brookes, 1998 -2001",
         "BA English Studies and Marketing Management"),
        ("1999 -2003: BA Commercial and Industrial Arts, Milwaukee Institute of Art Design",
         "BA Commercial and Industrial Arts"),
        ("\uf06cBachelors in Arts, Clifford College, Ohio, 2002", "Bachelors in Arts"),
        ("Feb 2008 -Nov 2010 Bachelor of Arts, Monash University", "Bachelor of Arts"),
    ],
)  # fmt: skip
def test_degrees_after_dates_bullets_and_capital_abbreviations(line, degree):
    assert _education(f"Education\n{line}\n")[0][0] == degree


def test_a_state_abbreviation_is_not_a_degree():
    assert _education("Education\nBoston, MA Harvard Extension\nma English\n") == []


@pytest.mark.parametrize(
    ("line", "degree"),
    [
        ("BS, Business Management, University of Phoenix, 1999", "BS Business Management"),
        ("Ed.D., Educational Finance and Policy", "Ed.D. Educational Finance and Policy"),
        ("BS - Behavioral Science", "BS Behavioral Science"),
        # a town after the degree is not its subject
        ("MBA, Austin, TX, 2010", "MBA"),
    ],
)
def test_a_bare_degree_takes_its_subject_from_the_next_field(line, degree):
    assert _education(f"Education\n{line}\n")[0][0] == degree


def test_degrees_written_after_the_candidates_name():
    text = "Todd Kertzmann, MBA, PMP\ntodd@example.com\nExperience\nProgram manager, Acme\n"
    profile = build_profile(text, today=TODAY, mentions=False)
    assert [(e.degree, e.institution, e.year) for e in profile.education] == [("MBA", None, None)]
    assert [c.name for c in profile.certifications] == ["Project Management Professional"]
    # a degree the education section already names is not listed twice
    text += "Education\nMBA, Harvard Business School, 2010\n"
    assert [e.institution for e in build_profile(text, today=TODAY).education] == [
        "Harvard Business School"
    ]


def test_a_role_with_a_heading_word_in_it_is_a_title():
    text = (
        "Dana Reyes\ndana@example.com\n\nEXPERIENCE\n"
        "Resource Specialist Teacher, Blue Waters Elementary, South Springs, TX\n"
        "July 2000-June 2004\n"
        "General Education Teacher, Core Avenue Elementary, Valley, TX\n"
        "July 1996-June 2000\n"
    )
    profile = build_profile(text, today=TODAY, mentions=False)
    jobs = [(e.title, e.company) for e in profile.experience]
    assert jobs == [
        ("Resource Specialist Teacher", "Blue Waters Elementary"),
        ("General Education Teacher", "Core Avenue Elementary"),
    ]
