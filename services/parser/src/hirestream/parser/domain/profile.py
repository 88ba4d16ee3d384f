"""CV text → candidate profile. Pure: no I/O, no clock except at the ``build_profile`` boundary.

Every field is what the text shows: a name, location or date that cannot be found stays None
(or the list stays empty) rather than being guessed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from hirestream.parser.domain.certifications import find_certifications
from hirestream.parser.domain.contacts import (
    contact_spans,
    find_emails,
    find_links,
    find_location,
    find_name,
    find_phones,
    mask,
)
from hirestream.parser.domain.education import DEGREE_PATTERN, find_degrees, post_nominal_degrees
from hirestream.parser.domain.employers import employer
from hirestream.parser.domain.experience import (
    PRESENT,
    Job,
    date_spans,
    find_jobs,
    merge_months,
)
from hirestream.parser.domain.languages import detect_language, find_spoken
from hirestream.parser.domain.mentions import (
    COMPANY,
    TITLE,
    MentionModel,
    find_mentions,
    load_mention_model,
)
from hirestream.parser.domain.normalise import normalise
from hirestream.parser.domain.roles import find_roles
from hirestream.parser.domain.sections import Line, fold, split_lines
from hirestream.parser.domain.skill_claims import ClaimModel, claim_features, load_claim_model
from hirestream.skills import SkillMatch, Taxonomy, load_taxonomy

# Raised whenever the profile's content changes for the same file: a profile's id is derived
# from it (a re-parse by a newer parser is a new profile). 0.3.0: certifications and the roles
# named outside the dated jobs. 0.4.0: each skill says whether the CV claims it, with a confidence.
# 0.4.1: degrees with their majors, split from the school ("from", "in <year>", a colon).
# 0.4.2: a role with "Education" or "Experience" in it ("General Education Teacher") is a title;
# the skill-claim classifier knows a skill named only inside job titles ("Java Programmer").
# 0.4.3: seasons and "September to November 2007" date jobs; a header's place is not its employer.
# 0.4.4: "Employment Record", "Career Experience/Job History" and a heading run into its first
# job open the experience section; a town run into a title before its state is cut off.
# 0.4.5: "to date" ranges; dates, prose, other fields' values are not employers; duties are
# not titles; 53 more taxonomy skills.
PARSER_VERSION = "0.4.5"

EVIDENCE_CHARS = 120
# Besides the caller's region hint, national numbers are tried under the region of the CV's
# language ("06 12 34 56 78" in a French CV); numbers with a country code parse anyway.
_LANGUAGE_REGIONS = {"fr": "FR", "es": "ES", "de": "DE"}


@dataclass(frozen=True, slots=True)
class SkillEvidence:
    name: str  # canonical skill name
    evidence: str  # the text around its first mention, at most 120 characters
    start: int = -1  # character span of the first mention in the CV text
    end: int = -1
    # Stated as a skill ("Skills: Java, Kafka") rather than mentioned in passing, by the learned
    # claim classifier (``skill_claims``); its confidence is the out-of-fold precision of
    # skills it scored alike (None when the profile was built without the classifier).
    claimed: bool = True
    confidence: float | None = None


@dataclass(frozen=True, slots=True)
class ExperienceEntry:
    title: str | None
    company: str | None
    start: str  # YYYY-MM
    end: str | None  # YYYY-MM, "present", or None when unknown
    span: tuple[int, int] | None = field(default=None, compare=False)  # where it is written


@dataclass(frozen=True, slots=True)
class RoleMention:
    """A role or employer the CV names outside its dated jobs (headline, "Position:" field,
    "worked as X with Y"); it does not count towards months of experience."""

    title: str | None
    company: str | None
    span: tuple[int, int] | None = field(default=None, compare=False)  # the mention's span
    # Proposed by the learned mention classifier (``mentions``) rather than read by a rule.
    learned: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class EducationEntry:
    degree: str | None
    institution: str | None
    year: int | None
    span: tuple[int, int] | None = field(default=None, compare=False)  # the entry's first line


@dataclass(frozen=True, slots=True)
class CertificationEntry:
    """A certification, licence or course the CV names as one ("Cisco Certified Network
    Associate", "RN license", "Certificat de ..."): never inferred from a skill alone."""

    name: str  # the taxonomy's canonical name when it knows the credential, else as written
    issuer: str | None
    year: int | None
    span: tuple[int, int] | None = field(default=None, compare=False)  # the credential's span
    written: str = field(default="", compare=False)  # the credential as the CV writes it
    known: bool = field(default=False, compare=False)  # the taxonomy knows it
    in_section: bool = field(default=False, compare=False)  # read in a certifications section


@dataclass(frozen=True, slots=True)
class LanguageEntry:
    language: str  # ISO 639-1
    level: str | None  # CEFR (A1..C2): as written, or from a level word ("native" C2)
    span: tuple[int, int] | None = field(default=None, compare=False)  # the line naming it


@dataclass(frozen=True)
class Profile:
    name: str | None = None
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)  # E.164
    links: list[str] = field(default_factory=list)
    location: str | None = None
    skills: list[SkillEvidence] = field(default_factory=list)
    experience: list[ExperienceEntry] = field(default_factory=list)
    total_experience_months: int | None = None
    roles: list[RoleMention] = field(default_factory=list)
    education: list[EducationEntry] = field(default_factory=list)
    languages: list[LanguageEntry] = field(default_factory=list)
    language: str | None = None  # ISO 639-1 of the CV itself
    certifications: list[CertificationEntry] = field(default_factory=list)


