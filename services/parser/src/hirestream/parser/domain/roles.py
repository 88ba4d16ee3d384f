"""Roles and employers the CV names outside its dated jobs: the headline under the name
("Software Engineer - Disney"), labelled fields ("Position: Technical Support Engineer",
"Company: Microsoft Corporation"), sentences ("working as a software engineer with Exilant
Technologies", "seeking a position as a Web Developer") and undated job headers.

A recruiter reads these as facts about the candidate's career even when no dates come with them;
they do not count towards months of experience. Each mention keeps the span it was read from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hirestream.parser.domain.experience import (
    _COMPANY,
    _NOT_A_FIELD,
    _TITLE,
    _TITLE_WORDS,
    Job,
    employer_line,
    find_ranges,
    is_title_part,
    org_like,
)
from hirestream.parser.domain.places import is_place, without_place
from hirestream.parser.domain.sections import (
    EDUCATION,
    EXPERIENCE,
    SKILLS,
    SUMMARY,
    Line,
    fold,
    word_set,
)


@dataclass(frozen=True, slots=True)
class Role:
    title: str | None
    company: str | None
    start: int  # character span of the mention in the CV text
    end: int


_HEADLINE_LINES = 4
_MAX_TITLE_WORDS = 7

# A role ends with its head noun ("Senior Software Engineer", "Director of Engineering").
_HEAD = re.compile(rf"(?:{_TITLE_WORDS})s?$", re.IGNORECASE)
_WORD = r"[A-Za-zÀ-ÿ][\w&'’./+\-]*"
_LABELLED_TITLE = re.compile(
    r"(?:^|\(|\b)(?:position(?:\s+held)?|designation|job\s+title|title|current\s+role|role"
    r"|poste|cargo|puesto)\s*[:\-–]\s*(?P<value>[^|;()\n]{2,80})",
    re.IGNORECASE,
)
_LABELLED_COMPANY = re.compile(
    r"(?:^|\(|\b)(?:company(?:\s+name)?|employer|organi[sz]ation|firm|entreprise|soci[ée]t[ée]"
    r"|empresa|employeur)\s*[:\-–]\s*(?P<value>[^|;()\n]{2,80})",
    re.IGNORECASE,
)
# "working as a software engineer with Exilant", "worked as Team Lead in HCL", "as a Web
# Developer", "en tant que comptable chez", "como enfermera en".
_AS = re.compile(
    r"\b(?:as|en\s+tant\s+que|comme|como)\s+(?:an?\s+|the\s+|un\s+|une\s+|una?\s+)?"
    rf"(?P<title>{_WORD}(?:\s+{_WORD}){{0,{_MAX_TITLE_WORDS}}})",
    re.IGNORECASE,
)
_EMPLOYER_AFTER = re.compile(
    r"\s*,?\s*(?:with|in|at|for|chez|en|à|au|@)\s+(?:the\s+)?"
    r"(?P<company>[A-Z][\w&'’.\-]*(?:\s+(?:&\s+|of\s+|and\s+|de\s+)?[A-Z][\w&'’.\-]*){0,5})"
)
# Words that end a title phrase inside a sentence.
_STOP = word_set(
    """with in at for from since till until to on where and who which that during having i my
    by under chez en à au dans depuis pour avec con desde hasta para y"""
)
_NOT_EMPLOYER = re.compile(
    r"^(?:client|project|team|company|organi[sz]ation|india|usa|us|uk|present|the|a|an"
    r"|january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)$",
    re.IGNORECASE,
)


# A lone generic word is not a role worth reporting ("as a leader", "member"); nor is the name
# of a society or a journal ("Society of Automotive Engineers").
_GENERIC = word_set(
    "member members leader leaders professional professionals associate associates volunteer"
    " consultants manager managers representative representatives expert experts partner"
)
_NOT_A_ROLE = re.compile(
    r"\b(?:society|association|conference|journal|orchestra|honou?rs?|honorary|examiners"
    r"|committee|workgroup)\b|^(?:well|such|per)\b",
    re.IGNORECASE,
)


# The verbs duty bullets open with: "Managed team of 3 developers", "Supervise Student
# Teachers", "Working with Engineers" are duties, not titles.
_DUTY_VERB = re.compile(
    # (past forms only where the bare verb names roles too: "Design Engineer", "Support
    # Analyst", "Help Desk Technician", "Build Engineer", "Teach For America")
    r"(?:manag(?:e|ed)|deliver(?:ed)?|develop(?:ed)?|led|supervis(?:e|ed)|work(?:ed|ing)"
    r"|handl(?:e|ed)|coordinat(?:e|ed)|creat(?:e|ed)|designed|implement(?:ed)?"
    r"|maintain(?:ed)?|perform(?:ed)?|prepar(?:e|ed)|provid(?:e|ed)|trained|wrote"
    r"|assist(?:ed)?|supported|organi[sz](?:e|ed)|conduct(?:ed)?|built|reviewed"
    r"|taught|helped|responsible)\b",
    re.IGNORECASE,
)


def _plausible(title: str) -> bool:
    return not (
        fold(title) in _GENERIC
        or _NOT_A_ROLE.search(title)
        or len(title.split()) > _MAX_TITLE_WORDS
        or _DUTY_VERB.match(title)
    )


_WORKED_AS = re.compile(r"(?:work(?:ed|ing)|employed|comme|como|en tant que)\b")


def _title_phrase(words: Sequence[str]) -> str | None:
    """The longest leading run of words that ends on a role's head noun."""
    kept: list[str] = []
    for word in words:
        bare = word.strip(".,;:")
        if fold(bare) in _STOP and kept:
            break
        kept.append(bare)
        if word != bare:
            break
    for end in range(len(kept), 0, -1):
        phrase = " ".join(kept[:end])
        if _HEAD.search(phrase) and not _COMPANY.search(phrase):
            return phrase
    return None


