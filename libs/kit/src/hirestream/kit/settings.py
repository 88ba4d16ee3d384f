"""Settings shared by every service. Read from the environment when a service starts, never at
import time; each service subclasses this with its own env prefix for its own knobs."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:54329/hirestream"
DEFAULT_KAFKA = "127.0.0.1:19092"


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    # Shared, unprefixed names: the same variables every tool in the stack understands.
    database_url: str = Field(DEFAULT_DATABASE_URL, validation_alias="DATABASE_URL")
    kafka_bootstrap_servers: str = Field(DEFAULT_KAFKA, validation_alias="KAFKA_BOOTSTRAP_SERVERS")
    topic_prefix: str = Field("", validation_alias="HIRESTREAM_TOPIC_PREFIX")
    otlp_endpoint: str | None = Field(None, validation_alias="OTEL_EXPORTER_OTLP_ENDPOINT")
    # Spans as JSON lines in a file: how tests and the demo see one trace across processes.
    trace_file: str | None = Field(None, validation_alias="HIRESTREAM_TRACE_FILE")
    log_level: str = Field("INFO", validation_alias="HIRESTREAM_LOG_LEVEL")
    max_attempts: int = Field(5, validation_alias="HIRESTREAM_MAX_ATTEMPTS")
    # Delay before a failed event's next attempt (through the retry topic): base, doubling per
    # attempt, at most max. Only the retry topic waits, so these can be generous.
    retry_backoff_seconds: float = Field(1.0, validation_alias="HIRESTREAM_RETRY_BACKOFF_SECONDS")
    retry_backoff_max_seconds: float = Field(
        30.0, validation_alias="HIRESTREAM_RETRY_BACKOFF_MAX_SECONDS"
    )
    relay_poll_seconds: float = Field(0.5, validation_alias="HIRESTREAM_RELAY_POLL_SECONDS")
    # Batching: messages applied per transaction and offset commit; outbox rows handed to the
    # producer before waiting for the broker. 1 and 1 give the one-at-a-time behaviour
    # (``hirestream bench pipeline --compare-unbatched`` measures both).
    consumer_batch_max: int = Field(100, validation_alias="HIRESTREAM_CONSUMER_BATCH_MAX")
    relay_batch_size: int = Field(200, validation_alias="HIRESTREAM_RELAY_BATCH_SIZE")
    # Reconciler: re-drive an event whose next stage has not answered after this long
    # (doubling each time, at most max_redrives times).
    redrive_after_seconds: float = Field(120.0, validation_alias="HIRESTREAM_REDRIVE_AFTER_SECONDS")
    reconcile_interval_seconds: float = Field(
        10.0, validation_alias="HIRESTREAM_RECONCILE_INTERVAL_SECONDS"
    )
    max_redrives: int = Field(5, validation_alias="HIRESTREAM_MAX_REDRIVES")
