from __future__ import annotations

from hirestream.kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", populate_by_name=True)

    http_host: str = "0.0.0.0"
    http_port: int = 8001
    smtp_host: str = "0.0.0.0"
    smtp_port: int = 2525
    mail_domain: str = "jobs.localhost"
    api_key: str = "dev-api-key"
    max_upload_bytes: int = 10 * 1024 * 1024
