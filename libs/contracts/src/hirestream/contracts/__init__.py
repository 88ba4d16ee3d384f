"""hirestream event contracts: pydantic models and topic names, depending on pydantic only."""

from hirestream.contracts.events import (
    ALL_EVENTS,
    ApplicationReceivedV1,
    ApplicationScoredV1,
    BlobRef,
    Channel,
    Event,
    LanguageLevel,
    NotificationSentV1,
    ParseStatus,
    PostingPublishedV1,
    ProfileParsedV1,
    Tier,
)
from hirestream.contracts.topics import ALL_TOPICS, DEAD_LETTER_TOPIC, EVENT_BY_TOPIC, topic_name

__all__ = [
    "ALL_EVENTS",
    "ALL_TOPICS",
    "DEAD_LETTER_TOPIC",
    "EVENT_BY_TOPIC",
    "ApplicationReceivedV1",
    "ApplicationScoredV1",
    "BlobRef",
    "Channel",
    "Event",
    "LanguageLevel",
    "NotificationSentV1",
    "ParseStatus",
    "PostingPublishedV1",
    "ProfileParsedV1",
    "Tier",
    "topic_name",
]
