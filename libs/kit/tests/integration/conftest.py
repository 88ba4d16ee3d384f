from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
import pytest

from hirestream.kit.db import create_pool
from hirestream.kit.migrations import apply_migrations, kit_migrations


@asynccontextmanager
async def kit_schema_pool(database_url: str, schema: str) -> AsyncIterator[asyncpg.Pool]:
    """A pool on ``schema`` holding the kit's tables (outbox, inbox, dead letters) only."""
    conn = await asyncpg.connect(database_url)
    try:
        await apply_migrations(conn, schema, kit_migrations())
    finally:
        await conn.close()
    pool = await create_pool(database_url, schema)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
def kit_schema(database_url: str) -> Callable[[str], AbstractAsyncContextManager[asyncpg.Pool]]:
    """``async with kit_schema(name) as pool``: one more kit-only schema in the test's database
    (another service beside ``svc``)."""
    return functools.partial(kit_schema_pool, database_url)


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A service schema ``svc`` with the kit's tables; modules that need tables of their own
    define their own ``pool``."""
    async with kit_schema_pool(database_url, "svc") as pool:
        yield pool
