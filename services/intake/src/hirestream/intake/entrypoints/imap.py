"""Applications from an existing mailbox (IMAP): IDLE where the server offers it, polling
otherwise. A message is marked (or moved) as processed only after its application is durable,
or after it was refused for good; a storage failure leaves it unread for the next round."""

from __future__ import annotations

import asyncio
import email
import email.policy
import logging
from email.utils import getaddresses

import asyncpg

from hirestream.intake.adapters.imap import ImapMailbox, MailboxConfig, MailboxError
from hirestream.intake.config import IntakeSettings
from hirestream.intake.domain.mail import (
    MailLimits,
    parse_application_emails,
    posting_slug_from_recipient,
)
from hirestream.intake.domain.submission import Refusal
from hirestream.intake.entrypoints.submit import STORAGE_ERRORS, submit_all
from hirestream.intake.handlers import RateLimit

log = logging.getLogger(__name__)
_RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")


def posting_for(raw: bytes, domain: str, default: str) -> str | None:
    """The posting named by the first recipient of this mailbox's domain, else the default."""
    headers = email.message_from_bytes(raw.split(b"\r\n\r\n", 1)[0], policy=email.policy.compat32)
    for name in _RECIPIENT_HEADERS:
        for _, address in getaddresses([str(v) for v in headers.get_all(name) or []]):
            slug = posting_slug_from_recipient(address, domain)
            if slug:
                return slug
    return default or None


class MailboxPoller:
    def __init__(
        self,
        pool: asyncpg.Pool,
        topic_prefix: str,
        mailbox: ImapMailbox,
        *,
        domain: str,
        default_posting: str,
        limits: MailLimits,
        rate_limit: RateLimit,
        poll_seconds: float,
    ) -> None:
        self._pool = pool
        self._prefix = topic_prefix
        self._mailbox = mailbox
        self._domain = domain
        self._default = default_posting
        self._limits = limits
        self._rate_limit = rate_limit
        self._poll_seconds = poll_seconds

    async def process_once(self) -> dict[str, int]:
        """One pass over the unread mail: counts of accepted, refused and deferred messages."""
        counts = {"accepted": 0, "refused": 0, "deferred": 0}
        messages = await asyncio.to_thread(self._mailbox.unseen)
        for uid, raw in messages:
            try:
                slug = posting_for(raw, self._domain, self._default)
                if slug is None:
                    raise Refusal("unknown_posting", "No recipient names a posting.")
                submissions = parse_application_emails(raw, slug, self._limits)
                await submit_all(self._pool, self._prefix, submissions, self._rate_limit)
            except Refusal as refusal:
                if refusal.code == "rate_limited":
                    counts["deferred"] += 1  # stays unread: retried on a later pass
                    continue
                log.info("mailbox message %s refused: %s", uid, refusal.code)
                await asyncio.to_thread(self._mailbox.mark, uid, refused=True)
                counts["refused"] += 1
            except STORAGE_ERRORS:
                log.warning("storage unavailable; mailbox message %s stays unread", uid)
                counts["deferred"] += 1
            else:
                await asyncio.to_thread(self._mailbox.mark, uid, refused=False)
                counts["accepted"] += 1
        return counts

    async def run(self, stop: asyncio.Event) -> None:
        async def interrupt_on_stop() -> None:
            await stop.wait()
            self._mailbox.interrupt()

        watcher = asyncio.create_task(interrupt_on_stop())
        try:
            await self._loop(stop)
        finally:
            watcher.cancel()
            await asyncio.to_thread(self._mailbox.close)

    async def _loop(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                counts = await self.process_once()
                if counts["deferred"] or not self._mailbox.supports_idle:
                    await asyncio.wait_for(stop.wait(), self._poll_seconds)
                else:
                    await asyncio.to_thread(self._mailbox.idle, self._poll_seconds)
            except TimeoutError:
                continue
            except MailboxError as exc:
                if stop.is_set():
                    return
                log.warning("mailbox unavailable (%s); retrying", exc)
                try:
                    await asyncio.wait_for(stop.wait(), self._poll_seconds)
                except TimeoutError:
                    continue


def mailbox_poller(
    pool: asyncpg.Pool, settings: IntakeSettings, limits: MailLimits, rate_limit: RateLimit
) -> MailboxPoller | None:
    if not settings.imap_host:
        return None
    mailbox = ImapMailbox(
        MailboxConfig(
            settings.imap_host,
            settings.imap_port,
            settings.imap_ssl,
            settings.imap_user,
            settings.imap_password.get_secret_value(),
            settings.imap_folder,
            settings.imap_processed_folder,
            settings.imap_refused_folder,
        )
    )
    return MailboxPoller(
        pool,
        settings.topic_prefix,
        mailbox,
        domain=settings.imap_mail_domain or settings.mail_domain,
        default_posting=settings.imap_default_posting,
        limits=limits,
        rate_limit=rate_limit,
        poll_seconds=settings.imap_poll_seconds,
    )
