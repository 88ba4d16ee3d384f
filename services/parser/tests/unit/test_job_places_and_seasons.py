"""Job headers that end with a place ("Camp Recess, Baltimore, MD") and jobs dated by season
("Summer 2014") or by two months and one year ("September to November 2007")."""

from datetime import date

import pytest

from hirestream.parser.domain import ExperienceEntry, build_profile
from hirestream.parser.domain.experience import employer_line, find_ranges, org_like
from hirestream.parser.domain.places import is_place, without_place

TODAY = date(2024, 6, 15)


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("Summer 2014", [("2014-06", "2014-08")]),
        ("Boutique, summer (2007)", [("2007-06", "2007-08")]),
        # "to date" / "till date": the "to" is the range's and its open end's at once
        ("2016 to date", [("2016-01", "present")]),
        ("Nov. 2008 to date: Managing Partner", [("2008-11", "present")]),
        ("August 2013 till date", [("2013-08", "present")]),
        ("4/1/2009 till date", [("2009-04", "present")]),
        ("September till date", []),  # a month without a year is no start
        ("Fall, 2002", [("2002-09", "2002-11")]),
        ("Summer 2001, Summer 2002", [("2001-06", "2001-08"), ("2002-06", "2002-08")]),
        ("Fall 2010-Spring 2013", [("2010-09", "2013-05")]),
        # the last summer of the span, not January of its year
        ("Summers 2009-2011", [("2009-06", "2011-08")]),
        ("Jan 2010 - Summer 2012", [("2010-01", "2012-08")]),
        ("Summer 2011 - Present", [("2011-06", "present")]),
        ("été 2019", [("2019-06", "2019-08")]),
        ("verano de 2018", [("2018-06", "2018-08")]),
        ("September to November 2007", [("2007-09", "2007-11")]),
        ("Feb to August, 2013", [("2013-02", "2013-08")]),
        ("Jan — Aug 2011", [("2011-01", "2011-08")]),
        # a first month later in the year than the second is in the year before
        ("Nov- Feb 2015", [("2014-11", "2015-02")]),
        # full dates: a number over 12 is the day; else the one that stays 1; else month first
        # with slashes, day first with dots and dashes
        ("2/1/2012 - Current", [("2012-02", "present")]),
        ("8/1/2008 - 1/1/2012", [("2008-08", "2012-01")]),
        ("from 04-09-2003 to 19-12-2007", [("2003-09", "2007-12")]),
        ("18/06/2014 - Present", [("2014-06", "present")]),
        ("01/05/2010 - 01/09/2012", [("2010-05", "2012-09")]),
        ("04.09.2003 - 05.10.2004", [("2003-09", "2004-10")]),
    ],
)
def test_seasons_and_a_range_of_months_in_one_year(text, ranges):
    assert [(r.start, r.end) for r in find_ranges(text)] == ranges


@pytest.mark.parametrize(
    "text", ["you may - June 2009", "summer reading", "Fall 20XX", "DOB: 12/09/1985"]
)
def test_words_that_look_like_seasons_or_months_are_not_dates(text):
    assert find_ranges(text) == []


@pytest.mark.parametrize("part", ["MD", "ON", "Nebraska", "Karnataka", "India", "England", "USA"])
def test_places(part):
    assert is_place(part)


@pytest.mark.parametrize("part", ["Md", "Java", "Acme", "Delta Airlines", "Teacher", "IT"])
def test_not_places(part):
    assert not is_place(part)


def test_a_place_tail_goes_with_its_town_but_never_the_last_part():
    assert without_place(["Pine Tree Elementary", "Houston", "TX"], org_like) == (
        ["Pine Tree Elementary"],
        True,
    )
    assert without_place(["Macy's", "MD"], org_like) == (["Macy's"], True)
    # an organisation before the region is not its town
    assert without_place(["Acme", "Heritage Bank", "AL"], org_like) == (
        ["Acme", "Heritage Bank"],
        True,
    )
    assert without_place(["Acme", "Lead"], org_like) == (["Acme", "Lead"], False)


