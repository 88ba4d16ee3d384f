from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from hirestream.kit.db import create_pool
from hirestream.kit.runtime import migrate


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A migrated parser schema (with the blob store)."""
    await migrate(database_url, "parser", "hirestream.parser")
    pool = await create_pool(database_url, "parser")
    yield pool
    await pool.close()
