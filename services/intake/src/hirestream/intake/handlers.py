"""Intake use cases: a submission becomes one application (or the existing one), durable
with its raw input and its ``application.received`` event in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from hirestream.contracts import ApplicationReceivedV1, PostingPublishedV1
from hirestream.intake.domain.submission import Refusal, Submission, dedupe_key
from hirestream.intake.ports import ApplicationRecord, IntakeStore, PostingRecord


@dataclass(frozen=True)
class Receipt:
    application_id: uuid.UUID
    duplicate: bool


async def receive_application(store: IntakeStore, submission: Submission) -> Receipt:
    posting = await store.posting_by_slug(submission.posting_slug)
    if posting is None:
        raise Refusal("unknown_posting", f"No open posting called '{submission.posting_slug}'.")
    cv = await store.put_blob(submission.cv.data, submission.cv.media_type)
    key = dedupe_key(submission, cv.sha256)
    existing = await store.application_by_dedupe_key(key)
    if existing is not None:
        return Receipt(existing.application_id, duplicate=True)
    raw = await store.put_blob(submission.raw, submission.raw_media_type)
    record = ApplicationRecord(
        application_id=uuid.uuid4(),
        posting_id=posting.posting_id,
        posting_slug=posting.slug,
        channel=submission.channel.value,
        status="received",
        candidate_name=submission.candidate_name,
        candidate_email=submission.candidate_email,
        candidate_phone=submission.candidate_phone,
        cv_sha256=cv.sha256,
    )
    await store.add_application(
        record, dedupe_key=key, raw=raw, cover_letter=submission.cover_letter
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
