from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from hirestream.kit.settings import ServiceSettings


class NotifierSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFIER_", extra="ignore", populate_by_name=True)

    http_host: str = "0.0.0.0"
    http_port: int = 8004
    # X-API-Key (or Bearer) for the notifier's /v1 API: rules and deliveries.
    api_key: str = "dev-api-key"
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_timeout_seconds: float = 10.0
    sender: str = "hirestream <alerts@hirestream.localhost>"
    default_recipient: str = "hiring-team@hirestream.localhost"
    # Where the hiring team opens an application (intake's read API in the dev stack).
    public_url: str = "http://127.0.0.1:8001"
    # Intake's internal API, for a candidate's contact details (acknowledgements).
    intake_url: str = "http://127.0.0.1:8001"
    intake_api_key: str = "dev-api-key"
    # The candidate's withdraw link; {public_url}, {application_id}, {posting_slug}.
    withdraw_url_template: str = "{public_url}/applications/{application_id}/withdraw"
    # Delivery worker.
    http_timeout_seconds: float = 10.0
    channel_concurrency: int = 8  # sends in flight per channel
    target_concurrency: int = 2  # sends in flight per endpoint or recipient list
    delivery_max_attempts: int = 6
    retry_base_seconds: float = 2.0
    retry_max_seconds: float = 600.0
    # Longer than any one send (timeouts above); a killed worker's sends are due again after it.
    lease_seconds: float = 30.0
    poll_seconds: float = 1.0
