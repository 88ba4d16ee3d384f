"""Inbound email webhooks of Mailgun, SendGrid and Postmark.

Each request is verified by the provider's own scheme before anything is parsed; a request that
fails is answered 401/403 and leaves an audit row, nothing else. Refusals use the status each
provider understands as "stop retrying" (Mailgun 406, Postmark 403); a storage failure is a 503
so the provider retries; a rate-limited sender gets 429 (retried later, never dropped).
"""

from __future__ import annotations

import email
import email.policy
import json
import logging
import time
from collections.abc import Awaitable, Callable
from email.message import Message
from email.utils import getaddresses
from urllib.parse import parse_qs

import asyncpg
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.datastructures import FormData, UploadFile

from hirestream.contracts import Channel
from hirestream.intake.adapters.postgres import unit_of_work
from hirestream.intake.config import IntakeSettings
from hirestream.intake.domain.inbound import (
    BadSignature,
    mailgun_mail,
    postmark_mail,
    postmark_recipients,
    sendgrid_mail,
    sendgrid_recipients,
    verify_basic,
    verify_mailgun,
    verify_sendgrid,
)
from hirestream.intake.domain.mail import (
    InboundMail,
    MailLimits,
    applications_from_mail,
    parse_mime,
    posting_slug_from_recipient,
)
from hirestream.intake.domain.submission import Refusal, Submission
from hirestream.intake.entrypoints.submit import STORAGE_ERRORS, submit_all
from hirestream.intake.handlers import RateLimit

log = logging.getLogger(__name__)
PERMANENT_STATUS = {"mailgun": 406, "sendgrid": 422, "postmark": 403}


def mail_limits(settings: IntakeSettings) -> MailLimits:
    return MailLimits(
        max_total_bytes=settings.max_message_bytes,
        max_attachments=settings.max_attachments,
        max_depth=settings.max_mime_depth,
        max_parts=settings.max_mime_parts,
        trusted_authserv_ids=tuple(a.lower() for a in settings.trusted_authserv_ids),
    )


def rate_limit(settings: IntakeSettings) -> RateLimit:
    return RateLimit(settings.rate_limit_max, settings.rate_limit_window_seconds)


def _text_fields(form: FormData) -> dict[str, str]:
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


async def _files(form: FormData, names: list[str] | None = None) -> list[tuple[str | None, bytes]]:
    found = []
    for key, value in form.multi_items():
        if isinstance(value, UploadFile) and (names is None or key in names):
            found.append((value.filename, await value.read()))
    return found


def raw_field(raw: bytes, content_type: str, name: str) -> bytes | None:
    """A form field's exact bytes (a whole MIME message must not pass through a text decoder)."""
    if content_type.startswith("application/x-www-form-urlencoded"):
        values = parse_qs(raw.decode("latin-1"), keep_blank_values=True, encoding="latin-1")
        found = values.get(name)
        return found[0].encode("latin-1") if found else None
    if not content_type.startswith("multipart/form-data"):
        return None
    envelope = email.message_from_bytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw,
        policy=email.policy.compat32,
    )
    for part in envelope.get_payload() if envelope.is_multipart() else []:
        if (
            isinstance(part, Message)
            and part.get_param("name", header="content-disposition") == name
        ):
            data = part.get_payload(decode=True)
            return data if isinstance(data, bytes) else None
    return None


