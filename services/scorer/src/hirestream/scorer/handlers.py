"""Scorer use cases: publish a posting with its typed requirements; score a parsed profile."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from typing import Any

from hirestream.contracts import ApplicationScoredV1, PostingPublishedV1, ProfileParsedV1, Tier
from hirestream.scorer.domain.posting import PostingDocument
from hirestream.scorer.domain.requirements import (
    REQUIREMENTS_MODEL_VERSION,
    Requirement,
    extract_requirements,
)
from hirestream.scorer.domain.scoring import RUBRIC_VERSION, CandidateFacts, score_candidate
from hirestream.scorer.ports import ScorerStore, StoredPosting, StoredProfile, StoredScore
from hirestream.skills import Taxonomy


class UnknownPosting(Exception):
    pass


async def publish_posting(
    store: ScorerStore, document: PostingDocument, taxonomy: Taxonomy
) -> StoredPosting:
    """Create or update a posting. New text means a new requirements version; republishing the
    same text changes nothing and emits nothing."""
    current = await store.posting_by_slug(document.slug)
    if current is not None and current.body == document.body and current.title == document.title:
        return current
    requirements = [asdict(r) for r in extract_requirements(document, taxonomy)]
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
    await store.emit(
        PostingPublishedV1(
            posting_id=posting.posting_id,
            slug=posting.slug,
            title=posting.title,
            requirements_version=posting.requirements_version,
            notify_email=posting.notify_email,
        )
    )
    return posting


async def score_profile(store: ScorerStore, event: ProfileParsedV1, taxonomy: Taxonomy) -> None:
    posting = await store.posting(event.posting_id)
    if posting is None:
        raise UnknownPosting(f"posting {event.posting_id} is unknown to the scorer")
    await store.save_profile(
        StoredProfile(
            application_id=event.application_id,
            posting_id=event.posting_id,
            profile_id=event.profile_id,
            parser_version=event.parser_version,
            status=event.status.value,
            skills=list(event.skills),
            total_experience_months=event.total_experience_months,
        )
    )
    requirements = [Requirement(**r) for r in posting.requirements]
    facts = CandidateFacts(
        skills=frozenset(event.skills), total_experience_months=event.total_experience_months
    )
    result = score_candidate(requirements, facts, taxonomy)
    score = StoredScore(
        application_id=event.application_id,
        posting_id=event.posting_id,
        score=result.score,
        tier=result.tier,
        verdicts=[_jsonable(asdict(v)) for v in result.verdicts],
        matched=list(result.matched),
        missing=list(result.missing),
        hint=result.next_tier_hint,
        requirements_version=posting.requirements_version,
        rubric_version=RUBRIC_VERSION,
        parser_version=event.parser_version,
    )
    await store.add_score(score)
    await store.emit(
        ApplicationScoredV1(
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
    )


def _jsonable(value: Any) -> Any:
    """Front matter may hold dates; verdicts hold nested dataclasses: store plain JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)
