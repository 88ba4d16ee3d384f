"""The blob store's table against the real PostgreSQL."""

from __future__ import annotations

import asyncpg
import pytest

from hirestream.kit.blobstore import get_blob, migrate_blobstore, put_blob

pytestmark = pytest.mark.integration


async def test_blobs_are_stored_without_compression_and_read_back_whole(database_url: str) -> None:
    """CV files are compressed formats: the store does not spend CPU trying to compress them
    again. Text that would compress well shows it (stored as written, not pglz)."""
    conn = await asyncpg.connect(database_url)
    try:
        await migrate_blobstore(conn)
        await migrate_blobstore(conn)  # applying twice is a no-op
        text = b"Experience: Staff Accountant, Acme Ltd, 2019-2024. " * 2000  # ~100 KB
        ref = await put_blob(conn, text, "text/plain")
        row = await conn.fetchrow(
            "SELECT pg_column_compression(data) AS method, octet_length(data) AS size"
            " FROM blobstore.blobs WHERE sha256 = $1",
            ref.sha256,
        )
        assert (row["method"], row["size"]) == (None, len(text))
        assert await get_blob(conn, ref.sha256) == text
    finally:
        await conn.close()
