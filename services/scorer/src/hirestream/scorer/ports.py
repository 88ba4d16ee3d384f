"""What the scorer's use cases need from the outside world."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from hirestream.contracts import Event
from hirestream.scorer.domain.requirements import Requirement
from hirestream.scorer.domain.scoring import CandidateFacts


@dataclass(frozen=True)
class StoredPosting:
    posting_id: uuid.UUID
    slug: str
    title: str
    body: str
    notify_email: str | None
    requirements_version: int
    requirements: list[dict[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class StoredScore:
    application_id: uuid.UUID
    posting_id: uuid.UUID
    score: int
    tier: str
    verdicts: list[dict[str, Any]]
    matched: list[str]
    missing: list[str]
    hint: str | None
    requirements_version: int
    rubric_version: str
    parser_version: str
    trigger: str = "profile"  # "profile", "requirements" (changed) or "reprocess"


@dataclass(frozen=True)
class VerdictSet:
    """What a score says beyond its number. Every score of a requirements version with the same
    verdicts shares one (``verdicts`` index into that version's requirements)."""

    score: int
    tier: str
    verdicts: list[dict[str, Any]]
    matched: list[str]
    missing: list[str]
    hint: str | None


@dataclass(frozen=True)
class FactsGroup:
    """Stored profiles of one posting that scoring cannot tell apart: the same facts, once the
    skills no requirement can see are folded and the fields no requirement reads are left out.
    ``key`` names the group until the rescore is stored."""

    key: str
    facts: CandidateFacts
    applications: int


@dataclass(frozen=True)
class RescoredBatch:
    """The groups of ``ScorerStore.group_profiles`` scored against one requirements version
    and rubric: every application of group ``group_keys[i]`` got ``verdict_sets[picks[i]]``."""

    posting_id: uuid.UUID
    requirements_version: int
    rubric_version: str
    trigger: str
    verdict_sets: list[VerdictSet]
    group_keys: list[str]
    picks: list[int]


@dataclass(frozen=True)
class StoredProfile:
    application_id: uuid.UUID
    posting_id: uuid.UUID
    profile_id: uuid.UUID
    parser_version: str
    status: str
    skills: list[str]
    total_experience_months: int | None
    languages: list[dict[str, str | None]] = field(default_factory=list)  # {language, level}
    leadership_months: int | None = None
    degrees: list[str] = field(default_factory=list)
    # skill -> {"page", "start", "end"} in the CV; shown with verdicts, never scored.
    skill_locations: dict[str, dict[str, int | None]] = field(default_factory=dict)


class ScorerStore(Protocol):
    async def posting_by_slug(self, slug: str) -> StoredPosting | None: ...
    async def posting(self, posting_id: uuid.UUID) -> StoredPosting | None: ...
    async def save_posting(
        self, posting: StoredPosting, metadata: dict[str, Any], model_version: str
    ) -> None: ...
    async def save_requirements(self, posting: StoredPosting, source: str) -> None:
        """A new requirements version (``posting.requirements_version``) made by ``source``."""
        ...

    async def current_requirements(
        self, posting_id: uuid.UUID
    ) -> tuple[int, list[Requirement]] | None:
        """The posting's current requirements version and its requirements; None when the
        posting is unknown."""

    async def save_profile(self, profile: StoredProfile) -> None: ...
    async def save_scored_profile(self, profile: StoredProfile, score: StoredScore) -> None:
        """``save_profile`` then ``add_score``."""

    async def profiles_of(self, posting_id: uuid.UUID) -> list[StoredProfile]: ...
    async def skill_vocabulary(self, posting_id: uuid.UUID) -> set[str]:
        """Every skill string the posting's stored profiles list."""
        ...

    async def group_profiles(
        self,
        posting_id: uuid.UUID,
        *,
        folded: frozenset[str],
        reads: frozenset[str],
        unless_scored_with: tuple[int, str] | None = None,
    ) -> list[FactsGroup]:
        """The posting's stored profiles, grouped by the facts scoring reads: skills in
        ``folded`` replaced by the one ``compiled.OTHER_SKILLS``, ``CandidateFacts`` fields
        not in ``reads`` left at their defaults. Applications whose newest score used
        ``unless_scored_with`` (requirements version, rubric version) are left out. The store
        keeps which application is in which group for ``add_rescored``, in this unit of work.
        """
        ...

    async def postings(self) -> list[StoredPosting]: ...
    async def add_score(self, score: StoredScore) -> None: ...
    async def add_rescored(self, batch: RescoredBatch) -> int:
        """Store a score for every application of the grouped profiles (history kept) and queue
        one application.scored.v1 per application, published once this transaction commits:
        all or nothing. Returns how many applications were scored."""
        ...

    async def emit(self, event: Event) -> None: ...
