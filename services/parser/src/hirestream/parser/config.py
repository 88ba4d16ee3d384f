from __future__ import annotations

from hirestream.kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class ParserSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PARSER_", extra="ignore", populate_by_name=True)

    http_host: str = "0.0.0.0"
    http_port: int = 8002
