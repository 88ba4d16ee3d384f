"""Event contracts shared by every producer and consumer.

Rules: one event type per topic, named ``<entity>.<past-verb>.v<N>``; keyed by the application id
(the posting id for postings). Events carry ids, content hashes, enums, scores and skills, never
names, email addresses, phone numbers, CV text or file bytes: those stay in the owning service's
store and the content-addressed blob store.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Common envelope. ``event_id`` is what consumers deduplicate on in their inbox.

    Unknown fields are ignored (tolerant reader): a producer may add an optional field without
    breaking consumers still on the previous contract; removing or retyping one needs a v2.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    topic: ClassVar[str]
    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime = Field(default_factory=_now)

    def key(self) -> str:
        """The Kafka key: every event of one application (or posting) lands on one partition."""
        raise NotImplementedError


class Channel(StrEnum):
    API = "api"
    FORM = "form"
    SMTP = "smtp"


class BlobRef(BaseModel):
    """A file in the content-addressed blob store: its hash is its address."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    media_type: str
    size: int = Field(ge=0)


class PostingPublishedV1(Event):
    topic: ClassVar[str] = "posting.published.v1"
    type: Literal["posting.published.v1"] = "posting.published.v1"
    posting_id: uuid.UUID
    slug: str
    title: str
    requirements_version: int = Field(ge=1)
    # The hiring team's shared inbox for alerts: an address of the company, not of a candidate.
    notify_email: str | None = None

    def key(self) -> str:
        return str(self.posting_id)


class ApplicationReceivedV1(Event):
    topic: ClassVar[str] = "application.received.v1"
    type: Literal["application.received.v1"] = "application.received.v1"
    application_id: uuid.UUID
    posting_id: uuid.UUID
    posting_slug: str
    channel: Channel
    cv: BlobRef

    def key(self) -> str:
        return str(self.application_id)


class ParseStatus(StrEnum):
    PARSED = "parsed"
    FAILED = "failed"


class LanguageLevel(BaseModel):
    """A spoken language and its level as the CV states or implies it (CEFR or a word)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    language: str  # ISO 639-1
    level: str | None = None


class SkillLocation(BaseModel):
    """Where a skill of the profile is written in the CV: a page and a character span of the
    parser's text. Only positions travel; the words stay in the parser's store."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    skill: str  # canonical name, as in ``skills``
    page: int | None = None  # 1-based
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class ProfileParsedV1(Event):
    topic: ClassVar[str] = "profile.parsed.v1"
    type: Literal["profile.parsed.v1"] = "profile.parsed.v1"
    application_id: uuid.UUID
    posting_id: uuid.UUID
    profile_id: uuid.UUID
    parser_version: str
    status: ParseStatus
    error_code: str | None = None
    language: str | None = None
    skills: list[str] = Field(default_factory=list)
    total_experience_months: int | None = None
    # Facts the scorer needs beyond skills; optional so older producers stay valid.
    languages: list[LanguageLevel] = Field(default_factory=list)
    leadership_months: int | None = None
    degrees: list[str] = Field(default_factory=list)  # degree names, e.g. "MSc Computer Science"
    # Where each skill was read (first mention), so a verdict can point into the CV.
    skill_locations: list[SkillLocation] = Field(default_factory=list)

    def key(self) -> str:
        return str(self.application_id)


class Tier(StrEnum):
    STRONG = "strong"
    POSSIBLE = "possible"
    WEAK = "weak"


class ApplicationScoredV1(Event):
    topic: ClassVar[str] = "application.scored.v1"
    type: Literal["application.scored.v1"] = "application.scored.v1"
    application_id: uuid.UUID
    posting_id: uuid.UUID
    score: int = Field(ge=0, le=100)
    tier: Tier
    matched: list[str] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    requirements_version: int
    rubric_version: str
    parser_version: str

    def key(self) -> str:
        return str(self.application_id)


class NotificationSentV1(Event):
    topic: ClassVar[str] = "notification.sent.v1"
    type: Literal["notification.sent.v1"] = "notification.sent.v1"
    application_id: uuid.UUID
    posting_id: uuid.UUID
    delivery_id: uuid.UUID
    channel: Literal["email", "slack", "teams", "webhook", "acknowledgement"]
    # scheduled: recorded for a later digest or the end of quiet hours; sent; failed for good.
    status: Literal["scheduled", "sent", "failed"]

    def key(self) -> str:
        return str(self.application_id)


ALL_EVENTS: tuple[type[Event], ...] = (
    PostingPublishedV1,
    ApplicationReceivedV1,
    ProfileParsedV1,
    ApplicationScoredV1,
    NotificationSentV1,
)
