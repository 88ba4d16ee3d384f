"""The record a consumer writes to its retry topic when an event failed: everything needed to
process the original message again later, without the original partition waiting for it."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict


class RetryRecordV1(BaseModel):
    """Keyed like the original message. ``retry_id`` is the record's own id (the consumer claims
    it once, so a re-delivered or re-driven record costs no extra attempt); ``event_id`` is the
    original event's, which the inbox still applies once."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    retry_id: uuid.UUID
    consumer: str
    original_topic: str
    original_key: str | None
    original_headers: dict[str, str]
    original_partition: int
    original_offset: int
    event_id: uuid.UUID
    body: str  # the original message, which decoded as the topic's event type
    attempt: int  # failed attempts so far
    not_before: datetime  # do not try again before this instant
    last_error: str
