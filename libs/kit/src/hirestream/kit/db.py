"""asyncpg pool with JSON codecs, one schema per service on the search path."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

# What handlers and adapters accept: a bare connection or one borrowed from a pool.
Connection = asyncpg.Connection | PoolConnectionProxy


async def _init_connection(conn: asyncpg.Connection) -> None:
    for typ in ("json", "jsonb"):
        await conn.set_type_codec(typ, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")


async def _keep_session(conn: asyncpg.Connection) -> None:
    """Released connections keep their session as it is: asyncpg's default reset (UNLISTEN *,
    RESET ALL, CLOSE ALL, pg_advisory_unlock_all) is one more round trip and statement per
    borrow, paid by every transaction. Nothing here leaves session state behind: settings are
    SET LOCAL, advisory locks are transaction-level, temporary tables are dropped or emptied at
    commit, and every LISTEN is removed before its connection goes back (a leftover one would
    only deliver notifications nobody listens to). asyncpg still rolls back an open
    transaction and drops listener callbacks itself before calling this."""


async def create_pool(
    database_url: str,
    schema: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    settings: Mapping[str, str] | None = None,
) -> asyncpg.Pool:
    """A pool whose connections see ``schema`` first, so service SQL stays unqualified;
    ``settings``: more session settings of the service's connections."""
    pool = await asyncpg.create_pool(
        database_url,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_keep_session,
        server_settings={
            "search_path": f"{schema},public",
            "application_name": schema,
            **(settings or {}),
        },
    )
    assert pool is not None
    return pool


async def connect(database_url: str, schema: str = "public") -> asyncpg.Connection:
    conn: asyncpg.Connection = await asyncpg.connect(
        database_url, server_settings={"search_path": f"{schema},public"}
    )
    await _init_connection(conn)
    return conn


def record_to_dict(record: asyncpg.Record | None) -> dict[str, Any] | None:
    return dict(record) if record is not None else None
