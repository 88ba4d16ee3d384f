from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from hirestream.kit.testing import migrated_pool


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    """A migrated parser schema (with the blob store)."""
    async with migrated_pool(database_url, "parser", "hirestream.parser") as pool:
        yield pool
