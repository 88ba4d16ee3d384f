"""The parser's domain: CV text in, candidate profile out. Pure Python, no I/O."""

from hirestream.parser.domain.profile import (
    PARSER_VERSION,
    PRESENT,
    CertificationEntry,
    EducationEntry,
    ExperienceEntry,
    LanguageEntry,
    Profile,
    SkillEvidence,
    build_profile,
    merge_months,
)

__all__ = [
    "PARSER_VERSION",
    "PRESENT",
    "CertificationEntry",
    "EducationEntry",
    "ExperienceEntry",
    "LanguageEntry",
    "Profile",
    "SkillEvidence",
    "build_profile",
    "merge_months",
]