@pytest.mark.parametrize(
    ("line", "employer"),
    [
        ("Camp Recess, Baltimore, MD", "Camp Recess"),
        ("LEXISNEXIS, New York, NY (subsidiary of HEWLETT PACKARD)", "LEXISNEXIS"),
        ("Oakland Business Schools, Oakland, CA| 2/2009", "Oakland Business Schools"),
        ("Heritage Bank, AL", "Heritage Bank"),
        # a town and its region, a role and a place, a role and an employer: no employer line
        ("Denver, Colorado", None),
        ("Software Engineer, Austin, TX", None),
        ("Principal, Pine Tree Elementary, Houston, TX", None),
    ],
)
def test_an_employer_line_written_with_its_place(line, employer):
    assert employer_line(line) == employer


def test_the_place_of_a_dated_job_is_not_its_employer():
    text = "Experience\nOwner and Manager, Pittsburgh, PA 1980 - 1987\n"
    p = build_profile(text, today=TODAY)
    assert p.experience == [ExperienceEntry("Owner and Manager", None, "1980-01", "1987-01")]


def test_an_employer_line_with_its_place_names_the_employer_of_the_job_below():
    text = (
        "Work Experience\nBergen Machine and Tool, Hackettstown, NJ\n"
        "April 2010 - June 2012\nMachine Operator\n"
    )
    p = build_profile(text, today=TODAY)
    assert p.experience == [
        ExperienceEntry("Machine Operator", "Bergen Machine and Tool", "2010-04", "2012-06")
    ]


def test_undated_headers_with_a_place_name_their_employers():
    text = (
        "Work Experience\n"
        "Sales Associate, Cheap & Tacky Clothing, Lincoln, NE\n"
        "Helped customers.\n\n"
        "Third Street Elementary School, Baltimore, MD\n"
        "Assisted the teacher.\n"
    )
    p = build_profile(text, today=TODAY, mentions=False)
    assert {(r.title, r.company) for r in p.roles} == {
        ("Sales Associate", "Cheap & Tacky Clothing"),
        (None, "Third Street Elementary School"),
    }


def test_a_summer_job_is_dated():
    text = "Experience\nCLEARWIRE - Kansas City, MO\nSales & Marketing Intern\nSummer 2014\n"
    p = build_profile(text, today=TODAY)
    assert [(e.title, e.start, e.end) for e in p.experience] == [
        ("Sales & Marketing Intern", "2014-06", "2014-08")
    ]
    assert p.total_experience_months == 3


@pytest.mark.parametrize(
    ("line", "title", "company"),
    [
        # a role that ends on its head noun, an organisation's word inside it
        (
            "Senior Training & Consulting Manager, Strategic Marketing Inc, 2004 to 2008",
            "Senior Training & Consulting Manager",
            "Strategic Marketing Inc",
        ),
        ("Paralegal, Smith & Associates, 2001 - 2004", "Paralegal", "Smith & Associates"),
        # a second role on the line is not the employer
        (
            "Product Marketing Manager, Key Account Manager 2000 - 2002",
            "Product Marketing Manager",
            None,
        ),
    ],
)
def test_roles_and_employers_on_one_dated_line(line, title, company):
    p = build_profile(f"Experience\n{line}\n", today=TODAY)
    assert [(e.title, e.company) for e in p.experience] == [(title, company)]


def test_the_employer_nearest_the_title_wins_over_a_farther_employer_line():
    text = (
        "Experience\n1255 University, Montreal, QC\n123 345-7890\nMutual Insurance Group\n"
        "May to October 1989\nComputer technician\n"
    )
    p = build_profile(text, today=TODAY)
    assert [(e.title, e.company) for e in p.experience] == [
        ("Computer technician", "Mutual Insurance Group")
    ]


def test_a_part_naming_only_a_skill_or_a_place_is_passed_over_for_the_employer():
    text = "Experience\nDirector of Engineering, Android\nTinder\n05/13-08/14\n"
    p = build_profile(text, today=TODAY)
    assert [(e.title, e.company) for e in p.experience] == [("Director of Engineering", "Tinder")]


