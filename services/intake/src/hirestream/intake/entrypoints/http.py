"""Intake's HTTP surface: the JSON API and the apply form."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import asyncpg
from fastapi import APIRouter, FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, EmailStr, Field, ValidationError
from starlette.datastructures import UploadFile
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hirestream.contracts import Channel
from hirestream.intake.adapters.postgres import snapshot, unit_of_work
from hirestream.intake.config import IntakeSettings
from hirestream.intake.domain.submission import (
    Attachment,
    Refusal,
    Submission,
    normalise_phone,
    sniff_media_type,
)
from hirestream.intake.entrypoints.form_data import FilePart, parse_form
from hirestream.intake.entrypoints.inbound import inbound_router, rate_limit
from hirestream.intake.entrypoints.submit import submit
from hirestream.kit.health import health_router

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent.parent / "templates"))
_REFUSAL_STATUS = {"unknown_posting": 404, "no_cv": 422, "too_large": 413, "rate_limited": 429}
CSRF_COOKIE = "hirestream_csrf"
CSRF_FIELD = "csrf_token"
# Any of these means a browser sent the request: then the CSRF token is required. A client
# without them (curl, the CLI) carries no ambient credentials a forged request could ride on.
_BROWSER_SIGNALS = ("origin", "referer", "cookie", "sec-fetch-site", "sec-fetch-mode")


class CsrfTokens:
    """Signed double-submit: the same random value in a cookie and a hidden field, signed with
    the service secret so a value planted in a cookie by a sibling subdomain is useless."""

    def __init__(self, secret: str) -> None:
        self._key = (secret or secrets.token_hex(32)).encode()

    def issue(self) -> str:
        nonce = secrets.token_urlsafe(24)
        return f"{nonce}.{self._sign(nonce)}"

    def valid(self, field: str, cookie: str) -> bool:
        nonce, _, signature = field.partition(".")
        return (
            bool(nonce and signature)
            and hmac.compare_digest(field, cookie)
            and hmac.compare_digest(signature, self._sign(nonce))
        )

    def _sign(self, nonce: str) -> str:
        return hmac.new(self._key, nonce.encode(), hashlib.sha256).hexdigest()[:32]


class CvFile(BaseModel):
    filename: str | None = None
    content_base64: str


class ApplicationRequest(BaseModel):
    posting: str
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr
    phone: str | None = Field(None, max_length=40)
    cover_letter: str | None = Field(None, max_length=20000)
    cv: CvFile


APPLICATIONS_PATH = "/v1/applications"
FastPath = Callable[[Scope, Receive, Send, ASGIApp], Awaitable[None]]


class IntakeAPI(FastAPI):
    """FastAPI with one request served before its middleware and router: a multipart
    ``POST /v1/applications``, intake's hot path. Routing, dependency solving, the request and
    response classes and Starlette's streaming form parser cost more CPU per upload than
    storing the application. The route stays declared (OpenAPI, and every request the fast path
    does not take with certainty goes to it); the server span of FastAPI's telemetry, which sits
    outside the middleware stack, covers both."""

    fast_path: FastPath | None = None

    def build_middleware_stack(self) -> ASGIApp:
        stack = super().build_middleware_stack()
        fast_path = self.fast_path
        if fast_path is None:
            return stack

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if (
                scope["type"] == "http"
                and scope["method"] == "POST"
                and scope["path"] == APPLICATIONS_PATH
                and not scope.get("root_path")
            ):
                await fast_path(scope, receive, send, stack)
            else:
                await stack(scope, receive, send)

        return app


def _first_headers(scope: Scope) -> dict[bytes, str]:
    """Each header's first value, as Starlette's ``Headers.get`` and FastAPI's ``Header()``
    give it."""
    found: dict[bytes, str] = {}
    for name, value in scope["headers"]:
        if name not in found:
            found[name] = value.decode("latin-1")
    return found


async def _read_body(receive: Receive) -> tuple[list[Message], bytes | None]:
    """Every message received, and the body (``None`` when the client went away first)."""
    messages: list[Message] = []
    chunks: list[bytes] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages, None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return messages, b"".join(chunks)


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """``receive`` as if nothing had been read from it yet."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed


