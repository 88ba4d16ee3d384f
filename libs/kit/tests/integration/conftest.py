from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from hirestream.kit.db import create_pool
from hirestream.kit.migrations import apply_migrations, kit_migrations


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A service schema ``svc`` with the kit's tables (outbox, inbox, dead letters); modules
    that need tables of their own define their own ``pool``."""
    conn = await asyncpg.connect(database_url)
    await apply_migrations(conn, "svc", kit_migrations())
    await conn.close()
    pool = await create_pool(database_url, "svc")
    yield pool
    await pool.close()
