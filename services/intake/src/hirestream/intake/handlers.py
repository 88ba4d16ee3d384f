"""Intake use cases: a submission becomes one application (or the existing one), durable
with its raw input and its ``application.received`` event in one transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
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
    content_address,
    dedupe_key,
    normalise_email,
    normalise_phone,
)
from hirestream.intake.ports import (
    ApplicationRecord,
    IncomingFile,
    IntakeStore,
    NewCandidate,
    PostingRecord,
    PriorQuery,
    StageEntry,
)


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
    key = dedupe_key(submission)
    email_norm = normalise_email(submission.candidate_email)
    phone = normalise_phone(submission.candidate_phone)
    cv_sha256 = content_address(submission.cv.data)
    # Everything the decisions below need, in one look-up before anything is written.
    prior = await store.prior(
        PriorQuery(
            posting_slug=submission.posting_slug,
            dedupe_key=key,
            email_norm=email_norm,
            phone_e164=phone,
            cv_sha256=cv_sha256,
            window_seconds=rate_limit.window_seconds,
        )
    )
    posting = prior.posting
    if posting is None:
        raise Refusal("unknown_posting", f"No open posting called '{submission.posting_slug}'.")
    if prior.existing is not None:  # the same delivery, retried
        return Receipt(prior.existing, duplicate=True)
    channel = submission.source or submission.channel.value
    cv_file = IncomingFile(
        "cv", submission.cv.filename, submission.cv.media_type, submission.cv.data, cv_sha256
    )
    if prior.earlier is not None:
        # The same person applied to this posting before: kept and linked, never limited.
        raw, (stored_cv,) = await store.store_files(
            submission.raw, submission.raw_media_type, [cv_file]
        )
        await store.add_resubmission(
            prior.earlier,
            channel=channel,
            raw=raw,
            cv_sha256=stored_cv.blob.sha256,
            dedupe_key=key or f"resubmission|{uuid.uuid4()}",
        )
        return Receipt(prior.earlier, duplicate=True, reapplication=True)
    if prior.candidate_id is not None and prior.recent >= rate_limit.max_applications:
        raise Refusal(
            "rate_limited",
            f"More than {rate_limit.max_applications} applications from this sender within "
            f"{rate_limit.window_seconds // 60} minutes; please try again later.",
        )
    new_candidate = None
    candidate_id = prior.candidate_id
    if candidate_id is None:
        candidate_id = uuid.uuid4()
        new_candidate = NewCandidate(candidate_id, email_norm, phone)
    files = [
        cv_file,
        *(IncomingFile(a.role, a.filename, a.media_type, a.data) for a in submission.attachments),
    ]
    raw, attachments = await store.store_files(submission.raw, submission.raw_media_type, files)
    cv = attachments[0].blob
    record = ApplicationRecord(
        application_id=uuid.uuid4(),
        posting_id=posting.posting_id,
        posting_slug=posting.slug,
        channel=channel,
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
        new_candidate=new_candidate,
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


def stage_entry(event: StageEvent) -> StageEntry:
    """The history row a later stage's event stands for."""
    detail: dict[str, Any]
    if isinstance(event, ProfileParsedV1):
        stage, detail = "parsed", {"status": event.status.value, "error": event.error_code}
    elif isinstance(event, ApplicationScoredV1):
        stage, detail = "scored", {"tier": event.tier.value}
    else:
        stage, detail = "notified", {"status": event.status}
    return StageEntry(event.application_id, stage, event.occurred_at, detail)


async def record_stage(store: IntakeStore, event: StageEvent) -> None:
    """Intake owns the history an applicant or a recruiter sees: one timestamp per stage."""
    await record_stages(store, [event])


async def record_stages(store: IntakeStore, events: Sequence[StageEvent]) -> int:
    """A batch of later stages' events: each application and stage recorded once (a
    redelivery adds nothing); returns how many rows were new."""
    return await store.record_stages([stage_entry(e) for e in events])
