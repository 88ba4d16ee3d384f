"""A small SQL migration runner: ``NNNN_<slug>.sql`` files applied in order, once each.

Every service ships its own migrations inside its package (so an installed wheel carries them)
and owns exactly one schema. The shared kit tables (inbox, outbox, consumer failures) come first
as migrations of the kit itself, applied into each service's schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from hirestream.kit.db import Connection

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: str  # "kit:0001" or "0001": the kit's own tables are versioned apart
    name: str
    sql: str


def load_migrations(package: str, *, namespace: str = "") -> list[Migration]:
    found: list[Migration] = []
    root = resources.files(package).joinpath("migrations")
    for entry in root.iterdir():
        match = _NAME.match(entry.name)
        if match:
            version = f"{namespace}{match.group(1)}"
            found.append(Migration(version, match.group(2), entry.read_text("utf-8")))
    return sorted(found, key=lambda m: m.version)


def kit_migrations() -> list[Migration]:
    return load_migrations("hirestream.kit", namespace="kit:")


async def apply_migrations(conn: Connection, schema: str, migrations: list[Migration]) -> list[str]:
    """Apply the missing migrations into ``schema``; returns the versions applied now.

    An advisory lock per schema lets several replicas start at once without racing.
    """
    applied_now: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(hashtext($1))", f"migrate:{schema}")
        await conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        await conn.execute(
            f'CREATE TABLE IF NOT EXISTS "{schema}".schema_migrations ('
            " version text PRIMARY KEY, name text NOT NULL,"
            " applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {
            r["version"]
            for r in await conn.fetch(f'SELECT version FROM "{schema}".schema_migrations')
        }
        await conn.execute(f'SET LOCAL search_path TO "{schema}", public')
        for migration in migrations:
            if migration.version in done:
                continue
            await conn.execute(migration.sql)
            await conn.execute(
                f'INSERT INTO "{schema}".schema_migrations (version, name) VALUES ($1, $2)',
                migration.version,
                migration.name,
            )
            applied_now.append(migration.version)
    return applied_now


async def migrate_service(conn: Connection, schema: str, package: str) -> list[str]:
    """Kit tables first, then the service's own migrations, all in the service's schema."""
    return await apply_migrations(conn, schema, kit_migrations() + load_migrations(package))
