"""A CV as lines, each tagged with the section (experience, education...) its heading opened."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

EXPERIENCE = "experience"
EDUCATION = "education"
SKILLS = "skills"
LANGUAGES = "languages"
CERTIFICATIONS = "certifications"
SUMMARY = "summary"
OTHER = "other"

# Headings in English, French, Spanish and German, compared without accents and case.
_HEADINGS: dict[str, tuple[str, ...]] = {
    EXPERIENCE: (
        "experience", "work experience", "professional experience", "relevant experience",
        "employment", "employment history", "work history", "career history", "career",
        "professional background", "experience professionnelle", "experiences professionnelles",
        "experiences", "parcours professionnel", "parcours", "experiencia", "experiencia laboral",
        "experiencia profesional", "trayectoria profesional", "historial laboral",
        "berufserfahrung", "beruflicher werdegang", "berufliche erfahrung", "werdegang",
        "praktische erfahrung", "work experience and internships", "employment record",
        "job history", "career experience", "professional history", "employment details",
        "internships", "internship", "traineeship", "current position", "present position",
        "current employment", "present employment", "current role",
    ),
    EDUCATION: (
        "education", "academic background", "education and training", "education & training",
        "academic qualifications", "educational background", "academic history",
        "qualifications", "formation", "formations", "formation academique", "etudes",
        "diplomes", "cursus", "diplomes et formations", "educacion", "formacion",
        "formacion academica", "estudios", "titulacion", "ausbildung", "bildung",
        "educational qualifications", "professional qualifications",
        "bildungsweg", "studium", "schulbildung", "akademischer werdegang",
    ),
    SKILLS: (
        "skills", "technical skills", "key skills", "core competencies", "competencies",
        "areas of expertise", "expertise", "skills and abilities", "skills & abilities",
        "computer skills", "it skills", "professional skills", "skills summary",
        "additional skills", "competences", "competences techniques", "savoir-faire",
        "competencias", "habilidades", "aptitudes", "conocimientos", "kenntnisse",
        "fahigkeiten", "kompetenzen", "it-kenntnisse", "technische kenntnisse",
        # "Qualifications" after another word is what the candidate can do, in US resumes;
        # alone, or academic, it is the education section.
        "key qualifications", "core qualifications", "technical qualifications",
        "skills & qualifications", "skills and qualifications",
    ),
    LANGUAGES: (
        "languages", "language skills", "language", "language proficiency", "languages known",
        "spoken languages", "langues", "langues parlees", "competences linguistiques",
        "idiomas", "lenguas", "sprachen", "sprachkenntnisse",
    ),
    CERTIFICATIONS: (
        "certifications", "certificates", "licenses", "licences", "certifications and licenses",
        "licenses and certifications", "licenses & certifications", "certificats",
        "certifications professionnelles", "certificaciones", "zertifikate",
        "zertifizierungen",
    ),
    SUMMARY: (
        "summary", "professional summary", "profile", "professional profile", "career summary",
        "objective", "career objective", "about me", "personal statement", "profil",
        "profil professionnel", "objectif", "a propos", "a propos de moi", "perfil",
        "perfil profesional", "resumen", "sobre mi", "objetivo", "kurzprofil", "uber mich",
        "zusammenfassung", "summary of qualifications", "highlights of qualifications",
        "qualifications summary", "qualification summary",
    ),
    OTHER: (
        "projects", "references", "interests", "hobbies", "volunteer", "volunteering",
        "volunteer experience", "awards", "achievements", "publications", "activities",
        "additional information", "personal details", "personal information", "contact",
        "contact information", "centres d'interet", "loisirs", "projets", "references",
        "informations personnelles", "intereses", "aficiones", "proyectos", "referencias",
        "datos personales", "interessen", "hobbys", "projekte", "personliche daten",
        "referenzen", "links", "memberships", "professional memberships", "affiliations",
        "professional affiliations", "memberships and affiliations",
    ),
}  # fmt: skip
_SECTION_OF = {h: section for section, names in _HEADINGS.items() for h in names}
_DECORATION = re.compile(r"^[\W_]+|[\W_]+$")


@lru_cache(maxsize=1 << 16)  # words and short lines recur across and within CVs
def fold(text: str) -> str:
    """Lower case without accents: "Expérience" and "EXPERIENCE" compare equal."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def word_set(text: str) -> frozenset[str]:
    """A vocabulary written as whitespace-separated words, folded like ``fold``."""
    return frozenset(fold(word) for word in text.split())


