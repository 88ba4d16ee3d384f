"""The storing transaction with generic plans commits, rolls back and leaves the connection
as any other transaction does."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from hirestream.intake.adapters.postgres import unit_of_work
from hirestream.intake.ports import PostingRecord
from hirestream.kit.db import create_pool
from hirestream.kit.runtime import migrate

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    await migrate(database_url, "intake", "hirestream.intake")
    pool = await create_pool(database_url, "intake", max_size=1)  # one connection: reused
    yield pool
    await pool.close()


async def test_generic_plans_hold_inside_the_transaction_only(pool: asyncpg.Pool) -> None:
    slug = f"p-{uuid.uuid4().hex[:8]}"
    async with unit_of_work(pool, "", generic_plans=True) as store:
        await store.save_posting(PostingRecord(uuid.uuid4(), slug, "T"))
        mode = await store._conn.fetchval("SHOW plan_cache_mode")
    assert mode == "force_generic_plan"
    assert await pool.fetchval("SHOW plan_cache_mode") == "auto"
    assert await pool.fetchval("SELECT count(*) FROM postings WHERE slug = $1", slug) == 1


async def test_an_error_inside_rolls_everything_back(pool: asyncpg.Pool) -> None:
    slug = f"p-{uuid.uuid4().hex[:8]}"
    with pytest.raises(RuntimeError):
        async with unit_of_work(pool, "", generic_plans=True) as store:
            await store.save_posting(PostingRecord(uuid.uuid4(), slug, "T"))
            raise RuntimeError("boom")
    assert await pool.fetchval("SELECT count(*) FROM postings WHERE slug = $1", slug) == 0
    assert await pool.fetchval("SELECT 1") == 1  # the connection is usable, not in a transaction


async def test_a_failed_statement_rolls_back_and_raises_its_own_error(pool: asyncpg.Pool) -> None:
    with pytest.raises(asyncpg.UndefinedTableError):
        async with unit_of_work(pool, "", generic_plans=True) as store:
            await store._conn.execute("SELECT * FROM no_such_table")
    async with pool.acquire() as conn:
        assert not conn.is_in_transaction()
