"""The scorer's pure domain: reading postings, extracting requirements, scoring candidates.

No I/O and no framework imports here (import-linter enforces it): handlers feed text and facts in
and persist what comes out.
"""

from hirestream.scorer.domain.posting import PostingDocument, read_posting
from hirestream.scorer.domain.requirements import (
    REQUIREMENTS_MODEL_VERSION,
    ExperienceScope,
    Importance,
    Requirement,
    RequirementKind,
    extract_requirements,
)
from hirestream.scorer.domain.scoring import (
    RUBRIC_VERSION,
    CandidateFacts,
    ScoreResult,
    TierName,
    Verdict,
    VerdictStatus,
    score_candidate,
)
from hirestream.scorer.domain.taxonomy import SkillMatchLike, SkillTaxonomy

__all__ = [
    "REQUIREMENTS_MODEL_VERSION",
    "RUBRIC_VERSION",
    "CandidateFacts",
    "ExperienceScope",
    "Importance",
    "PostingDocument",
    "Requirement",
    "RequirementKind",
    "ScoreResult",
    "SkillMatchLike",
    "SkillTaxonomy",
    "TierName",
    "Verdict",
    "VerdictStatus",
    "extract_requirements",
    "read_posting",
    "score_candidate",
]