def _employer(text: str) -> str | None:
    m = _EMPLOYER_AFTER.match(text)
    if not m:
        return None
    company = m.group("company").rstrip(".,")
    if _NOT_EMPLOYER.match(company) or find_ranges(company) or _TITLE.search(company):
        return None
    return company


def _field(value: str) -> str | None:
    value = re.split(r"\s{2,}|\s[-–]\s|,\s", value.strip())[0].strip(" .,:;-–")
    if not value or len(value.split()) > 8 or _NOT_A_FIELD.search(value):
        return None
    if not any(c.isalpha() for c in value) or find_ranges(value):
        return None
    return value


def _headline(lines: Sequence[Line]) -> list[Role]:
    """The role (and employer) written under the name: "Senior Consultant - Infosys"."""
    found = []
    for line in lines[:_HEADLINE_LINES]:
        if line.section is not None or line.is_heading:
            break
        if "@" in line.text or sum(c.isdigit() for c in line.text) >= 4 or len(line.text) > 80:
            continue
        parts = re.split(r"\s+[-–—|]\s+|\s+at\s+|\s+@\s+", line.text, maxsplit=1)
        title = parts[0].strip(" ,")
        if not _TITLE.search(title) or _COMPANY.search(title):
            continue
        if len(title.split()) > _MAX_TITLE_WORDS or not _HEAD.search(title.rstrip(".")):
            # "Senior software engineer with more than 9 years of experience in C, C++"
            phrase = _title_phrase(title.split())
            if phrase is None or len(parts) == 2:
                continue
            title, parts = phrase, [phrase]
        company = parts[1].strip(" ,-") if len(parts) == 2 else None
        if company and (_TITLE.search(company) or find_ranges(company)):
            company = None
        found.append(Role(title, company or None, line.start, line.start + len(line.text)))
    return found


def _labelled(line: Line) -> list[Role]:
    found = []
    for pattern, is_title in ((_LABELLED_TITLE, True), (_LABELLED_COMPANY, False)):
        for m in pattern.finditer(line.text):
            value = _field(m.group("value"))
            if value is None:
                continue
            start = line.start + m.start("value")
            if is_title:
                if _TITLE.search(value):
                    found.append(Role(value, None, start, start + len(value)))
            elif not _TITLE.search(value) or _COMPANY.search(value):
                found.append(Role(None, value, start, start + len(value)))
    return found


def _sentences(line: Line) -> list[Role]:
    found = []
    for m in _AS.finditer(line.text):
        title = _title_phrase(m.group("title").split())
        if title is None or not _plausible(title):
            continue
        introduced = fold(line.text[max(0, m.start() - 14) : m.start("title")])
        if not title[0].isupper() and len(title.split()) < 2 and not _WORKED_AS.search(introduced):
            continue  # "as lead": a lone lower-case word in a sentence is too weak
        after = line.text[m.start("title") + len(title) :]
        company = None if _WISHED.search(line.text[: m.start()]) else _employer(after)
        start = line.start + m.start("title")
        found.append(Role(title, company, start, start + len(title)))
    return found


