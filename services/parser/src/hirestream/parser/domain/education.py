"""Degrees: what, where, when, from the education section (or degree-looking lines)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hirestream.parser.domain.sections import EDUCATION, Line, segments

_DEGREE = re.compile(
    r"\b(?:bachelor(?:['’]s)?|master(?:['’]s)?|mast[eè]re|doctorate|doctorat|doctorado"
    r"|associate(?:['’]s)?\s+(?:degree|of)|high\s+school\s+diploma|diploma|dipl[oô]me|diplom"
    r"|licence|licenciatura|grado\s+en|m[aá]ster|maestr[ií]a|diplomatura|ingenier[ií]a"
    r"|t[eé]cnico\s+superior|bachillerato|baccalaur[ée]at|abitur|staatsexamen|magister"
    r"|ausbildung\s+zu[mr]?|promotion\s+in)\b"
    r"|\b(?:B\.?Sc|M\.?Sc|B\.?Tech|M\.?Tech|B\.?Com|M\.?Com|BBA|MBA|Ph\.?\s?D|BSN|MSN|DNP|LLB"
    r"|LL\.B|LLM|LL\.M|J\.D|HND|BTS|DUT|DEUG|DESS|DEA|GED|B\.A|M\.A|B\.S|M\.S|B\.E|M\.E"
    r"|MCA|BCA|B\.?C\.?A|M\.?C\.?A|PGDM|PGDBA|PGDCA|B\.?Pharm|M\.?Pharm|B\.?Ed|M\.?Ed|MBBS"
    r"|B\.?Sc\.?IT|BSc\(IT\)|HSC|SSC|SSLC|ICSE|CBSE)\b\.?"
    r"|\b(?:BA|BS|MA|MS|BE|ME)\b(?=\s+(?:in|of)\b|\s*\()"
    r"|\bBac\s*\+\s*\d\b",
    re.IGNORECASE,
)
# Abbreviations start upper case in CVs (BSc, MBA, PhD); lower-case "ms", "ba", "me" are words.
_ABBREVIATION = re.compile(r"^[A-Z][A-Za-z]{1,3}$")
_INSTITUTION = re.compile(
    r"\b(?:universit\w*|universidad|universidade|college|coll[eè]ge|institute|institut|instituto"
    r"|school|[ée]cole|escuela|hochschule|fachhochschule|academy|acad[ée]mie|academia"
    r"|polytechnic|polytechnique|politécnica|lyc[ée]e|ifsi|faculty|facult[ée]|facultad)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"(?<!\d)(?:19[5-9]\d|20\d\d)(?!\d)")


@dataclass(frozen=True, slots=True)
class Degree:
    degree: str | None
    institution: str | None
    year: int | None


# A degree, its school and its year often share a line, separated by commas:
# "BSc Nursing, University of Leeds, 2016". A comma before a capital or a digit splits fields.
_FIELD_SPLIT = re.compile(r"\s*[,;]\s*(?=[A-ZÀ-Þ\d])")
_EDGES = " ,;:-–()"


def _fields(text: str) -> list[str]:
    return [f for s in segments(text) for f in _FIELD_SPLIT.split(s) if f.strip(_EDGES)]


def _clean(part: str) -> str | None:
    """Trim separators and a year; keep "(Hons)" whole. Sentences are not fields: None."""
    part = _YEAR.sub("", part).strip(" ,;:-–\"'“”")
    while part.endswith(")") and part.count("(") < part.count(")"):
        part = part[:-1].rstrip()
    while part.startswith("(") and part.count("(") > part.count(")"):
        part = part[1:].lstrip()
    if part.count("(") > part.count(")"):
        part = part + ")"
    if not part or len(part.split()) > 12 or len(part) > 100:
        return None
    if (part.endswith(".") and len(part.split()) > 3) or not (
        part[0].isupper() or part[0].isdigit()
    ):
        return None  # a sentence from a description ("...with the Scrum Master and developers.")
    return part


def _degree_in(text: str) -> str | None:
    for m in _DEGREE.finditer(text):
        word = m.group().rstrip(".")
        if len(word) <= 4 and not _ABBREVIATION.match(word.replace(".", "")):
            continue
        for part in _fields(text):
            if m.group() in part:
                return _clean(part)
        return None
    return None


def _institution_in(texts: Sequence[str]) -> str | None:
    for text in texts:
        for part in _fields(text):
            if _INSTITUTION.search(part) and not _DEGREE.search(part):
                cleaned = _clean(part)
                if cleaned:
                    return cleaned
    return None


def _year_in(texts: Sequence[str]) -> int | None:
    years = [int(y) for text in texts for y in _YEAR.findall(text)]
    return max(years) if years else None


def find_degrees(lines: Sequence[Line]) -> list[Degree]:
    """A degree per line naming one; institution and year from that line or its neighbours."""
    in_section = [i for i, line in enumerate(lines) if line.section == EDUCATION]
    indexes = in_section or range(len(lines))
    degrees: list[Degree] = []
    for i in indexes:
        line = lines[i]
        if line.is_heading:
            continue
        degree = _degree_in(line.text)
        if degree is None:
            continue
        nearby = [line.text]
        for j in (i + 1, i - 1):
            if 0 <= j < len(lines) and not lines[j].is_heading and not _degree_in(lines[j].text):
                nearby.append(lines[j].text)
        institution = _institution_in(nearby)
        if not in_section and institution is None:
            continue  # outside an education section, a degree word alone is too weak
        # The entry's year: on its line, or on the next lines up to the next degree or heading
        # ("Master of Engineering\nAnna University\n2005 to 2007").
        following = [line.text]
        for j in range(i + 1, min(i + 4, len(lines))):
            if lines[j].is_heading or _degree_in(lines[j].text):
                break
            following.append(lines[j].text)
        year = _year_in(following[:1]) or _year_in(following[1:])
        found = Degree(degree, institution, year)
        if found not in degrees:
            degrees.append(found)
    return degrees