def _evidence(text: str, match: SkillMatch) -> str:
    """The words around a mention, whitespace collapsed, the mention itself always included."""
    room = max(0, EVIDENCE_CHARS - len(match.surface)) // 2
    lo = max(0, match.start - room)
    hi = min(len(text), match.end + room)
    if lo > 0:
        space = text.find(" ", lo, match.start)
        lo = space + 1 if space != -1 else lo
    if hi < len(text):
        space = text.rfind(" ", match.end, hi)
        hi = space if space != -1 else hi
    snippet = re.sub(r"\s+", " ", text[lo:hi]).strip()
    return snippet[:EVIDENCE_CHARS]


def skill_matches(text: str, taxonomy: Taxonomy) -> list[SkillMatch]:
    """Every skill mention, ignoring e-mail addresses and URLs (offsets in ``text``)."""
    return taxonomy.find(mask(text, contact_spans(text)))


def skills_with_evidence(
    text: str, taxonomy: Taxonomy, matches: Sequence[SkillMatch] | None = None
) -> list[SkillEvidence]:
    """Unique canonical skills in order of first mention, ignoring e-mail addresses and URLs."""
    first: dict[str, SkillMatch] = {}
    for match in skill_matches(text, taxonomy) if matches is None else matches:
        first.setdefault(match.name, match)
    return [SkillEvidence(name, _evidence(text, m), m.start, m.end) for name, m in first.items()]


def claim_skills(
    skills: Sequence[SkillEvidence], features: Mapping[str, Sequence[str]], model: ClaimModel
) -> list[SkillEvidence]:
    """The skills with ``claimed`` and ``confidence`` set by the claim classifier."""
    out = []
    for skill in skills:
        margin = model.margin(features.get(skill.name, ()))
        out.append(dataclasses.replace(
            skill, claimed=margin >= model.threshold, confidence=model.confidence(margin)
        ))  # fmt: skip
    return out


def ruled_mentions(entries: Iterable[Job | ExperienceEntry | RoleMention]) -> dict[str, str]:
    """Folded titles and employers the rules read, to their kind: the classifier's input."""
    ruled: dict[str, str] = {}
    for entry in entries:
        if entry.title:
            ruled.setdefault(fold(entry.title), TITLE)
        if entry.company:
            ruled.setdefault(fold(entry.company), COMPANY)
    return ruled