_LINE_SPLIT = re.compile(r"\s+(?:at|@|for|with|chez)\s+|\s*[,|;()\[\]]\s*|:\s+|\s+[-–—]\s+|\s*/\s*")


def _role_title(piece: str) -> bool:
    piece = piece.strip()
    return bool(
        piece
        and (piece[0].isupper() or piece[0].isdigit())
        and len(piece.split()) <= _MAX_TITLE_WORDS
        and _HEAD.search(piece.rstrip(".:"))
        and not _COMPANY.search(piece)
        and _plausible(piece)
    )


def _title_lines(lines: Sequence[Line], dated: set[int]) -> list[Role]:
    """Short experience lines made of roles and an employer: "Marketing Specialist – Hardware
    Programs Lead", "ARLINGTON CORPORATION, Product Development Specialist", "Editor at Bay
    Journal"."""
    found = []
    for i, line in enumerate(lines):
        text = line.text.rstrip(":")
        if line.section != EXPERIENCE or line.is_heading or i in dated or len(text) > 80:
            continue
        if text.endswith(".") or text[:1] in "-•*·–●➢○▪":
            continue
        pieces = [p.strip(" .:") for p in _LINE_SPLIT.split(text) if p.strip(" .:")]
        if pieces and _YEAR_PART.fullmatch(pieces[-1]):
            pieces.pop()  # "Fourth Grade Teacher, General Wolfe Elementary, Baltimore, MD, 1976"
        elif pieces and (year := _TRAILING_YEAR.search(pieces[-1])):
            # "Microsoft, Product Manager, Redmond, WA 2006": the state runs into the year
            pieces[-1] = pieces[-1][: year.start()]
        titles = [p for p in pieces if _role_title(p)]
        # "Receptionist, Heritage Bank of Huntsville, AL": the place is where the job was, and
        # a header that ends with one names its employer before it.
        others, placed = without_place([p for p in pieces if p not in titles], org_like)
        if not titles or len(others) > 2:
            continue
        orgs = [p for p in others if org_like(p)]
        named = len(others) == 1 and (
            _AT_WORD.search(text) or placed or (_DASHED.search(text) and _name_like(others[0]))
        )
        if len(orgs) != len(others) and not named:
            continue  # a part that is neither a role nor an employer: a sentence, a duty
        company = next(iter(orgs or others), None)
        for title in titles:
            start = line.start + line.text.find(title)
            found.append(Role(title, company, start, start + len(title)))
    return found


_AT_WORD = re.compile(r"\s(?:at|@|chez)\s")
# "Programme Manager - Dream a Dream": a role and a name set apart by a dash.
_DASHED = re.compile(r"\s[-–—]\s")


def _name_like(part: str) -> bool:
    """A proper name: its words capitalised, bar short joining words ("Dream a Dream")."""
    words = part.split()
    return (
        1 <= len(words) <= 5
        and words[0][:1].isupper()
        and all(w[:1].isupper() or w[:1].isdigit() or len(w) <= 3 for w in words)
        and not is_place(part)
        # "Analyst - Operations", "Software Engineer - Automation & Testing": the role's field
        and not all(fold(w) in _FIELD_WORDS or w in "&/" for w in words)
    )


_FIELD_WORDS = frozenset({
    "operations", "marketing", "sales", "finance", "financial", "testing", "automation",
    "development", "support", "engineering", "research", "hr", "it", "administration",
    "design", "quality", "analytics", "accounts", "accounting", "logistics", "procurement",
    "production", "maintenance", "security", "infrastructure", "and", "of",
})  # fmt: skip
# The year a header ends with, alone or as a template's placeholder ("19xx-20xx"), or run
# into its last part: not a range, so the line is undated, but not a part of the header either.
_TRAILING_YEAR = re.compile(r"\s+(?:19|20)\d\d$")
_YEAR_PART = re.compile(r"(?:19|20)[\dx]{2}(?:\s*[-–]\s*(?:(?:19|20)[\dx]{2}|present))?", re.I)


