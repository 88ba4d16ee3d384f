"""A document's text → profile, per-field evidence (page, character span, confidence), the
leadership months, and the quality gate's verdict. Pure.

Confidence is a calibrated-by-hand prior per field and per kind of finding (a labelled "Name:"
line is surer than the first capitalised line), lowered when the text came from OCR or the value
could not be located verbatim in the text. It is not a probability; it orders findings.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from hirestream.parser.domain.document import ExtractedText
from hirestream.parser.domain.experience import leadership_months
from hirestream.parser.domain.profile import Profile, build_profile
from hirestream.parser.domain.sections import split_lines
from hirestream.skills import Taxonomy

# Base confidence per field.
_CONFIDENCE = {
    "name": 0.85,
    "emails": 0.99,
    "phones": 0.95,
    "links": 0.95,
    "location": 0.6,
    "skills": 0.9,
    "experience": 0.7,
    "roles": 0.6,
    "education": 0.75,
    "languages": 0.8,
    "certifications": 0.7,
}
# A credential the taxonomy knows, or one listed under a certifications heading, is surer than a
# "… Certificate" phrase read in running text.
_KNOWN_CREDENTIAL = 0.15
_LISTED_CREDENTIAL = 0.1
_OCR_FACTOR = 0.85
_LEARNED_DROP = 0.2
_NOT_LOCATED_FACTOR = 0.7


@dataclass(frozen=True, slots=True)
class Evidence:
    field: str  # "name", "emails[0]", "experience[1]"...
    value: str
    page: int | None  # 1-based; None when the value is not written verbatim in the text
    start: int | None  # character span in the document text
    end: int | None
    confidence: float


@dataclass(frozen=True, slots=True)
class Quality:
    usable: bool
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Analysis:
    profile: Profile
    evidence: list[Evidence]
    quality: Quality
    leadership_months: int | None
    rejection: tuple[str, str] | None  # (code, message) when the document is not a CV

    def stored(self, document: ExtractedText) -> dict[str, Any]:
        """The profile as the parser stores it: fields, evidence, quality, document facts."""
        fields = asdict(self.profile)
        for key in ("experience", "roles", "education", "languages", "certifications"):
            for entry in fields[key]:
                entry.pop("span", None)  # the evidence list carries every span
        for entry in fields["certifications"]:
            for kept_in_evidence in ("written", "known", "in_section"):
                entry.pop(kept_in_evidence, None)  # the evidence's value and confidence
        return {
            **fields,
            "leadership_months": self.leadership_months,
            "evidence": [asdict(e) for e in self.evidence],
            "quality": asdict(self.quality),
            "document": {
                "media_type": document.media_type,
                "pages": document.page_count,
                "ocr_pages": list(document.ocr_pages),
                "two_column_pages": list(document.two_column_pages),
            },
        }


@dataclass(frozen=True)
class ReadCv:
    """A CV read: its extracted text and the analysis of that text."""

    document: ExtractedText
    analysis: Analysis


def analyse(
    document: ExtractedText,
    taxonomy: Taxonomy | None = None,
    today: date | None = None,
    region: str = "US",
) -> Analysis:
    today = today or date.today()
    text = document.text
    profile = build_profile(text, taxonomy, today, region)
    evidence = collect_evidence(profile, document)
    months = leadership_months(((e.title, e.start, e.end) for e in profile.experience), today)
    rejection = not_a_cv(text, profile)
    reasons = []
    if rejection:
        reasons.append(rejection[0])
    if profile.name is None:
        reasons.append("no_name")
    if not profile.emails and not profile.phones:
        reasons.append("no_contact")
    if profile.name is None and not profile.emails and not profile.phones:
        reasons.append("no_name_and_contact")
    usable = rejection is None and "no_name_and_contact" not in reasons
    return Analysis(profile, evidence, Quality(usable, reasons), months, rejection)


# --- evidence ---------------------------------------------------------------------------------


def _locate(text: str, value: str, after: int = 0) -> tuple[int, int] | None:
    if not value:
        return None
    index = text.find(value, after)
    if index < 0:
        index = text.lower().find(value.lower(), after)
    if index < 0:
        return None
    return index, index + len(value)


def _locate_phone(text: str, e164: str) -> tuple[int, int] | None:
    digits = e164.lstrip("+")[-8:]
    pattern = r"[\s.\-()/]*".join(re.escape(d) for d in digits)
    m = re.search(pattern, text)
    if not m:
        return None
    start = m.start()
    while start > 0 and (text[start - 1].isdigit() or text[start - 1] in "+ .-()"):
        start -= 1
    while start < m.start() and text[start] in " .-":
        start += 1
    return start, m.end()


def collect_evidence(profile: Profile, document: ExtractedText) -> list[Evidence]:
    text = document.text
    factor = _OCR_FACTOR if document.ocr_pages else 1.0
    out: list[Evidence] = []

    def add(
        name: str, kind: str, value: str, span: tuple[int, int] | None, bonus: float = 0.0
    ) -> None:
        confidence = min(0.99, _CONFIDENCE[kind] + bonus) * factor
        if span is None:
            out.append(Evidence(name, value, None, None, None, round(confidence * 0.7, 2)))
            return
        page = document.page_of(span[0])
        if document.ocr_pages and page not in document.ocr_pages:
            confidence /= factor
        out.append(Evidence(name, value, page, span[0], span[1], round(confidence, 2)))

    if profile.name:
        span = _locate(text, profile.name)
        labelled = span is not None and re.search(
            r"(?:name|nom|nombre)\s*[:\-–]\s*$", text[max(0, span[0] - 20) : span[0]], re.I
        )
        add("name", "name", profile.name, span, 0.1 if labelled else 0.0)
    for i, email in enumerate(profile.emails):
        add(f"emails[{i}]", "emails", email, _locate(text, email))
    for i, phone in enumerate(profile.phones):
        add(f"phones[{i}]", "phones", phone, _locate_phone(text, phone))
    for i, link in enumerate(profile.links):
        bare = link.split("://", 1)[-1]
        add(f"links[{i}]", "links", link, _locate(text, link) or _locate(text, bare))
    if profile.location:
        add("location", "location", profile.location, _locate(text, profile.location))
    for i, skill in enumerate(profile.skills):
        span = (skill.start, skill.end) if skill.start >= 0 else None
        # The claim classifier's confidence is measured (out-of-fold precision): it replaces
        # the field's fixed prior when the profile has it.
        measured = 0.0 if skill.confidence is None else skill.confidence - _CONFIDENCE["skills"]
        add(f"skills[{i}]", "skills", skill.name, span, measured)
    for i, job in enumerate(profile.experience):
        anchor = job.title or job.company or ""
        span = job.span or _locate(text, anchor)
        both = 0.1 if job.title and job.company else -0.1
        add(f"experience[{i}]", "experience", " · ".join(filter(None, [job.title, job.company])),
            span, both)  # fmt: skip
    for i, role in enumerate(profile.roles):
        # A role the learned classifier proposed is less sure than one a rule read.
        shift = (0.1 if role.title and role.company else 0.0) - (
            _LEARNED_DROP if role.learned else 0.0
        )
        add(f"roles[{i}]", "roles", " · ".join(filter(None, [role.title, role.company])), role.span,
            shift)  # fmt: skip
    for i, school in enumerate(profile.education):
        anchor = school.degree or school.institution or ""
        add(f"education[{i}]", "education", anchor, school.span or _locate(text, anchor),
            0.1 if school.degree and school.institution and school.year else 0.0)  # fmt: skip
    for i, spoken in enumerate(profile.languages):
        add(f"languages[{i}]", "languages", spoken.language, spoken.span)
    for i, credential in enumerate(profile.certifications):
        bonus = (_KNOWN_CREDENTIAL if credential.known else 0.0) + (
            _LISTED_CREDENTIAL if credential.in_section else 0.0
        )
        add(f"certifications[{i}]", "certifications", credential.written or credential.name,
            credential.span, bonus)  # fmt: skip
    return out


# --- quality gate -----------------------------------------------------------------------------

_SALUTATION = re.compile(
    r"^\s*(?:dear\b|to whom it may concern|madame|monsieur|ch[eè]re?\b|estimad[oa]s?\b"
    r"|muy\s+se[ñn]or|a\s+quien\s+corresponda|sehr\s+geehrte)",
    re.IGNORECASE | re.MULTILINE,
)
_CLOSING = re.compile(
    r"\b(?:sincerely|yours\s+(?:faithfully|truly|sincerely)|kind\s+regards|best\s+regards"
    r"|cordialement|salutations\s+distingu[ée]es|veuillez\s+agr[ée]er|atentamente"
    r"|un\s+cordial\s+saludo|saludos\s+cordiales|mit\s+freundlichen\s+gr[üu][ßs]en)\b",
    re.IGNORECASE,
)
_INVOICE = re.compile(
    r"\b(?:invoice|facture|factura|rechnung|amount\s+due|total\s+due|balance\s+due"
    r"|montant\s+(?:ttc|ht|d[ûu])|total\s+(?:ttc|ht)|subtotal|sous-total|importe\s+total"
    r"|base\s+imponible|vat\s+(?:no|number)|n[°º]\s*tva|iva\s+\d|bill\s+to|payment\s+terms"
    r"|due\s+date|date\s+d['’][ée]ch[ée]ance|quantity|qty|unit\s+price|prix\s+unitaire"
    r"|precio\s+unitario)\b",
    re.IGNORECASE,
)


def not_a_cv(text: str, profile: Profile) -> tuple[str, str] | None:
    """("not_a_cv", why) for a document that is plainly something else; None when it may be a
    CV. Conservative: a CV with a short cover note on top is still a CV."""
    lines = split_lines(text)
    headings = {line.section for line in lines if line.is_heading}
    cv_signals = len(headings) + (2 if profile.experience else 0) + (1 if profile.education else 0)
    invoice_hits = len({m.group().lower() for m in _INVOICE.finditer(text)})
    if invoice_hits >= 3 and cv_signals < 3:
        return "not_a_cv", f"reads as an invoice ({invoice_hits} billing terms, no CV sections)"
    if _SALUTATION.search(text[:600]) and _CLOSING.search(text) and cv_signals < 2:
        return "not_a_cv", "reads as a letter (salutation and closing, no CV sections)"
    return None


__all__ = ["Analysis", "Evidence", "Quality", "analyse", "not_a_cv"]
