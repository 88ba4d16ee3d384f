"""What the intake use cases need from the outside world."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from hirestream.contracts import BlobRef, Event


@dataclass(frozen=True)
class PostingRecord:
    posting_id: uuid.UUID
    slug: str
    title: str


@dataclass(frozen=True)
class ApplicationRecord:
    application_id: uuid.UUID
    posting_id: uuid.UUID
    posting_slug: str
    channel: str
    status: str
    candidate_name: str | None
    candidate_email: str | None
    candidate_phone: str | None
    cv_sha256: str
    created_at: datetime | None = None
    candidate_id: uuid.UUID | None = None
    reapplications: int = 0
    forwarded_by: str | None = None
    auth_results: dict[str, str] = field(default_factory=dict)
    spam_score: float | None = None


@dataclass(frozen=True)
class StoredAttachment:
    role: str
    filename: str | None
    blob: BlobRef


@dataclass(frozen=True)
class Stage:
    stage: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class StageEntry:
    """One stage of one application, as a later stage's event reports it."""

    application_id: uuid.UUID
    stage: str
    at: datetime
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PriorQuery:
    """What a submission is looked up by before anything is written."""

    posting_slug: str
    dedupe_key: str | None
    email_norm: str | None
    phone_e164: str | None
    cv_sha256: str
    window_seconds: int


@dataclass(frozen=True)
class Prior:
    """What the store already knows about a submission, read in one round trip."""

    posting: PostingRecord | None
    existing: uuid.UUID | None = None  # the application of this very delivery (dedupe key)
    # The same person: by email, then phone, then an identical CV sent before.
    candidate_id: uuid.UUID | None = None
    earlier: uuid.UUID | None = None  # the candidate's application to this posting
    recent: int = 0  # the candidate's applications within the rate-limit window


@dataclass(frozen=True)
class IncomingFile:
    role: str
    filename: str | None
    media_type: str
    data: bytes
    sha256: str | None = None  # when already computed: hashing 150 KB is not free


@dataclass(frozen=True)
class NewCandidate:
    candidate_id: uuid.UUID
    email_norm: str | None
    phone_e164: str | None


class IntakeStore(Protocol):
    """One unit of work: everything done through it commits or rolls back together."""

    async def posting_by_slug(self, slug: str) -> PostingRecord | None: ...
    async def save_posting(self, posting: PostingRecord) -> None: ...
    async def application(self, application_id: uuid.UUID) -> ApplicationRecord | None: ...
    async def prior(self, query: PriorQuery) -> Prior: ...
    async def store_files(
        self, raw: bytes, raw_media_type: str, files: list[IncomingFile]
    ) -> tuple[BlobRef, list[StoredAttachment]]:
        """The files and the raw input they came in, content-addressed. The raw input is kept
        byte for byte; the files inside it are not stored a second time."""
        ...

    async def add_application(
        self,
        record: ApplicationRecord,
        *,
        dedupe_key: str,
        raw: BlobRef,
        cover_letter: str | None,
        attachments: list[StoredAttachment],
        new_candidate: NewCandidate | None,
    ) -> None: ...
    async def add_resubmission(
        self,
        application_id: uuid.UUID,
        *,
        channel: str,
        raw: BlobRef,
        cv_sha256: str,
        dedupe_key: str,
    ) -> None: ...
    async def record_stage(
        self, application_id: uuid.UUID, stage: str, at: datetime, detail: dict[str, Any]
    ) -> bool: ...
    async def record_stages(self, entries: Sequence[StageEntry]) -> int: ...
    async def stages(self, application_id: uuid.UUID) -> list[Stage]: ...
    async def emit(self, event: Event) -> None: ...