# An organisation named with its legal form: "Oracle India Pvt Ltd", "Convergys India Private
# Ltd.", "DEF Company, Inc.", "SoGe Mobile, LLC". Capitalised words up to the suffix.
_LEGAL_NAME = re.compile(
    r"(?<![\w&])(?P<name>(?:[A-Z0-9][\w&'’.\-]*\s+(?:(?:&|and|of|de)\s+)?){0,5}[A-Z0-9][\w&'’.\-]*"
    r"(?:\s*\([A-Z]+\))?,?\s+(?:Pvt\.?\s*Ltd|Private\s+Limited|Private\s+Ltd|Pvt\.?\s+Limited"
    r"|Limited|Ltd|Inc|LLC|L\.L\.C|LLP|L\.P|Corporation|Corp|GmbH|PLC|S\.A\.S?|SARL|S\.L|AG|SAS"
    r"|Pty\.?\s+Ltd)\b\.?)"
)
# "Worked for National Informatics Centre", "working in Samsung R&D Operations".
_WORKED_AT = re.compile(
    # the verb in either case ("Worked for National Informatics Centre" opens a bullet)
    r"\b(?i:work(?:ing|ed|s)?|employed|joined|interned|serv(?:ing|ed)|associated)"
    r"\s+(?:(?:as\s+)?[\w.\-]+\s+){0,5}?(?P<preposition>in|at|for|with)\s+(?:the\s+)?"
    r"(?P<company>[A-Z][\w&'’.\-]*(?:\s+(?:&\s+|of\s+|and\s+)?[A-Z][\w&'’.\-]*){0,5})"
)


def _organisations(line: Line) -> list[Role]:
    found = []
    for m in _LEGAL_NAME.finditer(line.text):
        name = m.group("name").strip(" ,")
        words = name.split()
        if len(words) < 2 or _NOT_A_ROLE.search(name) or find_ranges(name):
            continue
        while words and (fold(words[0]) in _STOP or _TITLE.fullmatch(words[0].strip(".,"))):
            words = words[1:]  # "in Oracle India Pvt Ltd", "Engineer Acme Ltd"
        if len(words) >= 2:
            name = " ".join(words)
            start = line.start + line.text.find(name)
            found.append(Role(None, name, start, start + len(name)))
    for m in _WORKED_AT.finditer(line.text):
        company = m.group("company").rstrip(".,")
        if m.group("preposition") in ("in", "with") and not org_like(company):
            continue  # "worked in Java", "working in IT": a field; "worked with Ian": a person
        if (
            _NOT_EMPLOYER.match(company)
            or find_ranges(company)
            or _TITLE.search(company)
            or _NOT_A_ROLE.search(company)
        ):
            continue
        start = line.start + m.start("company")
        found.append(Role(None, company, start, start + len(company)))
    return found


# "Research Associate at Laboratory for Foundations...", "product manager at ExaServe": a
# role right before "at" and an organisation after it, anywhere in the CV.
_AT_ORG = re.compile(
    r"\s(?:at|@)\s+(?:the\s+)?(?P<company>[A-Z][\w&'’.\-]*(?:\s+(?:&\s+|of\s+|and\s+|for\s+)?"
    r"[A-Z][\w&'’.\-]*){0,6})"
)
# An objective's wish: the role is the one the candidate wants (the annotators label it), the
# organisation one they have not worked at.
_WISHED = re.compile(
    r"\b(?:seek(?:ing|s)?|obtain|looking\s+for|to\s+(?:join|work|secure|pursue)|desire|apply)\b",
    re.IGNORECASE,
)
# "To obtain a sales and marketing engineer position", "seeking the role of Web Developer".
_POSITION = re.compile(
    r"\b(?:an?|the)\s+(?P<title>[\w&/\-]+(?:\s+[\w&/\-]+){0,5}?)\s+(?:position|role|job|post)\b",
    re.IGNORECASE,
)


def _role_before(text: str) -> str | None:
    """The role a text ends with: the shortest tail of up to six words that reads as one."""
    words = text.split()[-6:]
    for start in range(len(words)):
        tail = [w.strip(",;:()") for w in words[start:]]
        if not tail or fold(tail[0]) in _STOP:
            continue
        phrase = " ".join(tail)
        if (
            _HEAD.search(phrase)
            and _TITLE.search(phrase)
            and not _COMPANY.search(phrase)
            and (phrase[0].isupper() or len(tail) >= 2)
            and not any(fold(w) in _STOP for w in tail)
        ):
            return phrase if _plausible(phrase) else None
    return None


