"""pytest fixtures for the real stack, registered by the repo's root conftest.

Order of preference, per the project's convention: ``DATABASE_URL`` / ``KAFKA_BOOTSTRAP_SERVERS``
when set; otherwise the embedded PostgreSQL and Tansu, started once per test session.
(testcontainers would slot in between when a Docker engine exists; none runs on these machines.)
Each test isolates itself with a database and a topic prefix of its own.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest

from hirestream.contracts import ALL_TOPICS, topic_name
from hirestream.kit.devstack import (
    EmbeddedPostgres,
    EmbeddedTansu,
    ensure_topics,
    free_port,
    scratch_dir,
)
from hirestream.kit.devstack import create_database as devstack_create_database
from hirestream.kit.devstack import database_url as devstack_database_url


@dataclass
class Stack:
    admin_database_url: str
    kafka_bootstrap: str
    postgres: EmbeddedPostgres | None
    tansu: EmbeddedTansu | None
    workdir: Path

    def database_url(self, database: str) -> str:
        return devstack_database_url(self.admin_database_url, database)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with scratch_dir("hirestream-test-") as workdir:
        yield from _stack(workdir)


def _stack(workdir: Path) -> Iterator[Stack]:
    postgres = tansu = None
    db_url = os.environ.get("DATABASE_URL")
    kafka = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    try:
        if not db_url:
            postgres = EmbeddedPostgres(workdir / "pg", free_port())
            postgres.start()
            db_url = postgres.url
        if not kafka:
            tansu = EmbeddedTansu(free_port(), workdir / "tansu.log")
            tansu.start()
            kafka = tansu.bootstrap
        yield Stack(db_url, kafka, postgres, tansu, workdir)
    finally:
        if tansu:
            tansu.stop()
        if postgres:
            postgres.stop("immediate")


async def create_database(stack: Stack, name: str) -> str:
    return await devstack_create_database(stack.admin_database_url, name)


@pytest.fixture
async def database_url(stack: Stack) -> AsyncIterator[str]:
    """A fresh, empty database for one test."""
    yield await create_database(stack, f"t_{uuid.uuid4().hex[:12]}")


@asynccontextmanager
async def migrated_pool(
    database_url: str, schema: str, package: str, **pool_options: Any
) -> AsyncIterator[asyncpg.Pool]:
    """A pool on ``schema`` once the service's migrations (and the blob store's) are applied:
    what each service's integration tests start from. ``pool_options`` go to ``create_pool``."""
    from hirestream.kit.db import create_pool
    from hirestream.kit.runtime import migrate

    await migrate(database_url, schema, package)
    pool = await create_pool(database_url, schema, **pool_options)
    try:
        yield pool
    finally:
        await pool.close()


@pytest.fixture
async def topic_prefix(stack: Stack) -> str:
    """A unique topic prefix with every contract topic created on the broker."""
    prefix = f"t{uuid.uuid4().hex[:8]}."
    await ensure_topics(stack.kafka_bootstrap, [topic_name(t, prefix) for t in ALL_TOPICS])
    return prefix
