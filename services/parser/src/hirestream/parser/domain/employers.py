"""Whether what a reader took for an employer can be one: not a place, a date, a phrase of
prose, another field's value or a name made only of skills."""

from __future__ import annotations

import re

from hirestream.parser.domain.experience import MONTH_NAMES, org_like
from hirestream.parser.domain.places import is_place
from hirestream.skills import Taxonomy

# A committee, a council or a team one sits on is not an employer; nor is a form's placeholder.
_NOT_AN_EMPLOYER = re.compile(
    r"\b(?:committee|council|workgroup|task\s+force)\b"
    # a heading or a template's words: "CAREER OVERVIEW", "Other positions held", "SAMPLE
    # RESUME", "Fall [year]", "XXXX Technologies India", "Tele-" cut at a line's end
    r"|\b(?:overview|honou?rs|positions\s+held|sample|resume|curriculum)\b|\[|\bx{3,}\b|-$"
    r"|^somewhere$|\bchair\b"  # a template's "Somewhere"; "Interim Department Chair" is a role
    r"|^(?:company|employer|organi[sz]ation)(?:\s+name)?$|^(?:remunerated|grades?|confidential)$"
    # a template's field ("Sales Associate, City, MD"), the "at Law" of "Attorney at Law"
    r"|^(?:city|town|state|country)$|^law(?:\s+for\b.*)?$",
    re.IGNORECASE,
)


# A field's label written before its value: the employer's own labels, and the others.
_FIELD_LABEL = re.compile(
    r"(?:((?-i:ORGANI[SZ]ATION|COMPANY|EMPLOYER|CLIENT)\s(?=\S)"
    r"|(?:organi[sz]ation|company|employer|client|firm)(?:\s+name)?\s*:)"
    r"|(?:projects?(?:\s+\d+)?|software|technolog(?:y|ies)|environment|tools|title|role"
    r"|platforms?|skills)\s*:)\s*",
    re.IGNORECASE,
)
# A month or a season and a year ("Fall 07", a template's "[year]") in a name: a date read as
# the employer.
_DATED = re.compile(
    rf"\b(?:{MONTH_NAMES}|spring|summer|fall|autumn|winter)\b\.?,?\s*(?:\d{{4}}|\[|'?\d\d\b)",
    re.IGNORECASE,
)
# A phrase of prose read as a name: three words or more opening with a word in small letters
# that is not an article or a preposition ("cleaned up the architecture", "faculty member of
# the United States International"), or the rest of a list ("and Caesarstone"). "the
# Institute of Information Technology", "invivodata®", "teleperformance microsoft" stay.
_PROSE = re.compile(
    r"(?:and|or)\s"
    r"|(?!(?:the|at|through|with|for|by|of|in|to|from|a|an)\s)[a-z]+\s+\S+\s+\S"
)


def employer(company: str | None, taxonomy: Taxonomy) -> str | None:
    """The employer, unless it is a region or a country ("West Bengal", "UK") or names only
    skills ("SAP ABAP -", "Microsoft SharePoint"): a job-board field filled with a technology,
    or a product read as an organisation. Employers that are also skills by name (Oracle,
    Microsoft) stay when written alone."""
    if company and (label := _FIELD_LABEL.match(company)):
        # "ORGANISATION HCL Technologies Ltd", "Client: Whitbread PLC" name the employer;
        # "Software: Adobe Photoshop", "Project 2: ECCI", "Environment: Microsoft" do not.
        if not label.group(1):
            return None
        company = company[label.end() :]
    if not company or _NOT_AN_EMPLOYER.search(company) or is_place(company):
        return None
    if _DATED.search(company) or _PROSE.match(company):
        return None  # "November 2008", "September [year]"; "cleaned up the architecture"
    words = company.split()
    covered = sum(len(m.surface.split()) for m in taxonomy.find(company))
    if covered >= len(words) and (len(words) > 1 or not org_like(company)):
        return None
    return company