def _learned_roles(
    lines: Sequence[Line],
    jobs: Sequence[Job],
    roles: Sequence[RoleMention],
    model: MentionModel,
    taxonomy: Taxonomy,
) -> list[RoleMention]:
    """What the classifier adds to the rules: titles and employers they did not read."""
    added = []
    for mention in find_mentions(lines, ruled_mentions([*jobs, *roles]), model):
        span = (mention.start, mention.end)
        if mention.kind == TITLE:
            added.append(RoleMention(mention.text, None, span, learned=True))
        elif (company := employer(mention.text, taxonomy)) is not None:
            added.append(RoleMention(None, company, span, learned=True))
    return added


def _education(lines: Sequence[Line], name: str | None) -> list[EducationEntry]:
    """The education entries, then degrees the candidate writes after their name that no entry
    already names."""
    entries = [EducationEntry(d.degree, d.institution, d.year, d.span) for d in find_degrees(lines)]
    named = {fold(e.degree).replace(".", "") for e in entries if e.degree}
    for d in post_nominal_degrees(lines, name):
        key = fold(d.degree or "").replace(".", "")
        if key not in named:
            named.add(key)
            entries.append(EducationEntry(d.degree, None, None, d.span))
    return entries


def build_profile(
    text: str,
    taxonomy: Taxonomy | None = None,
    today: date | None = None,
    region: str = "US",
    mentions: MentionModel | bool | None = True,
    claims: ClaimModel | bool | None = True,
) -> Profile:
    """Everything the CV text says about the candidate, as far as it can be read reliably.

    ``region`` is the phone-number region hint for numbers written without a country code;
    ``today`` bounds open-ended jobs ("2019 – present") and defaults to the current date.
    ``mentions``: the learned title / employer classifier (True: the shipped one; False or
    None: rules only, as its training reads them). ``claims``: the learned skill-claim
    classifier likewise (False or None: every skill claimed, no confidence).
    """
    taxonomy = taxonomy or load_taxonomy()
    today = today or date.today()
    text = normalise(text)
    lines = split_lines(text)
    language = detect_language(text)

    regions = [region]
    if language in _LANGUAGE_REGIONS and _LANGUAGE_REGIONS[language] != region:
        regions.append(_LANGUAGE_REGIONS[language])
    name = find_name(lines, taxonomy)

    jobs = [
        Job(j.title, employer(j.company, taxonomy), j.start, j.end, j.span)
        for j in find_jobs(lines, lambda part: employer(part, taxonomy) is None)
    ]
    experience = [ExperienceEntry(j.title, j.company, j.start, j.end, j.span) for j in jobs]
    roles = []
    for r in find_roles(lines, jobs):
        company = employer(r.company, taxonomy)
        if r.title or company:
            roles.append(RoleMention(r.title, company, (r.start, r.end)))
    if mentions:
        model = mentions if isinstance(mentions, MentionModel) else load_mention_model()
        roles += _learned_roles(lines, jobs, roles, model, taxonomy)
    months = merge_months(((j.start, j.end) for j in jobs), today) if jobs else None
    matches = skill_matches(text, taxonomy)
    skills = skills_with_evidence(text, taxonomy, matches)
    if claims:
        claim_model = claims if isinstance(claims, ClaimModel) else load_claim_model()
        skills = claim_skills(skills, claim_features(text, lines, matches, taxonomy), claim_model)

    return Profile(
        name=name,
        emails=find_emails(text),
        phones=find_phones(mask(text, date_spans(text)), regions),
        links=find_links(text),
        location=find_location(lines, name, taxonomy),
        skills=skills,
        experience=experience,
        total_experience_months=months,
        roles=roles,
        education=_education(lines, name),
        languages=[LanguageEntry(s.language, s.level, s.span) for s in find_spoken(lines)],
        language=language,
        certifications=[
            CertificationEntry(c.name, c.issuer, c.year, c.span, c.written, c.known, c.in_section)
            for c in find_certifications(lines, matches, taxonomy, DEGREE_PATTERN, name)
        ],
    )


__all__ = [
    "PARSER_VERSION",
    "PRESENT",
    "CertificationEntry",
    "EducationEntry",
    "ExperienceEntry",
    "LanguageEntry",
    "Profile",
    "RoleMention",
    "SkillEvidence",
    "build_profile",
    "merge_months",
]