def create_app(pool: asyncpg.Pool, settings: IntakeSettings) -> FastAPI:
    # FastAPI's own telemetry keeps the HTTP server span (the parent of
    # intake.receive_application); its operation spans (one per dependency, endpoint and
    # serialisation, ~4 per upload) cost more CPU than storing the application.
    app = IntakeAPI(title="hirestream intake", telemetry={"operation_spans": False})
    app.include_router(health_router(pool))
    api = APIRouter()
    prefix = settings.topic_prefix
    limit = rate_limit(settings)
    csrf = CsrfTokens(settings.form_secret)

    def render_form(
        request: Request,
        posting: object,
        errors: dict[str, str],
        values: dict[str, str],
        status_code: int = 200,
    ) -> HTMLResponse:
        token = csrf.issue()
        response = TEMPLATES.TemplateResponse(
            request,
            "apply.html",
            {"posting": posting, "errors": errors, "values": values, "csrf_token": token},
            status_code=status_code,
        )
        response.set_cookie(
            CSRF_COOKIE, token, httponly=True, samesite="strict", path=request.url.path
        )
        return response

    def api_key_valid(x_api_key: str | None, authorization: str | None) -> bool:
        given = x_api_key or (authorization or "").removeprefix("Bearer ").strip()
        return bool(given) and hmac.compare_digest(given, settings.api_key)

    def check_api_key(x_api_key: str | None, authorization: str | None) -> None:
        if not api_key_valid(x_api_key, authorization):
            raise HTTPException(401, "missing or wrong API key", {"WWW-Authenticate": "Bearer"})

    def attachment(data: bytes, filename: str | None) -> Attachment:
        if len(data) > settings.max_upload_bytes:
            raise Refusal("too_large", f"The CV exceeds {settings.max_upload_bytes} bytes.")
        return Attachment(filename, sniff_media_type(data, filename), data)

    def refused_response(refusal: Refusal) -> JSONResponse:
        status = _REFUSAL_STATUS.get(refusal.code, 422)
        return JSONResponse({"error": refusal.code, "message": refusal.message}, status)

    def invalid_response(exc: ValidationError) -> JSONResponse:
        fields = {".".join(str(p) for p in e["loc"]) or "body": e["msg"] for e in exc.errors()}
        return JSONResponse(
            {"error": "invalid", "message": "Invalid fields.", "fields": fields}, 422
        )

    def unavailable_response() -> JSONResponse:
        body = {"error": "unavailable", "message": "Storage unavailable; nothing was recorded."}
        return JSONResponse(body, 503, headers={"Retry-After": "30"})

    @app.exception_handler(Refusal)
    async def refused(_: Request, refusal: Refusal) -> JSONResponse:
        return refused_response(refusal)

    @app.exception_handler(ValidationError)
    async def invalid(_: Request, exc: ValidationError) -> JSONResponse:
        return invalid_response(exc)

    unavailable_errors = (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError)

    @app.exception_handler(OSError)
    @app.exception_handler(asyncpg.PostgresConnectionError)
    @app.exception_handler(asyncpg.InterfaceError)
    async def unavailable(_: Request, exc: Exception) -> JSONResponse:
        return unavailable_response()

    def form_request(fields: Mapping[str, object], filename: str | None) -> ApplicationRequest:
        return ApplicationRequest(
            posting=str(fields.get("posting", "")),
            name=str(fields.get("name", "")),
            email=str(fields.get("email", "")),
            phone=str(fields["phone"]) if fields.get("phone") else None,
            cover_letter=str(fields["cover_letter"]) if fields.get("cover_letter") else None,
            cv=CvFile(filename=filename, content_base64=""),
        )

    async def accept(
        body: ApplicationRequest,
        cv: Attachment,
        raw: bytes,
        raw_media_type: str,
        idempotency_key: str | None,
    ) -> JSONResponse:
        submission = Submission(
            posting_slug=body.posting,
            channel=Channel.API,
            candidate_name=body.name,
            candidate_email=str(body.email),
            candidate_phone=body.phone,
            cv=cv,
            raw=raw,
            raw_media_type=raw_media_type,
            delivery_id=idempotency_key,
            cover_letter=body.cover_letter,
        )
        receipt = await submit(pool, prefix, submission, limit)
        return JSONResponse(
            {
                "application_id": str(receipt.application_id),
                "duplicate": receipt.duplicate,
                "reapplication": receipt.reapplication,
            },
            200 if receipt.duplicate else 201,
        )

    @api.post("/v1/applications", status_code=201)
    async def create_application(
        request: Request,
        x_api_key: Annotated[str | None, Header()] = None,
        authorization: Annotated[str | None, Header()] = None,
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        check_api_key(x_api_key, authorization)
        raw = await request.body()
        if len(raw) > settings.max_upload_bytes * 2:
            raise Refusal("too_large", "Request too large.")
        content_type = request.headers.get("content-type", "application/octet-stream")
        if content_type.startswith("multipart/form-data"):
            form = await request.form()
            upload = form.get("cv")
            if not isinstance(upload, UploadFile):
                raise Refusal("no_cv", "Attach the CV as the 'cv' file field.")
            body = form_request(form, upload.filename)
            cv = attachment(await upload.read(), upload.filename)
        else:
            body = ApplicationRequest.model_validate_json(raw)
            try:
                data = base64.b64decode(body.cv.content_base64, validate=True)
            except binascii.Error as exc:
                raise Refusal("bad_encoding", "cv.content_base64 is not valid base64.") from exc
            cv = attachment(data, body.cv.filename)
        return await accept(body, cv, raw, content_type, idempotency_key)

    async def create_application_fast(
        scope: Scope, receive: Receive, send: Send, stack: ASGIApp
    ) -> None:
        """``create_application`` for a well-formed multipart upload with the right API key,
        with the same answers; every other request (and any doubt) goes through FastAPI,
        with what was read of the body replayed."""
        headers = _first_headers(scope)
        content_type = headers.get(b"content-type", "")
        try:
            allowed = api_key_valid(headers.get(b"x-api-key"), headers.get(b"authorization"))
        except TypeError:  # a non-ASCII key: let FastAPI answer it as it always has
            allowed = False
        if not allowed or not content_type.startswith("multipart/form-data"):
            await stack(scope, receive, send)
            return
        messages, raw = await _read_body(receive)
        form = (
            parse_form(raw, content_type)
            if raw is not None and len(raw) <= settings.max_upload_bytes * 2
            else None
        )
        upload = form.get("cv") if form is not None else None
        if (
            form is None
            or not isinstance(upload, FilePart)
            or any(isinstance(v, FilePart) for k, v in form.items() if k != "cv")
        ):
            await stack(scope, _replay(messages, receive), send)
            return
        assert raw is not None
        # What FastAPI's router would have left in the scope: the metrics' route label and
        # the server span's http.route.
        scope["route"] = applications_route
        telemetry = scope.get("fastapi.telemetry")
        if telemetry is not None and hasattr(telemetry, "route"):
            telemetry.route = APPLICATIONS_PATH
        try:
            response = await accept(
                form_request(form, upload.filename),
                attachment(upload.data, upload.filename),
                raw,
                content_type,
                headers.get(b"idempotency-key"),
            )
        except Refusal as refusal:
            response = refused_response(refusal)
        except ValidationError as exc:
            response = invalid_response(exc)
        except unavailable_errors:
            response = unavailable_response()
        await response(scope, receive, send)

    @api.get("/v1/applications/{application_id}")
    async def get_application(application_id: uuid.UUID) -> dict[str, object]:
        async with snapshot(pool, prefix) as store:
            record = await store.application(application_id)
            stages = await store.stages(application_id) if record else []
        if record is None:
            raise HTTPException(404, "no such application")
        return {
            "application_id": str(record.application_id),
            "posting": record.posting_slug,
            "channel": record.channel,
            "status": record.status,
            "name": record.candidate_name or "",
            "received_at": record.created_at.isoformat() if record.created_at else "",
            "candidate_id": str(record.candidate_id) if record.candidate_id else None,
            "reapplications": record.reapplications,
            "forwarded": record.forwarded_by is not None,
            "authentication": record.auth_results,
            "spam_score": record.spam_score,
            "stages": [{"stage": st.stage, "at": st.at.isoformat(), **st.detail} for st in stages],
        }

    @api.get("/internal/v1/applications/{application_id}/contact")
    async def get_contact(
        application_id: uuid.UUID,
        x_api_key: Annotated[str | None, Header()] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, str | None]:
        """For the notifier: personal data stays in intake and never travels in events."""
        check_api_key(x_api_key, authorization)
        async with unit_of_work(pool, prefix) as store:
            record = await store.application(application_id)
        if record is None:
            raise HTTPException(404, "no such application")
        return {
            "name": record.candidate_name,
            "email": record.candidate_email,
            "phone": record.candidate_phone,
        }

    @api.get("/applications/{application_id}/withdraw", response_class=HTMLResponse)
    async def withdraw_page(request: Request, application_id: uuid.UUID) -> HTMLResponse:
        """The link of the acknowledgement email: a confirmation page, nothing changes yet
        (mail scanners follow links; only the POST withdraws)."""
        async with unit_of_work(pool, prefix) as store:
            if await store.application(application_id) is None:
                raise HTTPException(404, "no such application")
        context = {"application_id": application_id, "withdrawn": False}
        return TEMPLATES.TemplateResponse(request, "withdraw.html", context)

    @api.post("/applications/{application_id}/withdraw", response_class=HTMLResponse)
    async def withdraw(request: Request, application_id: uuid.UUID) -> HTMLResponse:
        async with unit_of_work(pool, prefix) as store:
            if await store.application(application_id) is None:
                raise HTTPException(404, "no such application")
            await store.record_stage(
                application_id, "withdrawn", datetime.now(UTC), {"by": "candidate"}
            )
        context = {"application_id": application_id, "withdrawn": True}
        return TEMPLATES.TemplateResponse(request, "withdraw.html", context)

    @api.get("/v1/postings/{slug}")
    async def get_posting(slug: str) -> dict[str, str]:
        async with unit_of_work(pool, prefix) as store:
            posting = await store.posting_by_slug(slug)
        if posting is None:
            raise HTTPException(404, "no open posting with this slug")
        return {"posting_id": str(posting.posting_id), "slug": posting.slug, "title": posting.title}

    @api.get("/apply/{slug}", response_class=HTMLResponse)
    async def apply_form(request: Request, slug: str) -> HTMLResponse:
        async with unit_of_work(pool, prefix) as store:
            posting = await store.posting_by_slug(slug)
        if posting is None:
            raise HTTPException(404, "no open posting with this slug")
        return render_form(request, posting, {}, {})

    @api.post("/apply/{slug}", response_class=HTMLResponse)
    async def apply_submit(request: Request, slug: str) -> HTMLResponse:
        raw = await request.body()  # read first: the raw input is kept unchanged
        form = await request.form()
        name, email, phone, cover_letter, consent = (
            str(form.get(field) or "")
            for field in ("name", "email", "phone", "cover_letter", "consent")
        )
        upload = form.get("cv")
        cv = upload if isinstance(upload, UploadFile) else None
        async with unit_of_work(pool, prefix) as store:
            posting = await store.posting_by_slug(slug)
        if posting is None:
            raise HTTPException(404, "no open posting with this slug")
        values = {"name": name, "email": email, "phone": phone, "cover_letter": cover_letter}
        errors: dict[str, str] = {}
        browser = any(h in request.headers for h in _BROWSER_SIGNALS)
        if browser or settings.form_csrf_strict:
            given = str(form.get(CSRF_FIELD) or "")
            if not csrf.valid(given, request.cookies.get(CSRF_COOKIE, "")):
                errors["form"] = "Your session expired. Please check the form and send it again."
                return render_form(request, posting, errors, values, status_code=403)
        if not name.strip():
            errors["name"] = "Please enter your name."
        if "@" not in email or "." not in email.rpartition("@")[2]:
            errors["email"] = "Please enter a valid email address."
        if phone.strip() and normalise_phone(phone) is None:
            errors["phone"] = "Please enter the phone number with its country code, e.g. +44."
        if not consent:
            errors["consent"] = "Please agree to the privacy notice to apply."
        data = await cv.read() if cv is not None else b""
        if not data:
            errors["cv"] = "Please attach your CV (PDF, DOCX or TXT)."
        elif len(data) > settings.max_upload_bytes:
            errors["cv"] = f"Your CV is larger than {settings.max_upload_bytes // 1_000_000} MB."
        if not errors:
            try:
                receipt = await submit(
                    pool,
                    prefix,
                    Submission(
                        posting_slug=slug,
                        channel=Channel.FORM,
                        candidate_name=name.strip(),
                        candidate_email=email.strip(),
                        candidate_phone=phone.strip() or None,
                        cv=attachment(data, cv.filename if cv else None),
                        raw=raw,
                        raw_media_type=request.headers.get("content-type", ""),
                        cover_letter=cover_letter.strip() or None,
                    ),
                    limit,
                )
            except Refusal as refusal:
                errors["cv"] = refusal.message
            else:
                return TEMPLATES.TemplateResponse(
                    request, "applied.html", {"posting": posting, "receipt": receipt}
                )
        return render_form(request, posting, errors, values, status_code=422)

    app.include_router(api)
    app.include_router(inbound_router(pool, settings))
    applications_route = _route(api.routes, APPLICATIONS_PATH, "POST")
    app.fast_path = create_application_fast
    return app


def _route(routes: list[BaseRoute], path: str, method: str) -> BaseRoute:
    for route in routes:
        if getattr(route, "path", None) == path and method in (
            getattr(route, "methods", None) or ()
        ):
            return route
    raise LookupError(f"no {method} {path} route")
