"""Scorer use cases: publish a posting with its typed requirements, let the hiring team edit them,
score a parsed profile, and rescore stored profiles when requirements or the rubric change.

Fairness by construction: scoring reads a ``StoredProfile`` built from ``profile.parsed.v1``,
which carries skills, experience months, languages, leadership months and degrees, never a name,
e-mail, phone, gender, age, photo, nationality or address (those stay in intake and parser).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, Literal

from hirestream.contracts import ApplicationScoredV1, PostingPublishedV1, ProfileParsedV1, Tier
from hirestream.scorer.domain.compiled import CompiledRequirements
from hirestream.scorer.domain.posting import PostingDocument
from hirestream.scorer.domain.requirements import (
    REQUIREMENTS_MODEL_VERSION,
    Requirement,
    extract_requirements,
)
from hirestream.scorer.domain.scoring import (
    RUBRIC_VERSION,
    CandidateFacts,
    ScoreResult,
    score_candidate,
)
from hirestream.scorer.domain.taxonomy import SkillTaxonomy
from hirestream.scorer.ports import (
    RescoredBatch,
    ScorerStore,
    StoredPosting,
    StoredProfile,
    StoredScore,
    VerdictSet,
)

Trigger = Literal["profile", "requirements", "reprocess"]


class UnknownPosting(Exception):
    pass


async def publish_posting(
    store: ScorerStore, document: PostingDocument, taxonomy: SkillTaxonomy
) -> StoredPosting:
    """Create or update a posting. New text means a new requirements version; republishing the
    same text changes nothing and emits nothing. When the new version's requirements differ,
    every stored profile of the posting is rescored against them."""
    current = await store.posting_by_slug(document.slug)
    if current is not None and current.body == document.body and current.title == document.title:
        return current
    requirements = [r.to_dict() for r in extract_requirements(document, taxonomy)]
    notify = document.metadata.get("notify_email")
    posting = StoredPosting(
        posting_id=current.posting_id if current else uuid.uuid4(),
        slug=document.slug,
        title=document.title,
        body=document.body,
        notify_email=str(notify) if notify else None,
        requirements_version=(current.requirements_version + 1) if current else 1,
        requirements=requirements,
    )
    await store.save_posting(posting, _jsonable(document.metadata), REQUIREMENTS_MODEL_VERSION)
    await _announce(store, posting)
    if current is not None and _normalised(current.requirements) != requirements:
        await rescore_posting(store, posting, taxonomy, trigger="requirements")
    return posting


async def edit_requirements(
    store: ScorerStore,
    slug: str,
    requirements: Sequence[Requirement],
    taxonomy: SkillTaxonomy,
) -> StoredPosting:
    """The hiring team's own requirements list (added, removed, reworded, reweighted): a new
    version, kept beside the earlier ones; stored profiles are rescored against it."""
    current = await store.posting_by_slug(slug)
    if current is None:
        raise UnknownPosting(f"no posting {slug!r}")
    edited = [r.to_dict() for r in requirements]
    if edited == _normalised(current.requirements):
        return current
    posting = replace(
        current, requirements_version=current.requirements_version + 1, requirements=edited
    )
    await store.save_requirements(posting, "team")
    await _announce(store, posting)
    await rescore_posting(store, posting, taxonomy, trigger="requirements")
    return posting


async def score_profile(
    store: ScorerStore, event: ProfileParsedV1, taxonomy: SkillTaxonomy
) -> None:
    current = await store.current_requirements(event.posting_id)
    if current is None:
        raise UnknownPosting(f"posting {event.posting_id} is unknown to the scorer")
    version, requirements = current
    profile = profile_from_event(event)
    score = score_with(event.posting_id, version, requirements, profile, taxonomy, "profile")
    await store.save_scored_profile(profile, score)
    await store.emit(scored_event(score))


async def rescore_posting(
    store: ScorerStore,
    posting: StoredPosting,
    taxonomy: SkillTaxonomy,
    *,
    trigger: Trigger = "reprocess",
    only_stale: bool = False,
) -> int:
    """Replay the posting's stored profiles against its current requirements and rubric. Old
    scores stay in history; each new score is announced again (the notifier dedupes per
    application), once the transaction has committed. With ``only_stale``, applications whose
    newest score already used this requirements version and rubric are left alone. Returns how
    many were rescored."""
    requirements = _requirements(posting)
    # Same results as score_candidate per profile. Profiles scoring cannot tell apart are
    # judged once, in groups the store forms (skills no requirement can see folded, facts no
    # requirement reads left out), and each distinct outcome is judged once.
    compiled = CompiledRequirements(requirements, taxonomy)
    folded = compiled.foldable_skills(await store.skill_vocabulary(posting.posting_id))
    groups = await store.group_profiles(
        posting.posting_id,
        folded=folded,
        reads=compiled.reads,
        unless_scored_with=(posting.requirements_version, RUBRIC_VERSION) if only_stale else None,
    )
    if not groups:
        return 0
    picks = [compiled.classify(group.facts) for group in groups]
    return await store.add_rescored(
        RescoredBatch(
            posting_id=posting.posting_id,
            requirements_version=posting.requirements_version,
            rubric_version=RUBRIC_VERSION,
            trigger=trigger,
            verdict_sets=[verdict_set(r, requirements) for r in compiled.results],
            group_keys=[group.key for group in groups],
            picks=picks,
        )
    )


async def reprocess(
    store: ScorerStore, taxonomy: SkillTaxonomy, *, slug: str | None = None, everything: bool
) -> dict[str, int]:
    """Rescore every posting (or one): only stale scores unless ``everything``."""
    if slug is not None:
        posting = await store.posting_by_slug(slug)
        if posting is None:
            raise UnknownPosting(f"no posting {slug!r}")
        postings = [posting]
    else:
        postings = await store.postings()
    return {
        p.slug: await rescore_posting(store, p, taxonomy, only_stale=not everything)
        for p in postings
    }


def profile_from_event(event: ProfileParsedV1) -> StoredProfile:
    return StoredProfile(
        application_id=event.application_id,
        posting_id=event.posting_id,
        profile_id=event.profile_id,
        parser_version=event.parser_version,
        status=event.status.value,
        skills=list(event.skills),
        total_experience_months=event.total_experience_months,
        languages=[{"language": x.language, "level": x.level} for x in event.languages],
        leadership_months=event.leadership_months,
        degrees=list(event.degrees),
        skill_locations={
            loc.skill: {"page": loc.page, "start": loc.start, "end": loc.end}
            for loc in reversed(event.skill_locations)  # the first location of a skill wins
        },
    )


def facts_of(profile: StoredProfile) -> CandidateFacts:
    """The bridge from a stored profile to scoring: no personal data exists on either side (the
    store's ``group_profiles`` builds the same facts for rescoring, from the same columns)."""
    languages: dict[str, str] = {}
    for entry in profile.languages:
        language = entry.get("language")
        if language:
            languages[language] = entry.get("level") or ""
    return CandidateFacts(
        skills=frozenset(profile.skills),
        total_experience_months=profile.total_experience_months,
        languages=languages,
        leadership_months=profile.leadership_months,
        degrees=tuple(profile.degrees),
    )


def score_stored_profile(
    posting: StoredPosting,
    requirements: Sequence[Requirement],
    profile: StoredProfile,
    taxonomy: SkillTaxonomy,
    trigger: Trigger,
) -> StoredScore:
    return score_with(
        posting.posting_id, posting.requirements_version, requirements, profile, taxonomy, trigger
    )


def score_with(
    posting_id: uuid.UUID,
    requirements_version: int,
    requirements: Sequence[Requirement],
    profile: StoredProfile,
    taxonomy: SkillTaxonomy,
    trigger: Trigger,
) -> StoredScore:
    result = score_candidate(requirements, facts_of(profile), taxonomy)
    return StoredScore(
        application_id=profile.application_id,
        posting_id=posting_id,
        score=result.score,
        tier=result.tier,
        verdicts=verdicts_json(result, requirements),
        matched=list(result.matched),
        missing=list(result.missing),
        hint=result.next_tier_hint,
        requirements_version=requirements_version,
        rubric_version=RUBRIC_VERSION,
        parser_version=profile.parser_version,
        trigger=trigger,
    )


def verdict_set(result: ScoreResult, requirements: Sequence[Requirement]) -> VerdictSet:
    return VerdictSet(
        score=result.score,
        tier=result.tier,
        verdicts=verdicts_json(result, requirements),
        matched=list(result.matched),
        missing=list(result.missing),
        hint=result.next_tier_hint,
    )


def verdicts_json(result: ScoreResult, requirements: Sequence[Requirement]) -> list[dict[str, Any]]:
    """Compact verdicts: ``requirement`` is the index into the requirements version the score
    names (readers expand it), so 100,000 stored scores do not repeat every ad sentence."""
    index = {id(r): i for i, r in enumerate(requirements)}
    return [
        {"requirement": index[id(v.requirement)], "status": v.status,
         "evidence": v.evidence, "reason": v.reason}
        for v in result.verdicts
    ]  # fmt: skip


def scored_event(score: StoredScore) -> ApplicationScoredV1:
    return ApplicationScoredV1(
        application_id=score.application_id,
        posting_id=score.posting_id,
        score=score.score,
        tier=Tier(score.tier),
        matched=score.matched,
        missing=score.missing,
        requirements_version=score.requirements_version,
        rubric_version=score.rubric_version,
        parser_version=score.parser_version,
    )


async def _announce(store: ScorerStore, posting: StoredPosting) -> None:
    await store.emit(
        PostingPublishedV1(
            posting_id=posting.posting_id,
            slug=posting.slug,
            title=posting.title,
            requirements_version=posting.requirements_version,
            notify_email=posting.notify_email,
        )
    )


def _requirements(posting: StoredPosting) -> list[Requirement]:
    return [Requirement.from_dict(r) for r in posting.requirements]


def _normalised(requirements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Stored lists predate ``weight``; compare them in today's shape."""
    return [Requirement.from_dict(r).to_dict() for r in requirements]


def _jsonable(value: Any) -> Any:
    """Front matter may hold dates; verdicts hold nested dataclasses: store plain JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
