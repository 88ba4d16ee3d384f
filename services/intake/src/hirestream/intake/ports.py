"""What the intake use cases need from the outside world."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

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


class IntakeStore(Protocol):
    """One unit of work: everything done through it commits or rolls back together."""

    async def posting_by_slug(self, slug: str) -> PostingRecord | None: ...
    async def save_posting(self, posting: PostingRecord) -> None: ...
    async def application_by_dedupe_key(self, key: str) -> ApplicationRecord | None: ...
    async def application(self, application_id: uuid.UUID) -> ApplicationRecord | None: ...
    async def add_application(
        self, record: ApplicationRecord, *, dedupe_key: str, raw: BlobRef, cover_letter: str | None
    ) -> None: ...
    async def put_blob(self, data: bytes, media_type: str) -> BlobRef: ...
    async def emit(self, event: Event) -> None: ...
