"""The running relay: woken by NOTIFY, it runs as few rounds as the committed rows need."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import asyncpg
import pytest

from hirestream.contracts import PostingPublishedV1
from hirestream.kit.outbox import OutboxRelay, add_to_outbox

pytestmark = pytest.mark.integration


class CountingRelay(OutboxRelay):
    rounds = 0

    async def relay_once(self) -> int:
        self.rounds += 1
        return await super().relay_once()


def posting(slug: str) -> PostingPublishedV1:
    return PostingPublishedV1(posting_id=uuid.uuid4(), slug=slug, title="T", requirements_version=1)


async def add(pool: asyncpg.Pool, *slugs: str) -> None:
    async with pool.acquire() as conn, conn.transaction():
        for slug in slugs:
            await add_to_outbox(conn, posting(slug))


@asynccontextmanager
async def running(relay: OutboxRelay) -> AsyncIterator[None]:
    """The relay's loop for the block; stopping it must not wait for its poll."""
    stop = asyncio.Event()
    task = asyncio.create_task(relay.run(stop))
    try:
        yield
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)


async def wait_until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "not reached in time"
        await asyncio.sleep(0.02)


async def test_each_notified_commit_costs_one_round_and_a_full_batch_goes_on_at_once(
    pool: asyncpg.Pool,
) -> None:
    published: list[str] = []

    async def publish(topic: str, key: bytes, body: bytes, headers: dict[str, str]) -> None:
        published.append(json.loads(body)["slug"])

    # A poll far longer than the test: every round below is a NOTIFY's or a full batch's.
    relay = CountingRelay(pool, publish, batch_size=2, poll_seconds=600)
    async with running(relay):  # stopping does not wait for the 600 s poll
        await wait_until(lambda: relay.rounds == 1)
        await asyncio.sleep(0.3)
        assert relay.rounds == 1  # the first round, which found nothing

        await add(pool, "one")
        await wait_until(lambda: len(published) == 1)
        await asyncio.sleep(0.3)  # what a round that sent would be followed by
        assert published == ["one"]
        assert relay.rounds == 2  # not followed by a round that finds nothing

        # Five rows in one commit: batches of 2, 2 and 1 run back to back, then it waits.
        await add(pool, "a", "b", "c", "d", "e")
        await wait_until(lambda: len(published) == 6)
        await asyncio.sleep(0.3)
        assert published == ["one", "a", "b", "c", "d", "e"]
        assert relay.rounds == 5

        # Rows committed while a round runs are taken by the round their NOTIFY wakes.
        for slug in ("x", "y", "z"):
            await add(pool, slug)
        await wait_until(lambda: len(published) == 9)
        await asyncio.sleep(0.3)
        assert sorted(published[6:]) == ["x", "y", "z"]
        assert relay.rounds <= 8
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == 0


async def test_a_relay_sleeps_through_another_schemas_commits(
    pool: asyncpg.Pool, kit_schema: Callable[[str], AbstractAsyncContextManager[asyncpg.Pool]]
) -> None:
    """Services sharing one database each have an outbox: a commit to another service's wakes
    only that service's relay (one channel for all woke every relay, for rounds finding nothing)."""
    published: list[str] = []

    async def publish(topic: str, key: bytes, body: bytes, headers: dict[str, str]) -> None:
        published.append(json.loads(body)["slug"])

    relay = CountingRelay(pool, publish, batch_size=10, poll_seconds=600)
    async with kit_schema("svc_other") as other, running(relay):
        await wait_until(lambda: relay.rounds == 1)
        for slug in ("elsewhere-1", "elsewhere-2", "elsewhere-3"):
            await add(other, slug)
        await asyncio.sleep(0.5)
        assert relay.rounds == 1
        assert published == []

        await add(pool, "ours")  # still woken by its own schema's commits
        await wait_until(lambda: published == ["ours"])
        assert relay.rounds == 2
    assert await pool.fetchval("SELECT count(*) FROM svc_other.outbox WHERE sent_at IS NULL") == 3
