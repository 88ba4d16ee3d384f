from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from hirestream.kit.db import create_pool
from hirestream.kit.runtime import migrate


@pytest.fixture
async def intake_pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A migrated intake schema with two open postings."""
    await migrate(database_url, "intake", "hirestream.intake")
    pool = await create_pool(database_url, "intake")
    for slug in ("backend-engineer", "data-engineer"):
        await pool.execute(
            "INSERT INTO postings (posting_id, slug, title) VALUES ($1, $2, $2)",
            uuid.uuid4(),
            slug,
        )
    yield pool
    await pool.close()
