"""Intake's own SMTP server: mail to ``<slug>@<domain>`` or ``jobs+<slug>@<domain>`` applies.

A message is accepted (250) only after it is durable in Postgres; when the database cannot be
reached the answer is 451 so the sending server retries later. Refusals carry an enhanced status
code and a reason the sender can act on.
"""

from __future__ import annotations

import logging
import ssl

import asyncpg
from aiosmtpd.smtp import SMTP, Envelope, Session

from hirestream.intake.adapters.postgres import unit_of_work
from hirestream.intake.domain.mail import (
    DEFAULT_LIMITS,
    MailLimits,
    parse_application_emails,
    posting_slug_from_recipient,
)
from hirestream.intake.domain.submission import Refusal
from hirestream.intake.entrypoints.submit import STORAGE_ERRORS, submit_all
from hirestream.intake.handlers import DEFAULT_RATE_LIMIT, RateLimit

log = logging.getLogger(__name__)
TEMPORARY = "451 4.3.0 Temporarily unable to accept applications, try again later"
_REPLY = {
    "too_large": "552 5.3.4",
    "rate_limited": "450 4.7.1",  # temporary: the sender's server retries, nothing is dropped
    "unknown_posting": "550 5.1.1",
}


def smtp_tls_context(cert: str, key: str) -> ssl.SSLContext | None:
    """STARTTLS is offered when a certificate is configured; plain SMTP otherwise."""
    if not cert:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key or None)
    return context


def smtp_reply(refusal: Refusal) -> str:
    return f"{_REPLY.get(refusal.code, '550 5.6.0')} {refusal.message}"


class ApplicationMailHandler:
    def __init__(
        self,
        pool: asyncpg.Pool,
        topic_prefix: str,
        mail_domain: str,
        limits: MailLimits = DEFAULT_LIMITS,
        rate_limit: RateLimit = DEFAULT_RATE_LIMIT,
    ) -> None:
        self._pool = pool
        self._prefix = topic_prefix
        self._domain = mail_domain
        self._limits = limits
        self._rate_limit = rate_limit

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        slug = posting_slug_from_recipient(address, self._domain)
        if slug is None:
            return f"550 5.1.1 <{address}>: not an application address of {self._domain}"
        try:
            async with unit_of_work(self._pool, self._prefix) as store:
                posting = await store.posting_by_slug(slug)
        except STORAGE_ERRORS:
            return TEMPORARY
        if posting is None:
            return f"550 5.1.1 <{address}>: no open posting called '{slug}'"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        slugs = {posting_slug_from_recipient(r, self._domain) for r in envelope.rcpt_tos}
        accepted: list[str] = []
        try:
            for slug in sorted(s for s in slugs if s):
                submissions = parse_application_emails(raw, slug, self._limits)
                receipts = await submit_all(self._pool, self._prefix, submissions, self._rate_limit)
                accepted.extend(str(r.application_id) for r in receipts or [])
        except Refusal as refusal:
            return smtp_reply(refusal)
        except STORAGE_ERRORS:
            log.warning("database unavailable, deferring mail", exc_info=True)
            return TEMPORARY
        return f"250 OK application {' '.join(accepted)}"
