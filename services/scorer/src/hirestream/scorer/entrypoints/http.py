"""Scorer HTTP API: postings (the hiring team's ads) and rankings."""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import APIRouter, FastAPI, Header, HTTPException, Query, Request
from pydantic import BaseModel

from hirestream.kit.health import health_router
from hirestream.scorer.adapters.postgres import (
    current_score,
    ranking,
    requirement_versions,
    score_history,
    unit_of_work,
)
from hirestream.scorer.config import ScorerSettings
from hirestream.scorer.domain.posting import read_posting
from hirestream.scorer.domain.requirements import Requirement
from hirestream.scorer.handlers import UnknownPosting, edit_requirements, publish_posting, reprocess
from hirestream.scorer.ports import StoredPosting
from hirestream.skills import Taxonomy


class PostingRequest(BaseModel):
    slug: str | None = None
    text: str  # Markdown or plain text, front matter allowed


class RequirementsRequest(BaseModel):
    """The team's whole list: each item as ``GET /v1/postings/{slug}`` shows it, optionally with
    ``weight`` (0-10; default: must 3, nice 1)."""

    requirements: list[dict[str, Any]]


def _posting_json(posting: StoredPosting) -> dict[str, Any]:
    return {
        "posting_id": str(posting.posting_id),
        "slug": posting.slug,
        "title": posting.title,
        "notify_email": posting.notify_email,
        "requirements_version": posting.requirements_version,
        "requirements": posting.requirements,
    }


def create_app(pool: asyncpg.Pool, settings: ScorerSettings, taxonomy: Taxonomy) -> FastAPI:
    app = FastAPI(title="hirestream scorer")
    app.include_router(health_router(pool))
    api = APIRouter()
    prefix = settings.topic_prefix

    def check_api_key(x_api_key: str | None, authorization: str | None) -> None:
        given = x_api_key or (authorization or "").removeprefix("Bearer ").strip()
        if not given or not hmac.compare_digest(given, settings.api_key):
            raise HTTPException(401, "missing or wrong API key", {"WWW-Authenticate": "Bearer"})

    async def upsert(request: PostingRequest, slug: str | None) -> dict[str, Any]:
        fallback = slug or request.slug or ""
        document = read_posting(request.text, fallback_slug=fallback)
        if slug and document.slug != slug:
            raise HTTPException(409, f"front matter slug '{document.slug}' differs from '{slug}'")
        if not document.slug:
            raise HTTPException(422, "a posting needs a slug (field or front matter)")
        async with unit_of_work(pool, prefix) as store:
            posting = await publish_posting(store, document, taxonomy)
        return _posting_json(posting)

    @api.post("/v1/postings", status_code=201)
    async def create_posting(
        body: PostingRequest,
        x_api_key: Annotated[str | None, Header()] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        check_api_key(x_api_key, authorization)
        return await upsert(body, None)

    @api.put("/v1/postings/{slug}")
    async def put_posting(
        slug: str,
        body: PostingRequest,
        x_api_key: Annotated[str | None, Header()] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        check_api_key(x_api_key, authorization)
        return await upsert(body, slug)

    @api.put("/v1/postings/{slug}/requirements")
    async def put_requirements(
        slug: str,
        body: RequirementsRequest,
        x_api_key: Annotated[str | None, Header()] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        check_api_key(x_api_key, authorization)
        try:
            requirements = [Requirement.from_dict(r) for r in body.requirements]
        except (TypeError, ValueError) as error:
            raise HTTPException(422, f"invalid requirement: {error}") from error
        try:
            async with unit_of_work(pool, prefix) as store:
                posting = await edit_requirements(store, slug, requirements, taxonomy)
        except UnknownPosting as error:
            raise HTTPException(404, "no such posting") from error
        return _posting_json(posting)

    @api.get("/v1/postings/{slug}/requirements/versions")
    async def get_requirement_versions(slug: str) -> list[dict[str, Any]]:
        async with unit_of_work(pool, prefix) as store:
            posting = await store.posting_by_slug(slug)
        if posting is None:
            raise HTTPException(404, "no such posting")
        rows = await requirement_versions(pool, posting.posting_id)
        for row in rows:
            row["created_at"] = row["created_at"].isoformat()
        return rows

    @api.post("/v1/rescore")
    async def post_rescore(
        posting: str | None = None,
        everything: Annotated[bool, Query(alias="all")] = False,
        x_api_key: Annotated[str | None, Header()] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> dict[str, Any]:
        """Replay stored profiles: stale scores (older requirements version or rubric) only,
        unless ``all=true``."""
        check_api_key(x_api_key, authorization)
        try:
            async with unit_of_work(pool, prefix) as store:
                counts = await reprocess(store, taxonomy, slug=posting, everything=everything)
        except UnknownPosting as error:
            raise HTTPException(404, "no such posting") from error
        return {"rescored": counts, "total": sum(counts.values())}

    @api.get("/v1/postings")
    async def list_postings() -> list[dict[str, Any]]:
        rows = await pool.fetch("SELECT slug FROM postings ORDER BY slug")
        result = []
        async with unit_of_work(pool, prefix) as store:
            for row in rows:
                posting = await store.posting_by_slug(row["slug"])
                if posting:
                    result.append(_posting_json(posting))
        return result

    @api.get("/v1/postings/{slug}")
    async def get_posting(slug: str) -> dict[str, Any]:
        async with unit_of_work(pool, prefix) as store:
            posting = await store.posting_by_slug(slug)
        if posting is None:
            raise HTTPException(404, "no such posting")
        return _posting_json(posting)

    @api.get("/v1/postings/{slug}/ranking")
    async def get_ranking(
        request: Request,
        slug: str,
        tier: Literal["strong", "possible", "weak"] | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        async with unit_of_work(pool, prefix) as store:
            posting = await store.posting_by_slug(slug)
        if posting is None:
            raise HTTPException(404, "no such posting")
        rows = await ranking(pool, posting.posting_id, tier=tier, limit=limit, offset=offset)
        for row in rows:
            row["application_id"] = str(row["application_id"])
            row["scored_at"] = row["scored_at"].isoformat()
        return {"posting": slug, "title": posting.title, "items": rows, "offset": offset}

    @api.get("/v1/applications/{application_id}/score")
    async def get_score(application_id: uuid.UUID) -> dict[str, Any]:
        row = await current_score(pool, application_id)
        if row is None:
            raise HTTPException(404, "not scored yet")
        return {
            k: (str(v) if isinstance(v, uuid.UUID) else v)
            for k, v in row.items()
            if k != "scored_at"
        }

    @api.get("/v1/applications/{application_id}/scores")
    async def get_score_history(application_id: uuid.UUID) -> list[dict[str, Any]]:
        rows = await score_history(pool, application_id)
        return [
            {k: (str(v) if isinstance(v, uuid.UUID) else v) for k, v in row.items()}
            | {"scored_at": row["scored_at"].isoformat()}
            for row in rows
        ]

    app.include_router(api)
    return app
