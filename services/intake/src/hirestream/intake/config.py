from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from hirestream.kit.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INTAKE_", extra="ignore", populate_by_name=True)

    # Processes serving the HTTP and SMTP ports together (SO_REUSEPORT); the first one also
    # runs the consumers, outbox relay and mailbox poller. 1: a single process, no supervisor.
    workers: int = Field(1, ge=1, le=64)
    http_host: str = "0.0.0.0"
    http_port: int = 8001
    smtp_host: str = "0.0.0.0"
    smtp_port: int = 2525
    mail_domain: str = "jobs.localhost"
    # Optional STARTTLS on the SMTP server: PEM certificate chain and key (both, or neither).
    smtp_tls_cert: str = ""
    smtp_tls_key: str = ""
    api_key: str = "dev-api-key"
    max_upload_bytes: int = 10 * 1024 * 1024  # one CV
    # Whole messages (SMTP SIZE, webhooks): what arrives beyond these is refused, with a reason.
    max_message_bytes: int = 25 * 1024 * 1024
    max_attachments: int = 10
    max_mime_depth: int = 10
    max_mime_parts: int = 100
    # Authentication-Results headers are believed only from these receiving servers
    # (authserv-ids, e.g. "mx.example.com"); empty: from any (then treat verdicts as hints).
    trusted_authserv_ids: tuple[str, ...] = ()
    # New applications per person per window; a re-application is never limited.
    rate_limit_max: int = 20
    rate_limit_window_seconds: int = 3600
    # Inbound webhooks: a provider without its secret configured is refused (401) entirely.
    webhook_max_age_seconds: int = 300
    mailgun_signing_key: str = ""
    sendgrid_public_key: str = ""  # base64 DER or PEM; empty: signatures not checked
    sendgrid_basic_auth: str = ""  # "user:password" when the parse URL carries credentials
    postmark_username: str = ""
    postmark_password: str = ""
    # Apply form: the secret signing CSRF tokens (random per process when empty), and whether
    # a POST without any browser signal must carry the token too.
    form_secret: str = ""
    form_csrf_strict: bool = False
    # An existing mailbox (IMAP) to read applications from; disabled while imap_host is empty.
    imap_host: str = ""
    imap_port: int = 993
    imap_ssl: bool = True
    imap_user: str = ""
    imap_password: SecretStr = SecretStr("")
    imap_folder: str = "INBOX"
    imap_processed_folder: str = ""  # move processed mail there; empty: flag it \\Seen
    imap_refused_folder: str = ""  # refused mail goes there (empty: flagged $Refused + \\Seen)
    imap_poll_seconds: float = 30.0  # also the longest IDLE wait
    imap_mail_domain: str = ""  # the domain of the mailbox's addresses; empty: mail_domain
    imap_default_posting: str = ""  # posting for mail whose recipient names none
