"""What the parser's use cases need from the outside world."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any, Protocol

from hirestream.contracts import BlobRef, Event
from hirestream.parser.domain.analysis import ReadCv
from hirestream.parser.domain.document import ExtractedText


@dataclass(frozen=True)
class ProfileRecord:
    application_id: uuid.UUID
    profile_id: uuid.UUID
    posting_id: uuid.UUID
    cv_sha256: str
    media_type: str
    status: str
    error_code: str | None
    error_message: str | None
    language: str | None
    name: str | None
    emails: list[str]
    phones: list[str]
    profile: dict[str, Any]
    parser_version: str


class TextExtractor(Protocol):
    """Bytes of a document to its text and pages; raises ``ExtractionError`` with a precise
    code (encrypted, corrupt_file, unsafe_xml, too_large, timeout, empty_text...)."""

    async def __call__(self, data: bytes, media_type: str) -> ExtractedText: ...


class CvExtractor(Protocol):
    """Bytes of a CV to its text and the analysis of that text; raises ``ExtractionError``
    like ``TextExtractor`` (and ``analysis_failed`` when no profile could be built)."""

    async def __call__(self, data: bytes, media_type: str) -> ReadCv: ...


class CvReader(Protocol):
    """The CV stored under ``cv.sha256``, read: its text and analysis (loaded from the blob store
    and read under the worker's limits, possibly ahead of the call); ``None`` when no blob has
    that hash. Raises ``ExtractionError`` like ``CvExtractor``."""

    async def __call__(self, cv: BlobRef) -> ReadCv | None: ...


class ParserStore(Protocol):
    async def save_profile(self, record: ProfileRecord, event: Event) -> None:
        """The profile and the event announcing it, in the caller's transaction."""
        ...
