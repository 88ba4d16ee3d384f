"""Intake's own SMTP server: mail to ``<slug>@<domain>`` or ``jobs+<slug>@<domain>`` applies.

A message is accepted (250) only after it is durable in Postgres; when the database cannot be
reached the answer is 451 so the sending server retries later.
"""

from __future__ import annotations

import logging

import asyncpg
from aiosmtpd.smtp import SMTP, Envelope, Session
from hirestream.intake.adapters.postgres import unit_of_work
from hirestream.intake.domain.mail import parse_application_email, posting_slug_from_recipient
from hirestream.intake.domain.submission import Refusal
from hirestream.intake.entrypoints.submit import submit

log = logging.getLogger(__name__)


class ApplicationMailHandler:
    def __init__(self, pool: asyncpg.Pool, topic_prefix: str, mail_domain: str) -> None:
        self._pool = pool
        self._prefix = topic_prefix
        self._domain = mail_domain

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        slug = posting_slug_from_recipient(address, self._domain)
        if slug is None:
            return f"550 5.1.1 <{address}>: not an application address of {self._domain}"
        try:
            async with unit_of_work(self._pool, self._prefix) as store:
                posting = await store.posting_by_slug(slug)
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            return "451 4.3.0 Temporarily unable to accept applications, try again later"
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
                receipt = await submit(self._pool, self._prefix, parse_application_email(raw, slug))
                accepted.append(str(receipt.application_id))
        except Refusal as refusal:
            return f"550 5.6.0 {refusal.message}"
        except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError):
            log.warning("database unavailable, deferring mail", exc_info=True)
            return "451 4.3.0 Temporarily unable to accept applications, try again later"
        return f"250 OK application {' '.join(accepted)}"
