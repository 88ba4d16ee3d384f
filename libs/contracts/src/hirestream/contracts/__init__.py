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
    SkillLocation,
    Tier,
)
from hirestream.contracts.retries import RetryRecordV1
from hirestream.contracts.topics import (
    ALL_TOPICS,
    CONSUMING_SERVICES,
    DEAD_LETTER_TOPIC,
    EVENT_BY_TOPIC,
    EVENT_TOPICS,
    RETRY_TOPICS,
    retry_topic,
    topic_name,
)

__all__ = [
    "ALL_EVENTS",
    "ALL_TOPICS",
    "CONSUMING_SERVICES",
    "DEAD_LETTER_TOPIC",
    "EVENT_BY_TOPIC",
    "EVENT_TOPICS",
    "RETRY_TOPICS",
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
    "RetryRecordV1",
    "SkillLocation",
    "Tier",
    "retry_topic",
    "topic_name",
]
