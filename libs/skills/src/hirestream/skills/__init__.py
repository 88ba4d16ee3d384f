"""Canonical skills: one taxonomy shared by the parser (CV text) and the scorer (postings)."""

from hirestream.skills.taxonomy import (
    Skill,
    SkillMatch,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
)

__all__ = ["Skill", "SkillMatch", "Taxonomy", "TaxonomyError", "load_taxonomy"]
