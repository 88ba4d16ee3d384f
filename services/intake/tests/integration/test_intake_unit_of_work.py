"""The two units of work intake stores with: the transaction (webhooks, stages, tokens) and
the one-statement unit ``submit`` uses, whose writes all commit or none do."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest

from hirestream.contracts import Channel
from hirestream.intake.adapters.postgres import POOL_SETTINGS, one_statement_unit, unit_of_work
from hirestream.intake.domain.submission import Attachment, Submission
from hirestream.intake.entrypoints.submit import submit
from hirestream.intake.handlers import receive_application
from hirestream.intake.ports import PostingRecord
from hirestream.kit.blobstore import sha256_hex
from hirestream.kit.statements import Write
from hirestream.kit.testing import migrated_pool

pytestmark = pytest.mark.integration


@pytest.fixture
async def pool(database_url: str) -> AsyncIterator[asyncpg.Pool]:
    # one connection: reused, so a transaction left open would show
    async with migrated_pool(
        database_url, "intake", "hirestream.intake", max_size=1, settings=POOL_SETTINGS
    ) as pool:
        yield pool


async def _posting(pool: asyncpg.Pool) -> str:
    slug = f"p-{uuid.uuid4().hex[:8]}"
    async with unit_of_work(pool, "") as store:
        await store.save_posting(PostingRecord(uuid.uuid4(), slug, "T"))
    return slug


def _submission(slug: str, cv: bytes, delivery_id: str | None = None) -> Submission:
    return Submission(
        posting_slug=slug,
        channel=Channel.API,
        candidate_name="Ada Lovelace",
        candidate_email=f"ada-{uuid.uuid4().hex[:6]}@example.org",
        candidate_phone=None,
        cv=Attachment("cv.pdf", "application/pdf", cv, role="cv"),
        raw=b"raw input " + cv,
        raw_media_type="application/octet-stream",
        delivery_id=delivery_id,
    )


async def _counts(pool: asyncpg.Pool, cv: bytes) -> tuple[int, int, int]:
    blobs = await pool.fetchval(
        "SELECT count(*) FROM blobstore.blobs WHERE sha256 = $1", sha256_hex(cv)
    )
    applications = await pool.fetchval(
        "SELECT count(*) FROM applications WHERE cv_sha256 = $1", sha256_hex(cv)
    )
    outbox = await pool.fetchval(
        "SELECT count(*) FROM outbox o JOIN applications a"
        " ON o.key = a.application_id::text WHERE a.cv_sha256 = $1",
        sha256_hex(cv),
    )
    return blobs, applications, outbox


async def test_the_session_uses_generic_plans(pool: asyncpg.Pool) -> None:
    assert await pool.fetchval("SHOW plan_cache_mode") == "force_generic_plan"


async def test_an_error_inside_a_transaction_rolls_everything_back(pool: asyncpg.Pool) -> None:
    slug = f"p-{uuid.uuid4().hex[:8]}"
    with pytest.raises(RuntimeError):
        async with unit_of_work(pool, "") as store:
            await store.save_posting(PostingRecord(uuid.uuid4(), slug, "T"))
            raise RuntimeError("boom")
    assert await pool.fetchval("SELECT count(*) FROM postings WHERE slug = $1", slug) == 0
    async with pool.acquire() as conn:
        assert not conn.is_in_transaction()


async def test_one_statement_unit_writes_blobs_rows_and_event_together(pool: asyncpg.Pool) -> None:
    slug = await _posting(pool)
    cv = b"%PDF-1.7 " + uuid.uuid4().bytes * 64
    receipt = await submit(pool, "", _submission(slug, cv))
    assert not receipt.duplicate
    assert await _counts(pool, cv) == (1, 1, 1)
    stages = await pool.fetch(
        "SELECT stage FROM application_stages WHERE application_id = $1", receipt.application_id
    )
    assert [r["stage"] for r in stages] == ["received"]
    async with pool.acquire() as conn:
        assert not conn.is_in_transaction()


async def test_one_statement_unit_writes_nothing_when_the_statement_fails(
    pool: asyncpg.Pool,
) -> None:
    """The application's row fails (its dedupe key is taken) after the blobs and before the
    outbox row in the statement: none of them is written."""
    slug = await _posting(pool)
    first = await submit(pool, "", _submission(slug, b"%PDF first " + uuid.uuid4().bytes))
    taken = await pool.fetchval(
        "SELECT dedupe_key FROM applications WHERE application_id = $1", first.application_id
    )
    cv = b"%PDF-1.7 " + uuid.uuid4().bytes * 64
    with pytest.raises(asyncpg.UniqueViolationError):
        async with one_statement_unit(pool, "") as store:
            submission = _submission(slug, cv)
            receipt = await receive_application(store, submission)
            _blobs, application, _event = store.pending
            assert receipt.application_id == application.args[0]
            # the application's row under the first application's dedupe key ($11)
            args = tuple(taken if i == 10 else a for i, a in enumerate(application.args))
            store.pending[1] = Write(application.parts, args)
    assert await _counts(pool, cv) == (0, 0, 0)
    async with pool.acquire() as conn:
        assert not conn.is_in_transaction()


async def test_one_statement_unit_writes_nothing_when_the_use_case_raises(
    pool: asyncpg.Pool,
) -> None:
    slug = await _posting(pool)
    cv = b"%PDF-1.7 " + uuid.uuid4().bytes * 64
    with pytest.raises(RuntimeError):
        async with one_statement_unit(pool, "") as store:
            await receive_application(store, _submission(slug, cv))
            raise RuntimeError("boom")
    assert await _counts(pool, cv) == (0, 0, 0)


async def test_one_statement_unit_refuses_writes_that_read_their_result(
    pool: asyncpg.Pool,
) -> None:
    async with one_statement_unit(pool, "") as store:
        with pytest.raises(TypeError):
            await store.claim_token("mailgun", "t")


async def test_a_retried_delivery_through_the_one_statement_unit_is_a_duplicate(
    pool: asyncpg.Pool,
) -> None:
    slug = await _posting(pool)
    cv = b"%PDF-1.7 " + uuid.uuid4().bytes * 64
    message_id = f"<{uuid.uuid4()}@example.org>"
    first = await submit(pool, "", _submission(slug, cv, message_id))
    again = await submit(pool, "", _submission(slug, cv, message_id))
    assert again.duplicate and again.application_id == first.application_id
    assert await _counts(pool, cv) == (1, 1, 1)