def inbound_router(pool: asyncpg.Pool, settings: IntakeSettings) -> APIRouter:
    router = APIRouter(prefix="/v1/inbound")
    prefix, limits = settings.topic_prefix, mail_limits(settings)
    # Base64 in JSON, or form encoding, makes a body up to 4/3 of the message it carries.
    max_body = settings.max_message_bytes * 4 // 3 + 64 * 1024

    async def audit(provider: str, outcome: str, reason: str, request: Request) -> None:
        remote = request.client.host if request.client else None
        try:
            async with unit_of_work(pool, prefix) as store:
                await store.audit(provider, outcome, reason, remote)
        except STORAGE_ERRORS:
            log.warning("audit not recorded: %s %s %s", provider, outcome, reason)

    async def read_body(request: Request, provider: str) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_body:
            raise Refusal("too_large", f"The message exceeds {settings.max_message_bytes} bytes.")
        raw = await request.body()
        if len(raw) > max_body:
            raise Refusal("too_large", f"The message exceeds {settings.max_message_bytes} bytes.")
        return raw

    async def read_form(request: Request) -> FormData:
        return await request.form(max_files=settings.max_attachments + 5, max_part_size=max_body)

    async def route(recipients: list[str]) -> str:
        slugs = []
        for _, address in getaddresses(recipients):
            slug = posting_slug_from_recipient(address, settings.mail_domain)
            if slug and slug not in slugs:
                slugs.append(slug)
        if not slugs:
            raise Refusal(
                "unknown_recipient",
                f"No recipient is an application address of {settings.mail_domain}.",
            )
        async with unit_of_work(pool, prefix) as store:
            for slug in slugs:
                if await store.posting_by_slug(slug) is not None:
                    return slug
        raise Refusal("unknown_posting", f"No open posting called '{slugs[0]}'.")

    async def handle(
        provider: str,
        request: Request,
        work: Callable[[], Awaitable[tuple[list[Submission], tuple[str, str] | None]]],
    ) -> JSONResponse:
        try:
            submissions, token = await work()
            receipts = await submit_all(
                pool, prefix, submissions, rate_limit(settings), token=token
            )
        except BadSignature as bad:
            await audit(provider, "rejected_signature", bad.reason, request)
            return JSONResponse({"error": "unauthorised", "message": bad.reason}, bad.status)
        except Refusal as refusal:
            await audit(provider, "refused", refusal.code, request)
            status = 429 if refusal.code == "rate_limited" else PERMANENT_STATUS[provider]
            body = {"error": refusal.code, "message": refusal.message}
            return JSONResponse(
                body, status, headers={"Retry-After": "600"} if status == 429 else {}
            )
        except STORAGE_ERRORS:
            log.warning("storage unavailable for %s webhook", provider, exc_info=True)
            body = {"error": "unavailable", "message": "Storage unavailable; nothing recorded."}
            return JSONResponse(body, 503, headers={"Retry-After": "30"})
        if receipts is None:
            await audit(provider, "replay", "token already used", request)
            return JSONResponse({"replayed": True, "applications": []}, 200)
        return JSONResponse(
            {
                "applications": [
                    {
                        "application_id": str(r.application_id),
                        "duplicate": r.duplicate,
                        "reapplication": r.reapplication,
                    }
                    for r in receipts
                ]
            },
            200,
        )

    def from_mime(raw_mime: bytes, slug: str, source: str) -> list[Submission]:
        mail = parse_mime(raw_mime, limits)
        return applications_from_mail(
            mail,
            slug,
            channel=Channel.SMTP,
            raw=raw_mime,
            raw_media_type="message/rfc822",
            delivery_id=mail.message_id,
            source=source,
        )

    def from_parsed(
        mail: InboundMail, slug: str, raw: bytes, media_type: str, source: str, event_id: str
    ) -> list[Submission]:
        return applications_from_mail(
            mail,
            slug,
            channel=Channel.SMTP,
            raw=raw,
            raw_media_type=media_type,
            delivery_id=mail.message_id or event_id or None,
            source=source,
        )

    @router.post("/mailgun")
    async def mailgun(request: Request) -> JSONResponse:
        async def work() -> tuple[list[Submission], tuple[str, str] | None]:
            raw = await read_body(request, "mailgun")
            form = await read_form(request)
            fields = _text_fields(form)
            verify_mailgun(
                settings.mailgun_signing_key,
                fields.get("timestamp", ""),
                fields.get("token", ""),
                fields.get("signature", ""),
                now=time.time(),
                max_age=settings.webhook_max_age_seconds,
            )
            slug = await route([fields.get("recipient") or fields.get("To") or ""])
            if "body-mime" in fields:
                content_type = request.headers.get("content-type", "")
                mime = raw_field(raw, content_type, "body-mime")
                submissions = from_mime(mime or fields["body-mime"].encode(), slug, "mailgun")
            else:
                mail = mailgun_mail(fields, await _files(form), limits)
                content_type = request.headers.get("content-type", "")
                submissions = from_parsed(mail, slug, raw, content_type, "mailgun", "")
            return submissions, ("mailgun", fields["token"])

        return await handle("mailgun", request, work)

    @router.post("/sendgrid")
    async def sendgrid(request: Request) -> JSONResponse:
        async def work() -> tuple[list[Submission], tuple[str, str] | None]:
            raw = await read_body(request, "sendgrid")
            token: tuple[str, str] | None = None
            if settings.sendgrid_public_key:
                signature = request.headers.get("X-Twilio-Email-Event-Webhook-Signature", "")
                verify_sendgrid(
                    settings.sendgrid_public_key,
                    signature,
                    request.headers.get("X-Twilio-Email-Event-Webhook-Timestamp", ""),
                    raw,
                    now=time.time(),
                    max_age=settings.webhook_max_age_seconds,
                )
                token = ("sendgrid", signature)
            if settings.sendgrid_basic_auth:
                user, _, password = settings.sendgrid_basic_auth.partition(":")
                verify_basic(request.headers.get("authorization"), user, password)
            form = await read_form(request)
            fields = _text_fields(form)
            slug = await route(sendgrid_recipients(fields))
            if "email" in fields:  # "POST the raw, full MIME message"
                mime = raw_field(raw, request.headers.get("content-type", ""), "email")
                return from_mime(mime or fields["email"].encode(), slug, "sendgrid"), token
            mail = sendgrid_mail(fields, await _files(form), limits)
            content_type = request.headers.get("content-type", "")
            return from_parsed(mail, slug, raw, content_type, "sendgrid", ""), token

        return await handle("sendgrid", request, work)

    @router.post("/postmark")
    async def postmark(request: Request) -> JSONResponse:
        async def work() -> tuple[list[Submission], tuple[str, str] | None]:
            verify_basic(
                request.headers.get("authorization"),
                settings.postmark_username,
                settings.postmark_password,
            )
            raw = await read_body(request, "postmark")
            try:
                payload = json.loads(raw)
            except ValueError as exc:
                raise Refusal("malformed_payload", "The body is not JSON.") from exc
            if not isinstance(payload, dict):
                raise Refusal("malformed_payload", "The body is not a JSON object.")
            slug = await route(postmark_recipients(payload))
            mail = postmark_mail(payload, limits)
            return from_parsed(mail, slug, raw, "application/json", "postmark", ""), None

        return await handle("postmark", request, work)

    return router
