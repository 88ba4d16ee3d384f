"""What the intake use cases need from the outside world."""

from __future__ import annotations

import uuid
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


class IntakeStore(Protocol):
    """One unit of work: everything done through it commits or rolls back together."""

    async def posting_by_slug(self, slug: str) -> PostingRecord | None: ...
    async def save_posting(self, posting: PostingRecord) -> None: ...
    async def application_by_dedupe_key(self, key: str) -> ApplicationRecord | None: ...
    async def application(self, application_id: uuid.UUID) -> ApplicationRecord | None: ...
    async def find_candidate(
        self, email_norm: str | None, phone_e164: str | None, cv_sha256: str
    ) -> uuid.UUID | None: ...
    async def add_candidate(
        self, candidate_id: uuid.UUID, email_norm: str | None, phone_e164: str | None
    ) -> None: ...
    async def application_for(
        self, candidate_id: uuid.UUID, posting_id: uuid.UUID
    ) -> ApplicationRecord | None: ...
    async def recent_applications(self, candidate_id: uuid.UUID, window_seconds: int) -> int: ...
    async def add_application(
        self,
        record: ApplicationRecord,
        *,
        dedupe_key: str,
        raw: BlobRef,
        cover_letter: str | None,
        attachments: list[StoredAttachment],
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
    async def stages(self, application_id: uuid.UUID) -> list[Stage]: ...
    async def put_blob(self, data: bytes, media_type: str) -> BlobRef: ...
    async def emit(self, event: Event) -> None: ...
