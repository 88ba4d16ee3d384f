"""Content-addressed blob store in PostgreSQL: a file's SHA-256 is its address.

CVs and raw MIME never travel in Kafka messages; events carry the hash. Writing a blob inside
the caller's transaction means the application row and its file become durable together.
The store is its own schema (``blobstore``), the shared object store of the deployment;
an S3-compatible adapter can take its place behind the same functions.

A blob that contains other blobs (a raw request or MIME message with the CV inside it) can be
stored as a *composed* blob: its own bytes minus the contained files (the envelope), and a
layout saying where each contained blob goes and how it was encoded there (as is, or base64
in lines). Its address is still the SHA-256 of the whole, reassembled byte for byte and checked
against that hash on every read, and checked once more before it is written. The CV then
crosses the socket and the WAL once instead of twice. A blob referenced by a layout must never
be deleted while the composed blob lives (there is no deletion of blobs today).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from hirestream.contracts import BlobRef
from hirestream.kit.db import Connection
from hirestream.kit.statements import Write, execute

SCHEMA = "blobstore"
# Composed blobs may contain composed blobs (a mail attaching an earlier mail); bounded.
_MAX_DEPTH = 4
# Below this a reference saves less than the layout costs to read: keep the bytes.
MIN_REFERENCED_BYTES = 1024
_B64_PROBE = 40  # leading base64 characters searched for: shorter than any line length used
_PROBE = 64  # leading bytes of a contained blob searched for before comparing all of it
_PROBE_TRIES = 8  # probe hits that are not the blob before falling back to a full search


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def blob_ref(data: bytes, media_type: str) -> BlobRef:
    return BlobRef(sha256=sha256_hex(data), media_type=media_type, size=len(data))


@dataclass(frozen=True)
class Blob:
    """A blob to write: its bytes, or (when ``layout`` is set) its envelope bytes."""

    ref: BlobRef
    data: bytes
    layout: list[dict[str, Any]] | None = None


def encode_piece(data: bytes, piece: dict[str, Any]) -> bytes:
    """How a contained blob appears inside the one containing it."""
    if piece["encoding"] == "identity":
        return data
    if piece["encoding"] == "base64":
        return _lines(base64.b64encode(data), int(piece["line"]), piece["eol"].encode())
    raise ValueError(f"unknown encoding {piece['encoding']!r}")


def _lines(text: bytes, line: int, eol: bytes) -> bytes:
    if not line:
        return text
    return eol.join(text[i : i + line] for i in range(0, len(text), line))


def _base64_at(data: bytes, text: bytes, start: int) -> tuple[dict[str, Any], bytes] | None:
    """The base64 form of a contained blob found at ``start``: one line, or lines of a fixed
    length ended by CRLF or LF (what MIME writers do). With the encoded bytes themselves."""
    if data.startswith(text, start):
        return {"encoding": "base64", "line": 0, "eol": ""}, text
    newline = data.find(b"\n", start, start + 1001)
    if newline < 0:
        return None
    eol = "\r\n" if data[newline - 1 : newline] == b"\r" else "\n"
    line = newline - start - (len(eol) - 1)
    if line <= 0:
        return None
    encoded = _lines(text, line, eol.encode())
    if not data.startswith(encoded, start):
        return None
    return {"encoding": "base64", "line": line, "eol": eol}, encoded


def _find(data: bytes, content: bytes) -> int:
    """``data.find(content)``: ``bytes.find`` with a 150 KB needle spends ~0.5 ms preparing
    to search (and as much again to find nothing); a short prefix and one comparison per place
    it occurs find the same first occurrence in microseconds. Input where the prefix recurs
    (a file of one repeated byte) falls back to the full search after a few tries."""
    if len(content) <= _PROBE:
        return data.find(content)
    probe = content[:_PROBE]
    start = data.find(probe)
    for _ in range(_PROBE_TRIES):
        if start < 0 or data.startswith(content, start):
            return start
        start = data.find(probe, start + 1)
    return data.find(content, max(start, 0)) if start >= 0 else -1


def compose(
    data: bytes, media_type: str, contained: Sequence[tuple[BlobRef, bytes]]
) -> Blob | None:
    """``data`` as an envelope plus references to the ``contained`` blobs found inside it
    (verbatim, or base64 encoded as MIME writes it); ``None`` when none of them is there."""
    ref = blob_ref(data, media_type)
    found: list[tuple[int, bytes, str, dict[str, Any]]] = []  # start, as found, blob, piece
    for inner, content in contained:
        if len(content) < MIN_REFERENCED_BYTES or inner.sha256 == ref.sha256:
            continue
        start = _find(data, content)
        if start >= 0:
            found.append((start, content, inner.sha256, {"encoding": "identity"}))
            continue
        text = base64.b64encode(content)
        start = data.find(text[:_B64_PROBE])
        match = _base64_at(data, text, start) if start >= 0 else None
        if match is not None:
            found.append((start, match[1], inner.sha256, match[0]))
    envelope: list[bytes] = []
    layout: list[dict[str, Any]] = []
    whole: list[bytes] = []  # what a read will put together, checked before anything is written
    position = 0
    for start, encoded, sha256, piece in sorted(found, key=lambda f: f[0]):
        if start < position:  # overlapping finds (the same file twice): keep the first
            continue
        if start > position:
            envelope.append(data[position:start])
            whole.append(envelope[-1])
            layout.append({"bytes": start - position})
        layout.append({"blob": sha256, **piece})
        whole.append(encoded)
        position = start + len(encoded)
    if not layout:
        return None
    if position < len(data):
        envelope.append(data[position:])
        whole.append(envelope[-1])
        layout.append({"bytes": len(data) - position})
    if b"".join(whole) != data:  # the raw input is kept unchanged, always
        return None
    return Blob(ref, b"".join(envelope), layout)


def reassemble(envelope: bytes, layout: list[dict[str, Any]], contents: dict[str, bytes]) -> bytes:
    parts: list[bytes] = []
    offset = 0
    for piece in layout:
        if "bytes" in piece:
            n = int(piece["bytes"])
            parts.append(envelope[offset : offset + n])
            offset += n
        else:
            parts.append(encode_piece(contents[piece["blob"]], piece))
    if offset != len(envelope):
        raise ValueError("the layout does not cover the envelope")
    return b"".join(parts)


def stored(data: bytes, media_type: str, contained: Sequence[tuple[BlobRef, bytes]] = ()) -> Blob:
    """What to write for ``data``: composed over ``contained`` when they are inside it."""
    composed = compose(data, media_type, contained) if contained else None
    return composed or Blob(blob_ref(data, media_type), data)


async def put_blobs(conn: Connection, blobs: Sequence[Blob]) -> list[BlobRef]:
    """Every blob in one statement (one round trip); an address already stored is kept."""
    if blobs:
        await execute(conn, blobs_write(blobs))
    return [b.ref for b in blobs]


_INSERT_BLOBS = (
    f"INSERT INTO {SCHEMA}.blobs (sha256, media_type, size, data, layout)"
    " SELECT s, m, n, d, l::jsonb"
    " FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bytea[], $5::text[])"
    " AS t(s, m, n, d, l) ON CONFLICT (sha256) DO NOTHING"
)


def blobs_write(blobs: Sequence[Blob]) -> Write:
    """``put_blobs`` as a write to combine with others into one statement (``kit.statements``)."""
    if not blobs:
        raise ValueError("no blobs to write")
    unique = list({b.ref.sha256: b for b in reversed(blobs)}.values())  # the first one wins
    return Write(
        (_INSERT_BLOBS,),
        (
            [b.ref.sha256 for b in unique],
            [b.ref.media_type for b in unique],
            [b.ref.size for b in unique],
            [b.data for b in unique],
            # As JSON text: callers' connections need no jsonb codec.
            [json.dumps(b.layout) if b.layout is not None else None for b in unique],
        ),
    )


async def put_blob(conn: Connection, data: bytes, media_type: str) -> BlobRef:
    return (await put_blobs(conn, [Blob(blob_ref(data, media_type), data)]))[0]


async def get_blob(conn: Connection | asyncpg.Pool, sha256: str) -> bytes | None:
    data = await _read(conn, sha256, 0)
    if data is not None and sha256_hex(data) != sha256:
        raise ValueError(f"blob {sha256} is corrupt")
    return data


async def _read(conn: Connection | asyncpg.Pool, sha256: str, depth: int) -> bytes | None:
    row = await conn.fetchrow(f"SELECT data, layout FROM {SCHEMA}.blobs WHERE sha256 = $1", sha256)
    if row is None:
        return None
    data: bytes = row["data"]
    layout = row["layout"]
    if isinstance(layout, str):  # a connection without the jsonb codec
        layout = json.loads(layout)
    if layout is None:
        return data
    if depth >= _MAX_DEPTH:
        raise ValueError(f"blob {sha256} nests composed blobs deeper than {_MAX_DEPTH}")
    contents: dict[str, bytes] = {}
    for piece in layout:
        if "blob" in piece and piece["blob"] not in contents:
            inner = await _read(conn, piece["blob"], depth + 1)
            if inner is None:
                raise ValueError(f"blob {sha256} refers to missing blob {piece['blob']}")
            contents[piece["blob"]] = inner
    try:
        return reassemble(data, layout, contents)
    except (KeyError, ValueError, binascii.Error) as exc:
        raise ValueError(f"blob {sha256} has a broken layout: {exc}") from exc


async def stored_bytes(conn: Connection | asyncpg.Pool, sha256: str) -> int | None:
    """Bytes the row itself holds (the envelope of a composed blob): what it costs to keep."""
    size: int | None = await conn.fetchval(
        f"SELECT octet_length(data) FROM {SCHEMA}.blobs WHERE sha256 = $1", sha256
    )
    return size


BLOBSTORE_DDL = f"""
CREATE TABLE IF NOT EXISTS {SCHEMA}.blobs (
    sha256     text        PRIMARY KEY,
    media_type text        NOT NULL,
    size       bigint      NOT NULL,
    data       bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
"""

# A composed blob: ``data`` holds the envelope, ``layout`` how to put the whole together;
# ``size`` stays the size of the whole. NULL layout: ``data`` is the blob.
COMPOSED_BLOBS_DDL = f"""
ALTER TABLE {SCHEMA}.blobs ADD COLUMN IF NOT EXISTS layout jsonb;
"""


# CVs arrive as PDF, DOCX, ODT and images: compressed already. PostgreSQL's default storage
# tries pglz on every value over ~2 KB and throws the result away when it saves under 25 %:
# 0.4 ms of server CPU per (small) CV measured, more for larger files, for nothing. Text CVs
# are stored as they came, which costs a few KB each.
UNCOMPRESSED_DATA_DDL = f"""
ALTER TABLE {SCHEMA}.blobs ALTER COLUMN data SET STORAGE EXTERNAL;
"""


async def migrate_blobstore(conn: Connection) -> None:
    from hirestream.kit.migrations import Migration, apply_migrations

    await apply_migrations(
        conn,
        SCHEMA,
        [
            Migration("0001", "blobs", BLOBSTORE_DDL),
            Migration("0002", "composed_blobs", COMPOSED_BLOBS_DDL),
            Migration("0003", "uncompressed_data", UNCOMPRESSED_DATA_DDL),
        ],
    )