def test_a_region_or_a_country_is_never_an_employer():
    p = build_profile("Jane Doe\n\nExperience\nCompany: West Bengal\n", today=TODAY)
    assert [r.company for r in p.roles if r.company] == []
    p = build_profile("Jane Doe\n\nExperience\nCompany: Bengal Tiles Ltd\n", today=TODAY)
    assert [r.company for r in p.roles if r.company] == ["Bengal Tiles Ltd"]


def test_training_proposes_no_employer_the_profile_would_not_report():
    from hirestream.parser.bench.train_mentions import MentionCv, _proposals
    from hirestream.parser.domain.mentions import COMPANY, OTHER, TITLE, MentionModel

    model = MentionModel({TITLE: {}, COMPANY: {"f": 2.0}, OTHER: {}}, {})
    cv = MentionCv(
        1,
        [(["f"], OTHER, "west bengal"), (["f"], COMPANY, "acme")],
        ruled={TITLE: [], COMPANY: []},
        gold={TITLE: [], COMPANY: ["acme"]},
        not_employers=frozenset({"west bengal"}),
    )
    assert _proposals(model, cv, COMPANY) == [("acme", 2.0)]


@pytest.mark.parametrize(
    ("block", "role"),
    [
        (
            "MICROSOFT CORPORATION\nSoftware Design Engineer\n",
            ("Software Design Engineer", "MICROSOFT CORPORATION"),
        ),
        ("Lecturer\nTelenor Networks\n", ("Lecturer", "Telenor Networks")),
    ],
)
def test_an_undated_title_line_beside_an_organisations_name(block, role):
    text = f"Jane Doe\n\nExperience\n{block}Taught courses on networking.\n"
    p = build_profile(text, today=TODAY, mentions=False)
    assert role in {(r.title, r.company) for r in p.roles}


def test_an_undated_title_line_beside_a_plain_phrase_names_no_employer():
    text = "Jane Doe\n\nExperience\nProject Manager\nDelivery Of Client Projects\n"
    p = build_profile(text, today=TODAY, mentions=False)
    assert [r.company for r in p.roles if r.company] == []


@pytest.mark.parametrize(
    ("line", "role"),
    [
        (
            "Full-time Instructor: Silver Adult Training Centre",
            ("Full-time Instructor", "Silver Adult Training Centre"),
        ),
        (
            "Police Officer (Department of Public Safety)",
            ("Police Officer", "Department of Public Safety"),
        ),
        # a zero-width space after the comma of a Google Docs export
        ("Android Instructor, \u200b", ("Android Instructor", None)),
    ],
)
def test_undated_title_lines_split_at_colons_and_brackets(line, role):
    p = build_profile(
        f"Jane Doe\n\nExperience\n{line}\nTaught adults.\n", today=TODAY, mentions=False
    )
    assert role in {(r.title, r.company) for r in p.roles}


def test_two_full_dates_apart_only_by_spaces_are_a_range() -> None:
    from hirestream.parser.domain.experience import restore_range_dashes

    text = "18/06/2009  30/10/2010  Trainee Lawyer"
    restored = restore_range_dashes(text)
    assert len(restored) == len(text)
    assert [(r.start, r.end) for r in find_ranges(restored)] == [("2009-06", "2010-10")]


@pytest.mark.parametrize(
    "part",
    [
        "SD Team member", "Founding member", "Member of Technical Staff", "PhD student",
        "Student Teaching", "Research Scholar", "shop leadman", "Park Ranger",
        "Chief, Aviation Security Branch", "Marketing content creator", "Headteacher",
    ],
)  # fmt: skip
def test_more_role_nouns(part: str) -> None:
    from hirestream.parser.domain.experience import is_title_part

    assert is_title_part(part)


@pytest.mark.parametrize(
    ("part", "organisation"),
    [
        ("Redpill Linpro AB", True),
        ("Thales Communications AS", True),
        ("Shell Nederland BV", True),
        ("Petronas Sdn Bhd", True),
        ("worked as", False),  # the word, not the legal form
        ("AS 9100 auditing", False),
    ],
)
def test_legal_forms_in_capitals_at_the_names_end(part: str, organisation: bool) -> None:
    assert org_like(part) is organisation
