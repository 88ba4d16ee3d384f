"""Content-addressed blob store in PostgreSQL: a file's SHA-256 is its address.

CVs and raw MIME never travel in Kafka messages; events carry the hash. Writing a blob inside
the caller's transaction means the application row and its file become durable together.
The store is its own schema (``blobstore``), the shared object store of the deployment;
an S3-compatible adapter can take its place behind the same two functions.
"""

from __future__ import annotations

import hashlib

import asyncpg

from hirestream.contracts import BlobRef
from hirestream.kit.db import Connection

SCHEMA = "blobstore"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def put_blob(conn: Connection, data: bytes, media_type: str) -> BlobRef:
    digest = sha256_hex(data)
    await conn.execute(
        f"INSERT INTO {SCHEMA}.blobs (sha256, media_type, size, data) VALUES ($1, $2, $3, $4)"
        " ON CONFLICT (sha256) DO NOTHING",
        digest,
        media_type,
        len(data),
        data,
    )
    return BlobRef(sha256=digest, media_type=media_type, size=len(data))


async def get_blob(conn: Connection | asyncpg.Pool, sha256: str) -> bytes | None:
    data: bytes | None = await conn.fetchval(
        f"SELECT data FROM {SCHEMA}.blobs WHERE sha256 = $1", sha256
    )
    if data is not None and sha256_hex(data) != sha256:
        raise ValueError(f"blob {sha256} is corrupt")
    return data


BLOBSTORE_DDL = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.blobs (
    sha256     text        PRIMARY KEY,
    media_type text        NOT NULL,
    size       bigint      NOT NULL,
    data       bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""


async def migrate_blobstore(conn: Connection) -> None:
    from hirestream.kit.migrations import Migration, apply_migrations

    await apply_migrations(conn, SCHEMA, [Migration("0001", "blobs", BLOBSTORE_DDL)])
