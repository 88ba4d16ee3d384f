"""Canonical skills: one taxonomy shared by the parser (CV text) and the scorer (postings)."""

from hirestream.skills._pattern import trie_regex
from hirestream.skills.taxonomy import (
    Skill,
    SkillMatch,
    Taxonomy,
    TaxonomyError,
    load_taxonomy,
)

__all__ = ["Skill", "SkillMatch", "Taxonomy", "TaxonomyError", "load_taxonomy", "trie_regex"]
