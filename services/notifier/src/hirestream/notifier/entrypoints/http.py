"""The notifier's HTTP API: a posting's rules, and deliveries (list, inspect, replay)."""

from __future__ import annotations

import hmac
import uuid
from typing import Annotated, Any, Literal

import asyncpg
from fastapi import Depends, FastAPI, Header, HTTPException, Query

from hirestream.kit.health import health_router
from hirestream.notifier.adapters.postgres import (
    flush_digests,
    get_delivery,
    list_deliveries,
    replay_delivery,
    rules_for,
    save_rules,
)
from hirestream.notifier.domain.rules import DEFAULT_RULES, PostingRules, redacted
from hirestream.notifier.ports import Clock

Status = Literal["pending", "delivered", "dead_lettered"]


def http_app(pool: asyncpg.Pool, api_key: str, clock: Clock) -> FastAPI:
    app = FastAPI(title="hirestream notifier")
    app.include_router(health_router(pool))

    def authorised(
        x_api_key: Annotated[str | None, Header()] = None,
        authorization: Annotated[str | None, Header()] = None,
    ) -> None:
        offered = x_api_key or (authorization or "").removeprefix("Bearer ").strip()
        if not offered or not hmac.compare_digest(offered.encode(), api_key.encode()):
            raise HTTPException(401, "an API key is needed (X-API-Key or Bearer)")

    auth = [Depends(authorised)]

    @app.put("/v1/postings/{slug}/rules", dependencies=auth)
    async def put_rules(slug: str, rules: PostingRules) -> dict[str, Any]:
        await save_rules(pool, slug, rules)
        return {"slug": slug, "source": "posting", **redacted(rules)}

    @app.get("/v1/postings/{slug}/rules", dependencies=auth)
    async def get_rules(slug: str) -> dict[str, Any]:
        rules = await rules_for(pool, slug)
        source = "posting" if rules is not None else "default"
        return {"slug": slug, "source": source, **redacted(rules or DEFAULT_RULES)}

    @app.get("/v1/deliveries", dependencies=auth)
    async def deliveries(
        status: Status | None = None,
        application_id: uuid.UUID | None = None,
        channel: str | None = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0)] = 0,
    ) -> dict[str, Any]:
        items = await list_deliveries(
            pool,
            status=status,
            application_id=application_id,
            channel=channel,
            limit=limit,
            offset=offset,
        )
        return {"items": items, "limit": limit, "offset": offset}

    @app.get("/v1/deliveries/{delivery_id}", dependencies=auth)
    async def delivery(delivery_id: uuid.UUID) -> dict[str, Any]:
        found = await get_delivery(pool, delivery_id)
        if found is None:
            raise HTTPException(404, "no such delivery")
        return found

    @app.post("/v1/deliveries/{delivery_id}/replay", dependencies=auth)
    async def replay(delivery_id: uuid.UUID) -> dict[str, Any]:
        replayed = await replay_delivery(pool, delivery_id, clock.now())
        if replayed is None:
            if await get_delivery(pool, delivery_id) is None:
                raise HTTPException(404, "no such delivery")
            raise HTTPException(409, "only a dead-lettered delivery can be replayed")
        return replayed

    @app.post("/v1/digests/flush", dependencies=auth)
    async def flush(posting: str | None = None) -> dict[str, Any]:
        """Sends pending digests now instead of at their scheduled time."""
        return {"due_now": await flush_digests(pool, clock.now(), posting)}

    return app
