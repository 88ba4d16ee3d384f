from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from hirestream.kit.settings import ServiceSettings

# aiokafka's max_poll_interval_ms default: a consumer that does not poll again within it is
# evicted from its group, and the uncommitted batch goes to another member (or back to it).
MAX_POLL_INTERVAL_SECONDS = 300.0


class ParserSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARSER_", extra="ignore", populate_by_name=True)

    http_host: str = "0.0.0.0"
    http_port: int = 8002

    # Extraction worker processes and the limits each file runs under. The wall time bounds how
    # long a hostile file can take before it is marked failed (``timeout``); it starts when a
    # worker takes the file. A consumer batch's CVs are extracted ahead while the event loop
    # analyses the one before (``adapters.cv_texts``): with two workers one parser keeps both of
    # a 2-core machine's cores busy when extraction is the dearer half (scans, OCR), and a slow
    # file holds up one worker only. Each worker may use up to ``extract_memory_mb``.
    extract_workers: int = Field(2, ge=1)
    extract_wall_seconds: float = 9.0
    extract_cpu_seconds: int = 8
    extract_memory_mb: int = 1536

    # A batch is one transaction whose offsets commit after it, so the whole batch must be
    # extracted within the poll interval: 100 scanned CVs at several seconds each would get the
    # parser evicted and the batch redelivered, forever. Extraction dominates a CV's cost, so
    # batching more saves little here. The shared HIRESTREAM_CONSUMER_BATCH_MAX still applies
    # below this cap (1 = one at a time).
    consumer_batch_cap: int = Field(8, ge=1, validation_alias="PARSER_CONSUMER_BATCH_MAX")

    @model_validator(mode="after")
    def _batch_fits_the_poll_interval(self) -> Self:
        self.consumer_batch_max = min(self.consumer_batch_max, self.consumer_batch_cap)
        worst = self.consumer_batch_max * self.extract_wall_seconds
        if worst > MAX_POLL_INTERVAL_SECONDS / 2:
            raise ValueError(
                f"PARSER_CONSUMER_BATCH_MAX ({self.consumer_batch_max}) x "
                f"PARSER_EXTRACT_WALL_SECONDS ({self.extract_wall_seconds}) = {worst:.0f} s: a "
                f"batch must be extracted well within the consumer's poll interval "
                f"({MAX_POLL_INTERVAL_SECONDS:.0f} s); lower one of them"
            )
        return self
