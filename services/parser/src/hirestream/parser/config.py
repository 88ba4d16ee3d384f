from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from hirestream.kit.settings import ServiceSettings


class ParserSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARSER_", extra="ignore", populate_by_name=True)

    http_host: str = "0.0.0.0"
    http_port: int = 8002

    # Extraction worker processes and the limits each file runs under. The wall time bounds how
    # long a hostile file can take before it is marked failed (``timeout``).
    extract_workers: int = 1
    extract_wall_seconds: float = 9.0
    extract_cpu_seconds: int = 8
    extract_memory_mb: int = 1536
