"""Degrees: what, where, when, from the education section (or degree-looking lines)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from hirestream.parser.domain.experience import MONTH_NAMES
from hirestream.parser.domain.experience import STANDALONE_YEAR as _YEAR
from hirestream.parser.domain.sections import EDUCATION, Line, segments

_DEGREE = re.compile(
    r"\b(?:bachelor(?:['’]?s)?|master(?:['’]?s)?(?=\s*,|\s+(?:of|in|degree|de|en|program(?:me)?)\b)|mast[eè]re"
    r"|doctorate|doctorat|doctorado|doctor\s+of|juris\s+doctor|post[\s\-]?graduat(?:e|ion)|graduate\s+(?:in|of)"
    r"|associate\s+(?:of|in)|ed\.\s?d|m\.\s?ed|m\.\s?s\.\s?ed|b\.\s?a|m\.\s?a|b\.\s?s|m\.\s?s"
    r"|b[\.\-\s]\s?tech|m[\.\-\s]\s?tech|btech|mtech|b\.\s?e\b|m\.\s?e\b|b\.\s?sc|m\.\s?sc"
    r"|btec|hnc|g?nvq|pgd\w*|p\.\s?hd|ph\.\s?d"
    r"|associate(?:['’]s)?\s+(?:degree|of)|high\s+school\s+diploma|diploma|dipl[oô]me|diplom"
    r"|licence|licenciatura|grado\s+en|m[aá]ster|maestr[ií]a|diplomatura|diplomado|ingenier[ií]a"
    r"|t[eé]cnico\s+superior|bachillerato|baccalaur[ée]at|abitur|staatsexamen|magister"
    r"|ausbildung\s+zu[mr]?|promotion\s+in)\b"
    r"|\b(?:B\.?Sc|M\.?Sc|B\.?Tech|M\.?Tech|B\.?Com|M\.?Com|BBA|MBA|Ph\.?\s?D|BSN|MSN|DNP|LLB"
    r"|LL\.B|LLM|LL\.M|J\.D|HND|BTS|DUT|DEUG|DESS|DEA|GED|B\.A|M\.A|B\.S|M\.S|B\.E|M\.E|A\.A|A\.S"
    r"|MCA|BCA|B\.?C\.?A|M\.?C\.?A|PGDM|PGDBA|PGDCA|B\.?Pharm|M\.?Pharm|B\.?Ed|M\.?Ed|MBBS"
    r"|B\.?Sc\.?IT|BSc\(IT\)|HSC|SSC|SSLC|H\.S\.C|S\.S\.C|C\.S|MFS|BSEE|BSCS|MSCS|PhD"
    r"|MS(?!\s+(?:access|project|office|excel|word|sql|dos|windows|visio|outlook|powerpoint"
    r"|dynamics|teams|paint))|BS|BE|ME)\b\.?"
    r"|\b(?:BA|BS|MA|MS|BE|ME)\b(?=\s+(?:in|of)\b|\s*\()"
    # "BA English Studies and Marketing Management, Oxford Brookes": a field opening with the
    # abbreviation, in capitals, and its subject in title case.
    r"|(?:^|(?<=:\s))(?-i:BA|MA)(?= (?-i:[A-Z][a-z]+))"
    r"|\bBac\s*\+\s*\d\b"
    # "Degree in Law Science", "Technical Degree in IT": a capitalised "Degree in" and its subject.
    r"|\b(?-i:Degree)\s+in\b(?=\s+(?-i:[A-ZÀ-Þ]))",
    re.IGNORECASE,
)
DEGREE_PATTERN = _DEGREE  # what the certifications reader leaves to this one
# Abbreviations start upper case in CVs (BSc, MBA, PhD); lower-case "ms", "ba", "me" are words.
_ABBREVIATION = re.compile(r"^[A-Z][A-Za-z]{1,3}$")
_INSTITUTION = re.compile(
    r"\b(?:universit\w*|universidad|universidade|college|coll[eè]ge|institute|institut|instituto"
    r"|school|[ée]cole|escuela|hochschule|fachhochschule|academy|acad[ée]mie|academia"
    r"|polytechnic|polytechnique|politécnica|lyc[ée]e|ifsi|faculty|facult[ée]|facultad)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Degree:
    degree: str | None
    institution: str | None
    year: int | None
    span: tuple[int, int] = field(default=(-1, -1), compare=False)  # the entry's first line


# A degree, its school and its year often share a line, separated by commas:
# "BSc Nursing, University of Leeds, 2016". A comma before a capital or a digit splits fields;
# so does "from" before a name: "B.E from University of Madras in 2007", "B. Tech in Computer
# Science from National Institute of Technology Raipur"; "in" before a year; and a colon after
# a word: "Course: Bachelor of Arts", "Bachelor of Education (Honours): Monash University" (not
# after "Major" or "Specialization", whose subject belongs to the degree).
# Written out word by word: a look-behind matches one fixed width (``_SUBJECT_WORDS`` below is
# the same words as a pattern).
_SUBJECT_LABELS = ("major", "minor", "majors", "minors", "specialization", "specialisation",
                   "concentration")  # fmt: skip
_FIELD_SPLIT = re.compile(
    r"\s*[,;]\s*(?=[A-ZÀ-Þ\d])"  # a comma before a capital or a digit
    r"|(?<=[^\d\s])"
    + "".join(f"(?<!(?i:{w}))" for w in _SUBJECT_LABELS)
    + r":\s+(?=[A-ZÀ-Þ])"  # a colon after a word, not after "Major"
    r"|\s+from\s+(?=[A-ZÀ-Þ])"  # "from" before a name
    r"|\s+in\s+(?=(?:19[5-9]\d|20\d\d)\b)"  # "in" before a year
)
_EDGES = " ,;:-–()"


def _fields(text: str) -> list[str]:
    return [f for s in segments(text) for f in _FIELD_SPLIT.split(s) if f.strip(_EDGES)]


# Bullets or symbol-font glyphs before a field ("\uf06cBachelors in Arts"), and the dates that
# open it ("Feb 2008 -Nov 2010 Bachelor of Arts").
_DATE_ = rf"(?:(?:{MONTH_NAMES})\.?\s*)?(?:19[5-9]\d|20\d\d)"
_LEADING_DATES = re.compile(
    rf"^[^\w(\"'“]*(?:{_DATE_}(?:\s*[-–—]\s*(?:{_DATE_}|present|current|now))?[\s:,\-–]+)?",
    re.IGNORECASE,
)


# Words before a degree that are not its name: "Completed Masters in Immigration Law",
# "Equivalent to a Bachelors Degree in IT" (a foreign degree's equivalent, stated below it).
_LEAD_IN = re.compile(
    r"^(?:(?:successfully\s+)?(?:completed|obtained|earned|received|awarded)(?:\s+(?:a|an|the|my))?"
    r"|equivalent\s+to(?:\s+(?:a|an|the))?)\s+(?=(?-i:[A-ZÀ-Þ]))",
    re.IGNORECASE,
)


def _clean(part: str, lower_ok: bool = False) -> str | None:
    """Trim separators, bullets, a year and the rest of its date, a lead-in ("Completed ...");
    keep "(Hons)" whole. Sentences are not fields: None. ``lower_ok``: a school's name may be
    written in lower case ("narayana jr.college")."""
    part = _YEAR.sub("", _LEADING_DATES.sub("", part)).strip(" ,;:-–\"'“”")
    part = _LEAD_IN.sub("", part)
    while part.endswith(")") and part.count("(") < part.count(")"):
        part = part[:-1].rstrip()
    while part.startswith("(") and part.count("(") > part.count(")"):
        part = part[1:].lstrip()
    if part.count("(") > part.count(")"):
        part = part + ")"
    if not part or len(part.split()) > 12 or len(part) > 100:
        return None
    if (part.endswith(".") and len(part.split()) > 3) or not (
        part[0].isupper() or part[0].isdigit() or (lower_ok and len(part.split()) <= 6)
    ):
        return None  # a sentence from a description ("...with the Scrum Master and developers.")
    return part


_NOT_A_DEGREE = re.compile(r"\b(?:project|editors?)\b", re.IGNORECASE)
# "PhD Scholarship", "Mathematics Master Scholarship": an award, not the degree; "Taken Classes
# for BE (IT)", "Taught MBA students": a degree one teaches.
_AWARD = re.compile(
    r"\b(?:scholarships?|bursary|bursaries|prize|taught|(?:classes|courses|lectures)"
    r"\s+(?:for|to))\b",
    re.IGNORECASE,
)
_THESIS = re.compile(r"\b(?:thesis|dissertation)\b", re.IGNORECASE)


def _degree_in(text: str) -> str | None:
    if (
        _THESIS.search(text)
        or _AWARD.search(text)
        or (_NOT_A_DEGREE.search(text) and not re.search(r"\b(?:in|of)\b", text[:40]))
    ):
        return None  # "Bachelor thesis on...", "Scheduling using MS Project"
    for m in _DEGREE.finditer(text):
        word = m.group().rstrip(".")
        bare = re.sub(r"[.\-\s]", "", word)
        if len(bare) <= 4 and "." not in word and not _ABBREVIATION.match(bare):
            continue
        if len(bare) <= 2 and "." not in word and not bare.isupper():
            continue  # "me", "Be", "ms": words, not degrees
        fields = _fields(text)
        for k, part in enumerate(fields):
            if m.group() in part:
                if part.startswith(m.group()) and part[:1].islower():
                    # "b.tech in computer science": written in lower case, still a degree.
                    cleaned = _clean(part[:1].upper() + part[1:])
                    return part[:1] + cleaned[1:] if cleaned else None
                cleaned = _clean(part)
                if (
                    cleaned and k + 1 < len(fields)
                    and (_BARE_DEGREE.match(cleaned) or _GENERIC_DEGREE.match(cleaned))
                ):  # fmt: skip
                    return _with_subject(cleaned, fields[k + 1 :])
                return cleaned
        return None
    return None


# "BS, Business Management, University of Phoenix, 1999", "Ed.D., Educational Finance and
# Policy", "Bachelor of Science, Kinesiology": the subject of a bare degree is the next field
# when a school, a year, a major or nothing follows it (a town would be followed by its state
# or country: "MBA, Austin, TX").
_STATE = re.compile(r"^[A-Z]{2}$")
# A degree written out that names no subject of its own.
_GENERIC_DEGREE = re.compile(
    r"^(?:bachelor|master|doctor)(?:['’]?s)?\s+of\s+(?:science|sciences|arts|education"
    r"|engineering|commerce|philosophy)(?:\s*\((?:hons?|honou?rs)\.?\))?$",
    re.IGNORECASE,
)


def _with_subject(degree: str, rest: Sequence[str]) -> str:
    subject = rest[0].strip(" ,;:-–()")
    after = list(rest[1:])
    # "B.S., Engineering and Applied Science, concentration in Computer Science": the major,
    # in lower case, did not split off as a field of its own.
    head, comma, tail = subject.partition(", ")
    if comma and _MAJOR.match(tail):
        subject, after = head, [tail, *after]
    if (
        not _SUBJECT.match(subject)
        or _MAJOR.match(subject)  # the major's own reader keeps its words
        or len(subject.split()) > 6
        or _INSTITUTION.search(subject)
        or _DEGREE.search(subject)
        or _SECONDARY.search(subject)
        or _YEAR.search(subject)
        or (after and _STATE.match(after[0].strip(" .")))
        or (
            after
            and not (
                _YEAR.search(after[0])
                or _INSTITUTION.search(after[0])
                or _MAJOR.match(after[0].strip())
            )
        )
    ):
        return degree
    return f"{degree} {subject.strip('()')}"


def _institution_in(texts: Sequence[str], in_section: bool = False) -> str | None:
    for text in texts:
        for part in _fields(text):
            if _INSTITUTION.search(part) and not _DEGREE.search(part):
                cleaned = _clean(part, lower_ok=in_section)
                if cleaned:
                    return cleaned
    return None


# "Narsee Monji -  Hyderabad", "IIT Roorkee -  Roorkee, Uttarakhand": in an education section,
# the job-board layout puts the school before a dash and its town.
_SCHOOL_LINE = re.compile(r"^(?P<school>[^\-–]{2,80}?)\s+[-–]\s+[A-ZÀ-Þ][^\-–]{1,60}?\s*[-–]?\s*$")


def _school_of(text: str, in_section: bool) -> str | None:
    found = _institution_in([text], in_section)
    if found or not in_section:
        return found
    m = _SCHOOL_LINE.match(text)
    if m and not _DEGREE.search(m.group("school")) and not _YEAR.search(m.group("school")):
        return _clean(m.group("school"))
    return None


def _year_in(texts: Sequence[str]) -> int | None:
    years = [int(y) for text in texts for y in _YEAR.findall(text)]
    return max(years) if years else None


# Schools below college level, listed without a degree: not an education entry of their own.
_SECONDARY = re.compile(
    r"\b(?:high|secondary|matric\w*|board|vidyalay\w*|senior\s+secondary|h\.?\s?s\.?|hr\.?\s+sec"
    r"|public\s+school|convent|primary|grammar|institute\s*/\s*board)\b",
    re.IGNORECASE,
)
_ENTRY_LINES = 4
# Lines a school without a degree may sit below the previous entry (or the section's start).
_ENTRY_GAP = 4
# Institutions one works for, publishes with or is funded by, not schools one attended.
_NOT_ATTENDED = re.compile(
    r"\b(?:press|professor|grant|fellowships?|association|alumni|research\s+initiative"
    r"|scholarships?|awarded|achievers|honou?r\s+society|members?)\b",
    re.IGNORECASE,
)
_DATES_ONLY = re.compile(
    rf"^(?:(?:19[5-9]\d|20\d\d|(?:{MONTH_NAMES})\.?|\d{{1,2}}[/.]|current|present|now|to|de|[-–—:/,])\s*)+$",
    re.IGNORECASE,
)


# A line opening with a degree, written out or abbreviated with dots, after any bullet:
# "Bachelor of Science in ...", "B.E from University of Madras in 2007", "Ph.D., Economics".
_LEADING_DEGREE = re.compile(
    r"^[^\w(]{0,3}(?:bachelor|master|doctor(?:ate)?\s+of|associate(?:['’]s)?\s+(?:of|in|degree)"
    r"|[BM]\.\s?(?:Tech|Sc|S|A|E|Ed|Com)\b\.?|Ph\.\s?D|MBA\b|B\.?Sc\b|M\.?Sc\b)",
    re.IGNORECASE,
)
# A degree written alone on its line ("BS", "MBA", "B.Tech") whose subject is the next line:
# "BS\nElectrical Engineering, 1991: Rutgers University".
_BARE_DEGREE = re.compile(r"^[A-Za-z.]{2,8}$")
_SUBJECT = re.compile(r"^\(?([A-ZÀ-Þ][\w&]*(?:[ \t]+(?:[A-ZÀ-Þ][\w&]*|and|of|&))*)\)?$")


def _with_field(degree: str, below: Sequence[str]) -> str:
    """The degree with its subject when the subject starts the next line and nothing else names
    it: "BS" + "Electrical Engineering, 1991: Rutgers" → "BS Electrical Engineering"."""
    if not below or not _BARE_DEGREE.match(degree):
        return degree
    fields = _fields(below[0])
    # The subject leads a line that goes on with the degree's year or school; a line of its
    # own below a bare degree may be anything (a name, a board, a town).
    if len(fields) < 2 or not any(_YEAR.search(f) or _INSTITUTION.search(f) for f in fields[1:]):
        return degree
    subject = fields[0].strip(" ,;:-–")
    m = _SUBJECT.match(subject)
    if (
        m is None
        or len(subject.split()) > 5
        or _INSTITUTION.search(subject)
        or _DEGREE.search(subject)
        or _SECONDARY.search(subject)
    ):
        return degree
    return f"{degree} {m.group(1)}"


# "Major: Consumer Economics", "Major in Psychology, Minor in Spanish", "Concentration in Web
# Site Development": the subject of a degree, written after it or on a line of its entry.
_SUBJECT_WORDS = r"majors?|minors?|concentrations?|speciali[sz]ations?"
_MAJOR = re.compile(
    rf"(?:^|[,;(]\s*)(?P<major>(?:{_SUBJECT_WORDS})\b"
    r"(?!\s*(?:gpa|g\.p\.a|average|courses?|coursework)\b)(?:\s+in\b)?\s*:?\s*(?-i:[A-ZÀ-Þ]).*)$",
    re.IGNORECASE,
)
_MAJOR_WORD = re.compile(rf"\b(?:{_SUBJECT_WORDS})\b", re.IGNORECASE)
# Where the subject stops: its grade, its dates, a bracket.
_MAJOR_END = re.compile(
    rf"\s*[,;]?\s*(?:\b(?:(?:overall|cumulative|major)\s+)?(?:c?gpa|g\.p\.a)\b|\(|\d"
    rf"|\b(?:{MONTH_NAMES})\b\.?\s*(?:\d|$)|\b(?:expected|anticipated|graduat\w*)\b"
    rf"|,\s*(?-i:[a-z])).*$",
    re.IGNORECASE,
)


def _with_major(degree: str, line: str, below: Sequence[str]) -> str:
    """The degree with its major or minor, when its line goes on with one ("Bachelor of Science
    and Engineering, Major in Computer Science") or a line of its entry opens with one
    ("Associate of Arts, December 2007" + "• Major: Consumer Economics")."""
    if _MAJOR_WORD.search(degree):
        return degree
    at = line.find(degree)
    texts = [line[at + len(degree) :] if at >= 0 else line]
    for text in below:
        texts += [seg for seg in segments(text) if _MAJOR.match(seg)][:1]
    for text in texts:
        m = _MAJOR.search(text)
        if m is None:
            continue
        major = _MAJOR_END.sub("", m.group("major")).strip(" ,;:-–.")
        words = major.split()
        if 2 <= len(words) <= 12 and not _INSTITUTION.search(major) and not _DEGREE.search(major):
            return f"{degree}, {major}"
    return degree


def _span(line: Line) -> tuple[int, int]:
    return line.start, line.start + len(
        line.text
    )  # a degree's school and year sit within this many lines of it


def find_degrees(lines: Sequence[Line]) -> list[Degree]:
    """A degree per line naming one, its institution and year from that line or the next ones
    (or the line above); then schools of the education section that no degree claimed, with
    their year ("Pratibha Junior College\n2009")."""
    in_section = [i for i, line in enumerate(lines) if line.section == EDUCATION]
    indexes = in_section or range(len(lines))
    section = set(in_section)
    # "Associate's Degree - Education", "MSc. Name of Education": a degree whose line reads as
    # a heading (it ends in "education") is still a degree, and does not end the entry above.
    heading = {
        i for i, line in enumerate(lines) if line.is_heading and not _DEGREE.search(line.text)
    }
    degree_at: dict[int, str] = {}
    for i in indexes:
        if i not in heading:
            found = _degree_in(lines[i].text)
            if found is not None:
                degree_at[i] = found
    # A CV with an education section may still name its degree elsewhere (under the summary,
    # "Scholastic Profile:" inside the experience section): a line that opens with a degree
    # counts there, with the same care as in a CV without sections (see below).
    outside: set[int] = set()
    if section:
        for i, line in enumerate(lines):
            if i in section or i in heading or not _LEADING_DEGREE.match(line.text):
                continue
            found = _degree_in(line.text)
            if found is not None:
                degree_at[i] = found
                outside.add(i)
    school_at: dict[int, str] = {}
    for i in sorted({*indexes, *outside, *(i + 1 for i in outside if i + 1 < len(lines))}):
        if i not in heading:
            school = _school_of(lines[i].text, i in section)
            if school is not None:
                school_at[i] = school
    claimed: set[int] = set()
    used_years: set[int] = set()  # lines whose dates an entry took as its year

    def dates_above(i: int) -> int | None:
        """The dates-only line written just above entry ``i`` (above its school, when the school
        heads the entry), unless an earlier entry took it."""
        for j in (i - 1, i - 2):
            if j < 0 or j in heading or j in degree_at or j in used_years:
                return None
            if _DATES_ONLY.match(lines[j].text):
                return j
            if j not in school_at:
                return None
        return None

    # "Education\n2012\nPhD in ...\nThesis: ...\n2008\nMSc in ...": a section whose first entry
    # has its dates above it writes every entry so; the dates below a degree are the next one's.
    firsts = [i for i in degree_at if i in section]
    first_dates = dates_above(min(firsts)) if firsts else None
    dates_first = first_dates is not None and (
        first_dates == in_section[0] or first_dates - 1 in heading
    )
    entries: list[tuple[int, Degree]] = []
    listed: set[int] = set()  # the lines of the entries read so far
    for i, degree in sorted(degree_at.items()):
        # The entry runs to the next degree or heading; its school is on its line, below, or
        # just above when that school is not another degree's.
        block = [i]
        for j in range(i + 1, min(i + _ENTRY_LINES, len(lines))):
            if j in heading or j in degree_at:
                break
            block.append(j)
        if not section or i in outside:
            # outside an education section, only the line itself and the next, or the one
            # after its dates: "Bachelor of Engineering\nSept 2002 - May 2006\nManipal University"
            dated = len(block) > 2 and _DATES_ONLY.match(lines[block[1]].text)
            block = block[: 3 if dated else 2]
        if lines[i].text.strip(_EDGES + ".") == degree.strip(_EDGES + "."):
            degree = _with_field(degree, [lines[j].text for j in block[1:2]])
        degree = _with_major(degree, lines[i].text, [lines[j].text for j in block[1:3]])
        own_year = _YEAR.search(lines[i].text) is not None
        # "Marietta College Bachelor of Arts, ..., 2011\n• Major...\nUrsuline College, ..., 2014":
        # a school below a dated degree line, with dates of its own, opens the next entry.
        candidates = [
            j
            for j in block
            if j in school_at and j not in claimed
            and not (own_year and j > i and _YEAR.search(lines[j].text))
            and not (
                # "BSc\nvasundhara womens\n2015\nnarayana jr.college\n2012": past the entry's
                # dates, a school with dates of its own below it is the next entry
                j + 1 < len(lines) and _DATES_ONLY.match(lines[j + 1].text)
                and any(_DATES_ONLY.match(lines[k].text) for k in range(i + 1, j))
            )
        ]  # fmt: skip
        if (
            candidates
            and candidates[0] > i
            and i - 1 in school_at
            and i - 1 not in claimed
            and i - 1 not in degree_at
            and any(_DATES_ONLY.match(lines[j].text) for j in block if i < j < candidates[0])
        ):
            # "Nuneaton University\nBSc (Hons)\n2008 - 2011\nCoventry Central College": the
            # school above, the entry closed by its dates, then the next school.
            candidates = [i - 1]
        if (
            not candidates
            and i - 1 in school_at
            and i - 1 not in claimed
            and i - 1 not in degree_at
        ):
            candidates = [i - 1]
        institution = school_at[candidates[0]] if candidates else None
        if candidates:
            claimed.add(candidates[0])
        if not section and institution is None and i - 1 not in listed:
            # outside an education section, a degree word alone is too weak, unless it follows
            # an entry read: "Master of Science\nMay 2006\nJohns Hopkins\nMaster of Education"
            continue
        year = _year_in([lines[i].text])
        if year is None and dates_first and i in section:
            above = dates_above(i)
            if above is not None:
                year = _year_in([lines[above].text])
                used_years.add(above)
        if year is None:
            below = [j for j in block[1:] if _YEAR.search(lines[j].text)]
            year = _year_in([lines[j].text for j in below])
            used_years.update(below)
        if i in outside and institution is None and year is None:
            continue  # outside the section, a degree needs its school or its year beside it
        if year is None and candidates and candidates[0] == i - 1:
            year = _year_in([lines[i - 1].text])
        if year is None:
            # "2013 – 2015\nMSc in Finance": the dates written just above the entry, when no
            # earlier entry took them as its own.
            for j in (i - 1, i - 2):
                if j < 0 or j in heading or j in degree_at or j in used_years:
                    break
                if _DATES_ONLY.match(lines[j].text):
                    year = _year_in([lines[j].text])
                    used_years.add(j)
                    break
        entries.append((i, Degree(degree, institution, year, _span(lines[i]))))
        listed.update(block)
    # A school without a degree counts only close to the section's start or to another entry:
    # an education section whose end went unseen (no heading after it) runs on into
    # publications and grants, whose presses and institutes are not schools attended.
    anchors = {*degree_at, *(in_section[:1])}
    for i, school in sorted(school_at.items()):
        if i in claimed or i not in section or i in degree_at or _SECONDARY.search(school):
            continue
        if _NOT_ATTENDED.search(school) or not any(0 <= i - a <= _ENTRY_GAP for a in anchors):
            continue
        anchors.add(i)
        block = [i]
        for j in range(i + 1, min(i + 3, len(lines))):
            if j in heading or j in degree_at or j in school_at:
                break
            block.append(j)
        year = _year_in([lines[j].text for j in block])
        entries.append((i, Degree(None, school, year, _span(lines[i]))))
    degrees: list[Degree] = []
    for _, entry in sorted(entries, key=lambda e: e[0]):
        if entry not in degrees:
            degrees.append(entry)
    return degrees


def post_nominal_degrees(lines: Sequence[Line], name: str | None) -> list[Degree]:
    """Degrees written after the candidate's name on its line ("Todd Kertzmann, MBA, PMP",
    "Trina Mosciski, M.Ed."): the candidate states them, with no school or year."""
    if not name:
        return []
    for line in lines[:15]:
        at = line.text.find(name)
        if at < 0 or line.text[at + len(name) : at + len(name) + 1] != ",":
            continue
        found = []
        pos = at + len(name) + 1
        for piece in line.text[pos:].split(","):
            letters = piece.strip(' "')
            start = line.start + pos + piece.find(letters) if letters else -1
            pos += len(piece) + 1
            if not _BARE_DEGREE.match(letters.split(" (")[0]) or _SECONDARY.search(letters):
                continue
            degree = _degree_in(letters)
            if degree is not None and degree.rstrip(".") == letters.rstrip("."):
                found.append(Degree(degree, None, None, (start, start + len(letters))))
        return found
    return []
