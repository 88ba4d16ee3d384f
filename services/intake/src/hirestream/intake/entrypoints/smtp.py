"""Intake's own SMTP server: mail to ``<slug>@<domain>`` or ``jobs+<slug>@<domain>`` applies.

A message is accepted (250) only after it is durable in Postgres; when the database cannot be
reached the answer is 451 so the sending server retries later. Refusals carry an enhanced status
code and a reason the sender can act on.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from typing import Any

import asyncpg
from aiosmtpd.smtp import MISSING, SMTP, Envelope, Session

from hirestream.intake.adapters.postgres import PostgresIntakeStore
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


_END_OF_DATA = b"\r\n.\r\n"


class ApplicationSMTP(SMTP):
    """aiosmtpd's server with a DATA phase that reads what arrived in bulk.

    aiosmtpd reads DATA one line at a time through a StreamReader limited to 1001 bytes, so a
    150 KB CV (about 2,700 base64 lines) cost ~8 ms of CPU in reads, joins and transport
    pause/resume alone — more than parsing and storing it. Here the stream is drained into one
    buffer and searched for ``CRLF . CRLF``; dot-unstuffing is one ``bytes.replace``.
    Same answers as aiosmtpd (354, 552 for too much data, the handler's reply), same envelope
    fields; lines longer than 1000 octets are accepted (RFC 5321 4.5.3.1: a server may).
    """

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        received = await self._read_data()
        if received is None:  # the connection closed before the end of DATA
            return
        data, too_large = received
        if too_large:
            await self.push("552 Error: Too much mail data")
            self._set_post_data_state()  # type: ignore[no-untyped-call]
            return
        # RFC 5321 4.5.2: a line starting with "." had one added by the sender.
        content = data.replace(b"\r\n.", b"\r\n")
        if content.startswith(b"."):
            content = content[1:]
        self.envelope.original_content = content
        self.envelope.content = (
            content.decode("utf-8", errors="surrogateescape") if self._decode_data else content
        )
        status: Any = await self._call_handler_hook("DATA")
        self._set_post_data_state()  # type: ignore[no-untyped-call]
        await self.push("250 OK" if status is MISSING else status)

    async def _read_data(self) -> tuple[bytes, bool] | None:
        """Everything up to the lone dot, with the CRLF that ends the last line, and whether it
        exceeded the size limit (then only the tail that may hold the dot was kept). What came after
        the dot (a pipelined command) goes back to the reader, in order."""
        reader = self._reader
        # Starts with the DATA command's own CRLF, so a lone dot on the first line ends it too.
        buffer = bytearray(b"\r\n")
        limit = self.data_size_limit or 0
        searched, too_large = 0, False
        while True:
            chunk = await reader.read(1 << 30)  # all that is buffered; waits only when empty
            if not chunk:
                return None
            buffer += chunk
            end = buffer.find(_END_OF_DATA, max(0, searched - len(_END_OF_DATA) + 1))
            if end >= 0:
                break
            if limit and len(buffer) > limit + 2:
                too_large = True
                del buffer[: -(len(_END_OF_DATA) - 1)]
            searched = len(buffer)
        rest = bytes(buffer[end + len(_END_OF_DATA) :])
        if rest and not reader.at_eof():
            # read() took everything buffered, so the reader is empty: feeding the rest back
            # puts it first, where the next command is read from.
            reader.feed_data(rest)
        data = bytes(buffer[2 : end + 2])
        return data, too_large or bool(limit and len(data) > limit)


def smtp_reply(refusal: Refusal) -> str:
    return f"{_REPLY.get(refusal.code, '550 5.6.0')} {refusal.message}"


# How long RCPT trusts that a posting it found is still open. DATA looks the posting up again
# in the transaction that stores the application, and answers 550 5.1.1 if it is gone, so
# this only spares each mail one read (a pool round trip and a query) at RCPT.
KNOWN_POSTING_SECONDS = 5.0
_KNOWN_POSTINGS_MAX = 1024


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
        self._known_postings: dict[str, float] = {}  # slug -> until (monotonic)

    async def _posting_open(self, slug: str) -> bool:
        now = time.monotonic()
        if self._known_postings.get(slug, 0.0) > now:
            return True
        # One read, no transaction: BEGIN and COMMIT were two of its three round trips.
        async with self._pool.acquire() as conn:
            posting = await PostgresIntakeStore(conn, self._prefix).posting_by_slug(slug)
        if posting is None:  # never remembered: a posting published now is found at once
            return False
        if len(self._known_postings) >= _KNOWN_POSTINGS_MAX:
            self._known_postings.clear()
        self._known_postings[slug] = now + KNOWN_POSTING_SECONDS
        return True

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        slug = posting_slug_from_recipient(address, self._domain)
        if slug is None:
            return f"550 5.1.1 <{address}>: not an application address of {self._domain}"
        try:
            open_posting = await self._posting_open(slug)
        except STORAGE_ERRORS:
            return TEMPORARY
        if not open_posting:
            return f"550 5.1.1 <{address}>: no open posting called '{slug}'"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        slugs = {posting_slug_from_recipient(r, self._domain) for r in envelope.rcpt_tos}
        accepted: list[str] = []
        try:
            for slug in sorted(s for s in slugs if s):
                # Off the event loop: parsing a 200 KB message takes milliseconds that other
                # connections' reads and database replies would otherwise wait for.
                submissions = await asyncio.to_thread(
                    parse_application_emails, raw, slug, self._limits
                )
                receipts = await submit_all(self._pool, self._prefix, submissions, self._rate_limit)
                accepted.extend(str(r.application_id) for r in receipts or [])
        except Refusal as refusal:
            return smtp_reply(refusal)
        except STORAGE_ERRORS:
            log.warning("database unavailable, deferring mail", exc_info=True)
            return TEMPORARY
        return f"250 OK application {' '.join(accepted)}"
