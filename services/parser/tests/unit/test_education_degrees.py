"""Degree reading: fields split at "from" and colons, lead-ins, majors, more degree names, and
what is not a degree (boards, awards, degrees one teaches)."""

from datetime import date

import pytest

from hirestream.parser.domain import EducationEntry, build_profile

TODAY = date(2024, 6, 15)


def _education(body: str) -> list[EducationEntry]:
    return build_profile(f"Jane Roe\nEducation\n{body}", today=TODAY).education


def test_from_and_a_colon_separate_the_degree_from_its_school():
    assert _education("B.E from University of Madras in 2007\n") == [
        EducationEntry("B.E", "University of Madras", 2007)
    ]
    assert _education("Bachelor of Education (Honours): Monash University, 2011\n") == [
        EducationEntry("Bachelor of Education (Honours)", "Monash University", 2011)
    ]


def test_a_label_before_the_degree_is_not_its_name():
    assert [e.degree for e in _education("Course: Bachelor of Arts (Honours)\n2011\n")] == [
        "Bachelor of Arts (Honours)"
    ]


@pytest.mark.parametrize(
    ("line", "degree"),
    [
        ("Completed Masters in Immigration Law, California University",
         "Masters in Immigration Law"),
        ("Equivalent to a Bachelors Degree in IT, 2013", "Bachelors Degree in IT"),
    ],
)  # fmt: skip
def test_lead_in_words_are_trimmed(line, degree):
    assert [e.degree for e in _education(f"{line}\n")] == [degree]


@pytest.mark.parametrize(
    ("body", "degree"),
    [
        # on the degree's line
        (
            "Bachelor of Science and Engineering, Major in Computer Science, Minor in Mathematics"
            "  2000-2005\nUniversity of Pennsylvania\n",
            "Bachelor of Science and Engineering, Major in Computer Science, Minor in Mathematics",
        ),
        # on a line of its entry, up to its grade
        (
            "Associate of Arts, December 2007\n• Major: Consumer Economics, GPA: 3.26\n"
            "Golden State Community College\n",
            "Associate of Arts, Major: Consumer Economics",
        ),
        # the subject after a written-out degree, then its concentration
        (
            "Bachelor of Science, Kinesiology, Concentration in Exercise Science\n"
            "University of Minnesota, 2010\n",
            "Bachelor of Science Kinesiology, Concentration in Exercise Science",
        ),
        (
            "B.S., Engineering and Applied Science, concentration in Computer Science\n"
            "California Institute of Technology, 1995\n",
            "B.S. Engineering and Applied Science, concentration in Computer Science",
        ),
        # a degree whose name says its major already keeps it once
        ("BACHELOR OF ARTS, MAJOR IN MUSIC\nOklahoma City University, 2021\n",
         "BACHELOR OF ARTS, MAJOR IN MUSIC"),
    ],
)  # fmt: skip
def test_a_major_or_minor_belongs_to_the_degree(body, degree):
    assert [e.degree for e in _education(body)][:1] == [degree]


def test_the_major_gpa_is_not_a_major():
    body = "Bachelor of Science, Dec. 2004\nBirmingham-Southern College\nMajor GPA: 3.8/4.0\n"
    assert [e.degree for e in _education(body)] == ["Bachelor of Science"]


@pytest.mark.parametrize(
    ("line", "degree"),
    [
        ("Juris Doctor, Florida International University College of Law, 2014", "Juris Doctor"),
        ("Degree in Law Science, University of Verona, 2005", "Degree in Law Science"),
        ("Diplomado State Contracts, Universidad del Rosario, 1997", "Diplomado State Contracts"),
        ("A.A., Early Childhood Education, St Augustine College, 2010",
         "A.A. Early Childhood Education"),
    ],
)  # fmt: skip
def test_more_degree_names(line, degree):
    assert [e.degree for e in _education(f"{line}\n")] == [degree]


def test_a_lower_case_degree_in_is_running_text():
    assert _education("A degree in computer science is required\n") == []


@pytest.mark.parametrize(
    "line",
    [
        "PhD Scholarship, University of Verona, 2011",
        "Mathematics Master Scholarship, 2010",
        "5. Taken Classes for BE (IT) at Manipal Institute of Technology, 2009",
    ],
)
def test_awards_and_degrees_one_teaches_are_not_degrees(line):
    assert [e.degree for e in _education(f"{line}\n") if e.degree] == []


def test_a_school_board_is_not_a_degree():
    body = "B-tech in Electronics, College of Engineering, 2015\nCBSE\nODM Public School\n2011\n"
    assert [e.degree for e in _education(body)] == ["B-tech in Electronics"]


def test_schools_of_awards_and_societies_are_not_schools_attended():
    body = (
        "Bachelor of Education (Honours): Monash University, 2011\n"
        "Awarded Monash University Education Faculty Scholarship for academic success\n"
    )
    assert [e.institution for e in _education(body)] == ["Monash University"]


def test_outside_a_section_a_degree_reads_its_school_past_its_dates_and_the_next_degree():
    text = (
        "Master of Science in Special Education\nMay 2006\n"
        "Johns Hopkins University, Baltimore, Maryland\n"
        "Master of Education in Vocational Rehabilitation Counseling\n"
        "Master of Arts in Vocational Evaluation\nColumbia University, New York\n"
    )
    entries = build_profile(text, today=TODAY).education
    assert [(e.degree, e.institution, e.year) for e in entries] == [
        ("Master of Science in Special Education", "Johns Hopkins University", 2006),
        ("Master of Education in Vocational Rehabilitation Counseling", None, None),
        ("Master of Arts in Vocational Evaluation", "Columbia University", None),
    ]
    # a degree word alone, after no entry, is still too weak
    assert build_profile("Jane Roe\nSummary\nBachelor of Arts\n", today=TODAY).education == []
