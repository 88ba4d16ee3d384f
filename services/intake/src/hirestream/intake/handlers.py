"""Intake use cases: a submission becomes one application (or the existing one), durable
with its raw input and its ``application.received`` event in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hirestream.contracts import (
    ApplicationReceivedV1,
    ApplicationScoredV1,
    NotificationSentV1,
    PostingPublishedV1,
    ProfileParsedV1,
)
from hirestream.intake.domain.submission import (
    Refusal,
    Submission,
    dedupe_key,
    normalise_email,
    normalise_phone,
)
from hirestream.intake.ports import ApplicationRecord, IntakeStore, PostingRecord, StoredAttachment


@dataclass(frozen=True)
class Receipt:
    application_id: uuid.UUID
    duplicate: bool
    # The same person applied again to the same posting: linked to their first application.
    reapplication: bool = False


@dataclass(frozen=True)
class RateLimit:
    """At most ``max_applications`` new applications per person per window. A re-application
    to the same posting is never limited: it is always recorded and linked."""

    max_applications: int = 20
    window_seconds: int = 3600


DEFAULT_RATE_LIMIT = RateLimit()


async def receive_application(
    store: IntakeStore, submission: Submission, rate_limit: RateLimit = DEFAULT_RATE_LIMIT
) -> Receipt:
    posting = await store.posting_by_slug(submission.posting_slug)
    if posting is None:
        raise Refusal("unknown_posting", f"No open posting called '{submission.posting_slug}'.")
    key = dedupe_key(submission)
    if key is not None:
        existing = await store.application_by_dedupe_key(key)
        if existing is not None:  # the same delivery, retried
            return Receipt(existing.application_id, duplicate=True)
    cv = await store.put_blob(submission.cv.data, submission.cv.media_type)
    email_norm = normalise_email(submission.candidate_email)
    phone = normalise_phone(submission.candidate_phone)
    candidate_id = await store.find_candidate(email_norm, phone, cv.sha256)
    raw = await store.put_blob(submission.raw, submission.raw_media_type)
    if candidate_id is not None:
        earlier = await store.application_for(candidate_id, posting.posting_id)
        if earlier is not None:
            await store.add_resubmission(
                earlier.application_id,
                channel=submission.source or submission.channel.value,
                raw=raw,
                cv_sha256=cv.sha256,
                dedupe_key=key or f"resubmission|{uuid.uuid4()}",
            )
            return Receipt(earlier.application_id, duplicate=True, reapplication=True)
        recent = await store.recent_applications(candidate_id, rate_limit.window_seconds)
        if recent >= rate_limit.max_applications:
            raise Refusal(
                "rate_limited",
                f"More than {rate_limit.max_applications} applications from this sender within "
                f"{rate_limit.window_seconds // 60} minutes; please try again later.",
            )
    else:
        candidate_id = uuid.uuid4()
        await store.add_candidate(candidate_id, email_norm, phone)
    attachments = [StoredAttachment("cv", submission.cv.filename, cv)]
    for extra in submission.attachments:
        blob = await store.put_blob(extra.data, extra.media_type)
        attachments.append(StoredAttachment(extra.role, extra.filename, blob))
    record = ApplicationRecord(
        application_id=uuid.uuid4(),
        posting_id=posting.posting_id,
        posting_slug=posting.slug,
        channel=submission.source or submission.channel.value,
        status="received",
        candidate_name=submission.candidate_name,
        candidate_email=submission.candidate_email,
        candidate_phone=phone or submission.candidate_phone,
        cv_sha256=cv.sha256,
        candidate_id=candidate_id,
        forwarded_by=submission.forwarded_by,
        auth_results=dict(submission.auth_results),
        spam_score=submission.spam_score,
    )
    await store.add_application(
        record,
        dedupe_key=key or f"application|{record.application_id}",
        raw=raw,
        cover_letter=submission.cover_letter,
        attachments=attachments,
    )
    await store.emit(
        ApplicationReceivedV1(
            application_id=record.application_id,
            posting_id=posting.posting_id,
            posting_slug=posting.slug,
            channel=submission.channel,
            cv=cv,
        )
    )
    return Receipt(record.application_id, duplicate=False)


async def record_posting(store: IntakeStore, event: PostingPublishedV1) -> None:
    """Intake learns which postings accept applications from the scorer's postings."""
    await store.save_posting(PostingRecord(event.posting_id, event.slug, event.title))


StageEvent = ProfileParsedV1 | ApplicationScoredV1 | NotificationSentV1


async def record_stage(store: IntakeStore, event: StageEvent) -> None:
    """Intake owns the history an applicant or a recruiter sees: one timestamp per stage."""
    detail: dict[str, Any]
    if isinstance(event, ProfileParsedV1):
        stage, detail = "parsed", {"status": event.status.value, "error": event.error_code}
    elif isinstance(event, ApplicationScoredV1):
        stage, detail = "scored", {"tier": event.tier.value}
    else:
        stage, detail = "notified", {"status": event.status}
    at: datetime = event.occurred_at
    await store.record_stage(event.application_id, stage, at, detail)
