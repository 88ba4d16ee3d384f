from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from hirestream.kit.settings import ServiceSettings


class ScorerSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SCORER_", extra="ignore", populate_by_name=True)

    http_host: str = "0.0.0.0"
    http_port: int = 8003
    api_key: str = "dev-api-key"
