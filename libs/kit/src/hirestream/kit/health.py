"""Liveness and readiness routes every service serves on its HTTP port."""

from __future__ import annotations

import asyncpg
from fastapi import APIRouter, FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest


def health_router(pool: asyncpg.Pool) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz")
    async def readyz(response: Response) -> dict[str, str]:
        try:
            await pool.fetchval("SELECT 1", timeout=2)
        except Exception as exc:
            response.status_code = 503
            return {"status": "unavailable", "database": type(exc).__name__}
        return {"status": "ready"}

    @router.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def health_app(pool: asyncpg.Pool, title: str) -> FastAPI:
    app = FastAPI(title=title)
    app.include_router(health_router(pool))
    return app
