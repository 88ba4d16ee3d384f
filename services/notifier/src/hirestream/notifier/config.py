from __future__ import annotations

from hirestream.kit.settings import ServiceSettings
from pydantic_settings import SettingsConfigDict


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore", populate_by_name=True)

    http_host: str = "0.0.0.0"
    http_port: int = 8004
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_timeout_seconds: float = 10.0
    sender: str = "hirestream <alerts@hirestream.localhost>"
    default_recipient: str = "hiring-team@hirestream.localhost"
    # Where the hiring team opens an application (intake's read API in the dev stack).
    public_url: str = "http://127.0.0.1:8001"
