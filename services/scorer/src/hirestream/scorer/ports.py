"""What the scorer's use cases need from the outside world."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Protocol

from hirestream.contracts import Event
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
class RescoredBatch:
    """Many applications of one posting scored against one requirements version and rubric,
    column by column: application ``application_ids[i]`` got ``verdict_sets[picks[i]]``."""

    posting_id: uuid.UUID
    requirements_version: int
    rubric_version: str
    trigger: str
    verdict_sets: list[VerdictSet]
    application_ids: list[uuid.UUID]
    parser_versions: list[str]
    picks: list[int]


# What rescoring reads of a stored profile: (application id, parser version, facts).
ProfileFacts = tuple[uuid.UUID, str, CandidateFacts]


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


@dataclass(frozen=True)
class CurrentScore:
    """What rescoring needs to know about an application's newest score."""

    application_id: uuid.UUID
    requirements_version: int
    rubric_version: str


class ScorerStore(Protocol):
    async def posting_by_slug(self, slug: str) -> StoredPosting | None: ...
    async def posting(self, posting_id: uuid.UUID) -> StoredPosting | None: ...
    async def save_posting(
        self, posting: StoredPosting, metadata: dict[str, Any], model_version: str
    ) -> None: ...
    async def save_requirements(self, posting: StoredPosting, source: str) -> None:
        """A new requirements version (``posting.requirements_version``) made by ``source``."""
        ...

    async def save_profile(self, profile: StoredProfile) -> None: ...
    async def profiles_of(self, posting_id: uuid.UUID) -> list[StoredProfile]: ...
    async def skill_vocabulary(self, posting_id: uuid.UUID) -> set[str]:
        """Every skill string the posting's stored profiles list."""
        ...

    async def profile_facts(
        self, posting_id: uuid.UUID, *, folded: frozenset[str] = frozenset()
    ) -> list[ProfileFacts]:
        """Every stored profile of the posting as scoring reads it (``handlers.facts_of``),
        except that skills in ``folded`` are replaced by the one ``compiled.OTHER_SKILLS``."""
        ...

    async def current_scores(self, posting_id: uuid.UUID) -> dict[uuid.UUID, CurrentScore]: ...
    async def postings(self) -> list[StoredPosting]: ...
    async def add_score(self, score: StoredScore) -> None: ...
    async def add_rescored(self, batch: RescoredBatch) -> None:
        """Store every score of the batch (history kept) and queue one application.scored.v1
        per application, published once this transaction commits: all or nothing."""
        ...

    async def emit(self, event: Event) -> None: ...
