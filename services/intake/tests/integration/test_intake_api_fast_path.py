"""``POST /v1/applications`` answers the same whether the fast path serves it or FastAPI does:
same status, body and headers, same rows, same route in the metrics; the fast path really
serves the common upload, and leaves everything else to FastAPI."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from hirestream.intake.config import IntakeSettings
from hirestream.intake.entrypoints.http import IntakeAPI, create_app
from hirestream.kit.db import create_pool
from hirestream.kit.http_metrics import count_requests
from hirestream.kit.metrics import HTTP_REQUESTS
from hirestream.kit.runtime import migrate

pytestmark = pytest.mark.integration
CV = b"%PDF-1.4\n% a tiny but sniffable CV " + uuid.uuid4().bytes


@pytest.fixture
def open_postings() -> tuple[str, ...]:
    return ("backend-engineer",)


class Served:
    """Which requests went through FastAPI's stack."""

    def __init__(self) -> None:
        self.by_fastapi = 0


def app_for(pool: asyncpg.Pool, *, fast: bool, served: Served) -> ASGIApp:
    app = create_app(pool, IntakeSettings(api_key="k", max_upload_bytes=4096))
    assert isinstance(app, IntakeAPI)
    inner = app.fast_path
    assert inner is not None

    async def spied(scope: Scope, receive: Receive, send: Send, stack: ASGIApp) -> None:
        async def counted(scope: Scope, receive: Receive, send: Send) -> None:
            served.by_fastapi += 1
            await stack(scope, receive, send)

        await inner(scope, receive, send, counted)

    app.fast_path = spied if fast else None
    return count_requests(app, "intake-fast-path-test")


def form(**overrides: Any) -> dict[str, Any]:
    person = uuid.uuid4().hex[:8]
    fields = {"posting": "backend-engineer", "name": "Ana", "email": f"{person}@example.org"}
    return {
        "data": {**fields, **overrides.pop("data", {})},
        "files": overrides.pop(
            "files", {"cv": ("cv.pdf", CV + person.encode(), "application/pdf")}
        ),
        "headers": {"X-API-Key": "k", **overrides.pop("headers", {})},
        **overrides,
    }


CASES: dict[str, tuple[dict[str, Any], bool]] = {
    # name: (request, served by the fast path)
    "accepted": (form(), True),
    "bearer token": (form(headers={"X-API-Key": "", "Authorization": "Bearer k"}), True),
    "with phone and cover letter": (
        form(data={"phone": "+44 20 7946 0958", "cover_letter": "Dear team"}),
        True,
    ),
    "invalid email": (form(data={"email": "not-an-email"}), True),
    "name too long": (form(data={"name": "x" * 201}), True),
    "unknown posting": (form(data={"posting": "no-such-posting"}), True),
    "cv too large": (
        form(files={"cv": ("cv.pdf", CV + b"x" * 5000, "application/pdf")}),
        True,
    ),
    "cv not a document": (form(files={"cv": ("cv.exe", b"MZ\x90\x00" * 400, "x/y")}), True),
    "wrong key": (form(headers={"X-API-Key": "wrong"}), False),
    "no key": (form(headers={"X-API-Key": ""}), False),
    "cv as a text field": (form(files={}, data={"cv": "not a file"}), False),
    "no cv": (form(files={}), False),
    "another field as a file": (
        form(files={"cv": ("cv.pdf", CV, "application/pdf"), "name": ("n.txt", b"A", "x/y")}),
        False,
    ),
    "json": (
        {
            "json": {"posting": "backend-engineer", "name": "Ana", "email": "j@example.org"},
            "headers": {"X-API-Key": "k"},
        },
        False,
    ),
}


def answer(response: httpx.Response) -> tuple[int, Any, dict[str, str]]:
    body = response.json() if response.headers.get("content-type") == "application/json" else {}
    if isinstance(body, dict):
        body.pop("application_id", None)
    kept = {k: v for k, v in response.headers.items() if k in ("www-authenticate", "retry-after")}
    return response.status_code, body, {**kept, "type": response.headers["content-type"]}


@pytest.mark.parametrize("name", CASES)
async def test_the_fast_path_answers_exactly_as_fastapi_does(pool: asyncpg.Pool, name: str) -> None:
    request, fast = CASES[name]
    answers = []
    for use_fast in (True, False):
        served = Served()
        app = app_for(pool, fast=use_fast, served=served)
        before = await pool.fetchval("SELECT count(*) FROM applications")
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://intake"
        ) as http:
            # A fresh person each time: both variants see the same state of the database.
            response = await http.post("/v1/applications", **_fresh(request))
        created = await pool.fetchval("SELECT count(*) FROM applications") - before
        answers.append((answer(response), created))
        if use_fast:
            assert served.by_fastapi == (0 if fast else 1), name
    assert answers[0] == answers[1], name


def _fresh(request: dict[str, Any]) -> dict[str, Any]:
    fresh = dict(request)
    if "data" in fresh and "email" in fresh["data"] and "@example.org" in fresh["data"]["email"]:
        fresh["data"] = {**fresh["data"], "email": f"{uuid.uuid4().hex[:8]}@example.org"}
    if "phone" in fresh.get("data", {}):  # the same phone would make it a re-application
        fresh["data"] = {**fresh["data"], "phone": f"+44 20 7946 0{uuid.uuid4().int % 1000:03d}"}
    if "files" in fresh and "cv" in fresh["files"]:
        filename, data, media_type = fresh["files"]["cv"]
        fresh["files"] = {**fresh["files"], "cv": (filename, data + uuid.uuid4().bytes, media_type)}
    return fresh


async def test_an_idempotent_retry_on_the_fast_path_returns_the_first_application(
    pool: asyncpg.Pool,
) -> None:
    served = Served()
    app = app_for(pool, fast=True, served=served)
    request = form(headers={"Idempotency-Key": uuid.uuid4().hex})
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://intake"
    ) as http:
        first = await http.post("/v1/applications", **request)
        again = await http.post("/v1/applications", **request)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["application_id"] == first.json()["application_id"]
    assert again.json()["duplicate"] is True
    assert served.by_fastapi == 0
    route = HTTP_REQUESTS.labels("intake-fast-path-test", "/v1/applications", "201")
    assert route._value.get() >= 1  # the metrics name the route, as FastAPI's router did


async def test_storage_unavailable_answers_503_on_the_fast_path(database_url: str) -> None:
    await migrate(database_url, "intake", "hirestream.intake")
    closed = await create_pool(database_url, "intake")
    await closed.close()
    answers = []
    for use_fast in (True, False):
        served = Served()
        app = app_for(closed, fast=use_fast, served=served)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://intake"
        ) as http:
            answers.append(answer(await http.post("/v1/applications", **form())))
        if use_fast:
            assert served.by_fastapi == 0
    assert answers[0] == answers[1]
    assert answers[0][0] == 503 and answers[0][2]["retry-after"] == "30"


def test_the_route_stays_in_the_openapi_document(pool: asyncpg.Pool) -> None:
    with_fast_path = create_app(pool, IntakeSettings(api_key="k"))
    without = create_app(pool, IntakeSettings(api_key="k"))
    assert isinstance(without, IntakeAPI)
    without.fast_path = None
    assert with_fast_path.openapi() == without.openapi()
    assert "post" in with_fast_path.openapi()["paths"]["/v1/applications"]