def _at_organisation(line: Line) -> list[Role]:
    found = []
    for m in _AT_ORG.finditer(line.text):
        before = re.split(r"[.;:•(]|,\s(?=[a-z])", line.text[: m.start()])[-1]
        title = _role_before(before)
        if title is None:
            continue
        company = m.group("company").rstrip(".,")
        if (
            _NOT_EMPLOYER.match(company)
            or find_ranges(company)
            or _TITLE.search(company)
            or _WISHED.search(before)  # "Seeking a position as a Web Developer at AT Tech"
        ):
            company = None
        start = line.start + line.text.rfind(title, 0, m.start())
        found.append(Role(title, company, start, start + len(title)))
    for m in _POSITION.finditer(line.text):
        title = _title_phrase(m.group("title").split()) if m.group("title") else None
        if title and title == m.group("title") and _plausible(title):
            start = line.start + m.start("title")
            found.append(Role(title, None, start, start + len(title)))
    return found


def _employer_lines(lines: Sequence[Line], dated: set[int]) -> list[Role]:
    """An experience line that names an employer and its place ("Camp Recess, Baltimore, MD",
    "Infosys Limited -  Pune, Maharashtra -") though no dates stand beside it."""
    found = []
    for i, line in enumerate(lines):
        if line.section != EXPERIENCE or line.is_heading or i in dated or len(line.text) > 90:
            continue
        company = employer_line(line.text)
        if company is not None:
            start = line.start + max(0, line.text.find(company))
            found.append(Role(None, company, start, start + len(company)))
    return found


def _name_line(text: str) -> str | None:
    """A line that is nothing but an organisation's name ("MICROSOFT CORPORATION", "Telenor
    Internett"): an employer line, or one short capitalised part that reads as an
    organisation."""
    if (company := employer_line(text)) is not None:
        return company
    name = text.strip(" ,.:")
    if (
        len(name.split()) <= 6
        and name[:1].isupper()
        and org_like(name)
        and not is_title_part(name)
        and not re.search(r"[,;:|()]|\s[-–—]\s", name)
        and not find_ranges(name)
    ):
        return name
    return None


def _undated_headers(lines: Sequence[Line], dated: set[int]) -> list[Role]:
    """A title line beside an employer line in the experience section, with no dates near:
    "Lecturer" over "Telenor Internett -", "MICROSOFT CORPORATION" over "Software Engineer"."""
    found = []
    for i in range(1, len(lines)):
        line, above = lines[i], lines[i - 1]
        if line.section != EXPERIENCE or i in dated or i - 1 in dated or above.is_heading:
            continue
        for title_line, name_line in ((above, line), (line, above)):
            company = _name_line(name_line.text)
            if company is None or len(title_line.text) > 60 or title_line.text.endswith("."):
                continue
            title = title_line.text.strip(" ,")
            if _TITLE.search(title) and not _COMPANY.search(title) and not find_ranges(title):
                found.append(Role(title, company, above.start, line.start + len(line.text)))
                break
    return found


# A template's copyright notice names its publisher, not an employer.
_BOILERPLATE = re.compile(r"©|\bcopyright\b|\btemplate\b", re.IGNORECASE)


def find_roles(lines: Sequence[Line], jobs: Iterable[Job]) -> list[Role]:
    """Mentions of roles and employers that the dated jobs do not already name."""
    jobs = list(jobs)
    known_titles = {fold(j.title) for j in jobs if j.title}
    known_companies = {fold(j.company) for j in jobs if j.company}
    dated = {i for i, line in enumerate(lines) if find_ranges(line.text)}
    near_dates = dated | {i - 1 for i in dated} | {i - 2 for i in dated} | {i + 1 for i in dated}
    mentions = _headline(lines) + _undated_headers(lines, near_dates) + _title_lines(lines, dated)
    mentions += _employer_lines(lines, dated)
    for line in lines:
        if line.is_heading or _BOILERPLATE.search(line.text):
            continue
        mentions += _labelled(line)
        if line.section not in (EDUCATION, SKILLS):
            mentions += _organisations(line) + _at_organisation(line)
        if line.section in (None, SUMMARY, EXPERIENCE) or len(line.text) > 60:
            mentions += _sentences(line)
    roles: list[Role] = []
    seen: set[tuple[str, str]] = set()
    for role in mentions:
        if role.title is not None and not _plausible(role.title):
            role = Role(None, role.company, role.start, role.end)
        if role.title is None and role.company is None:
            continue
        key = (fold(role.title or ""), fold(role.company or ""))
        if key in seen or (role.company is None and key[0] in known_titles):
            continue
        if role.title is None and key[1] in known_companies:
            continue
        seen.add(key)
        roles.append(role)
    return roles
