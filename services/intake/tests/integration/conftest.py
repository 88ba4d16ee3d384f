from __future__ import annotations

import datetime as dt
import ssl
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from hirestream.intake.adapters.postgres import POOL_SETTINGS
from hirestream.intake.entrypoints.smtp import smtp_tls_context
from hirestream.kit.testing import migrated_pool


@pytest.fixture
def open_postings() -> tuple[str, ...]:
    """Slugs of the postings ``intake_pool`` opens (title = slug); a module overrides this
    fixture to start with other postings or none."""
    return ("backend-engineer", "data-engineer")


@pytest.fixture
async def intake_pool(
    database_url: str, open_postings: tuple[str, ...]
) -> AsyncIterator[asyncpg.Pool]:
    """A migrated intake schema with the ``open_postings``."""
    async with migrated_pool(
        database_url, "intake", "hirestream.intake", settings=POOL_SETTINGS
    ) as pool:
        for slug in open_postings:
            await pool.execute(
                "INSERT INTO postings (posting_id, slug, title) VALUES ($1, $2, $2)",
                uuid.uuid4(),
                slug,
            )
        yield pool


@pytest.fixture
def pool(intake_pool: asyncpg.Pool) -> asyncpg.Pool:
    """The name most intake tests use for ``intake_pool``."""
    return intake_pool


@pytest.fixture
def smtp_tls(tmp_path: Path) -> ssl.SSLContext:
    """intake's STARTTLS context (``smtp_tls_context``) for a fresh self-signed certificate
    for localhost, written as PEM files the way an operator configures them."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = smtp_tls_context(str(tmp_path / "cert.pem"), str(tmp_path / "key.pem"))
    assert context is not None
    return context
