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
)
from hirestream.parser.domain.sections import EXPERIENCE, SUMMARY, Line, fold, word_set


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
        if len(title.split()) > _MAX_TITLE_WORDS or not _TITLE.search(title):
            continue
        if _COMPANY.search(title) or not _HEAD.search(title.rstrip(".")):
            continue
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
        if title is None:
            continue
        after = line.text[m.start("title") + len(title) :]
        company = _employer(after)
        start = line.start + m.start("title")
        found.append(Role(title, company, start, start + len(title)))
    return found


def _undated_headers(lines: Sequence[Line], dated: set[int]) -> list[Role]:
    """A title line over an employer line in the experience section, with no dates near."""
    found = []
    for i in range(1, len(lines)):
        line, above = lines[i], lines[i - 1]
        if line.section != EXPERIENCE or i in dated or i - 1 in dated or above.is_heading:
            continue
        company = employer_line(line.text)
        if company is None or len(above.text) > 60 or above.text.endswith("."):
            continue
        title = above.text.strip(" ,")
        if _TITLE.search(title) and not _COMPANY.search(title) and not find_ranges(title):
            found.append(Role(title, company, above.start, line.start + len(line.text)))
    return found


def find_roles(lines: Sequence[Line], jobs: Iterable[Job]) -> list[Role]:
    """Mentions of roles and employers that the dated jobs do not already name."""
    known_titles = {fold(j.title) for j in jobs if j.title}
    dated = {i for i, line in enumerate(lines) if find_ranges(line.text)}
    near_dates = dated | {i - 1 for i in dated} | {i - 2 for i in dated} | {i + 1 for i in dated}
    mentions = _headline(lines) + _undated_headers(lines, near_dates)
    for line in lines:
        if line.is_heading:
            continue
        mentions += _labelled(line)
        if line.section in (None, SUMMARY, EXPERIENCE) or len(line.text) > 60:
            mentions += _sentences(line)
    roles: list[Role] = []
    seen: set[tuple[str, str]] = set()
    for role in mentions:
        key = (fold(role.title or ""), fold(role.company or ""))
        if key in seen or (role.company is None and key[0] in known_titles):
            continue
        seen.add(key)
        roles.append(role)
    return roles