@dataclass(frozen=True, slots=True)
class Line:
    text: str  # stripped
    start: int  # offset of the stripped text in the document
    section: str | None  # None before the first heading
    is_heading: bool = False


# A short heading ending in one of these words opens that section ("Retail Experience",
# "Teaching Experience", "Relevant Employment", "Academic Qualifications").
_HEADING_TAILS = {
    "experience": EXPERIENCE, "experiences": EXPERIENCE, "employment": EXPERIENCE,
    "appointments": EXPERIENCE, "positions": EXPERIENCE, "internships": EXPERIENCE,
    "internship": EXPERIENCE, "traineeship": EXPERIENCE, "traineeships": EXPERIENCE,
    "education": EDUCATION,
    "skills": SKILLS, "competencies": SKILLS,
}  # fmt: skip
# A heading that names experience is the experience section whatever it ends with ("Related
# Experience in Education").
_EXPERIENCE_WORDS = frozenset({"experience", "experiences", "employment"})
_HEADING_HEADS = {"experience": EXPERIENCE, "experiencia": EXPERIENCE, "employment": EXPERIENCE,
                  "formation": EDUCATION, "formacion": EDUCATION}  # fmt: skip


def _heading_words(text: str) -> str:
    return " ".join(_DECORATION.sub("", fold(text)).split())


def listed_heading(text: str) -> str | None:
    """The section of a heading written as one of the listed names, decoration aside."""
    return _listed(_heading_words(text))


def _listed(words: str) -> str | None:
    # "Career Experience/Job History": one heading written two ways; the first known one names it.
    for name in words.split("/") if "/" in words else (words,):
        known = _SECTION_OF.get(name.strip())
        if known is not None:
            return known
    return None


def heading_section(text: str) -> str | None:
    """The section a line opens when it is a heading ("WORK EXPERIENCE", "Formation :")."""
    words = _heading_words(text)
    if not words or len(words) > 40:
        return None
    known = _listed(words)
    if known is not None:
        return known
    parts = words.replace("/", " ").split()
    stripped = text.strip().rstrip(":")
    title_like = stripped.isupper() or all(w[:1].isupper() or len(w) <= 3 for w in stripped.split())
    if 2 <= len(parts) <= 4 and title_like and not any(c.isdigit() for c in words):
        if _EXPERIENCE_WORDS & set(parts):
            return EXPERIENCE
        return _HEADING_TAILS.get(parts[-1]) or _HEADING_HEADS.get(parts[0])
    return None


_SUBHEADING = re.compile(r"^\(?[A-Z][.)]\s+")


def split_lines(text: str) -> list[Line]:
    lines: list[Line] = []
    section: str | None = None
    offset = 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = offset + raw.index(stripped[0])
            opened = heading_section(stripped)
            if opened is not None and section is not None and _SUBHEADING.match(stripped):
                # "Employment History" over "A. Higher Education": a lettered part of the
                # section it sits in, unless it names a section outright ("B. Education").
                opened = listed_heading(_SUBHEADING.sub("", stripped)) or section
            if opened is not None:
                section = opened
            lines.append(Line(stripped, start, section, is_heading=opened is not None))
        offset += len(raw) + 1
    return lines


# Where a line holds several fields: big gaps from PDF columns, pipes, bullets, dashes between
# spaces. Commas and single spaces are kept: they belong to names and addresses.
SEGMENT_SPLIT = re.compile(r"\s{2,}|\t|\s*[|•·▪◦●■►➢✓]\s*|\s+(?:--|[-–—])\s+")


def segments(text: str) -> list[str]:
    return [s.strip() for s in SEGMENT_SPLIT.split(text) if s and s.strip()]
