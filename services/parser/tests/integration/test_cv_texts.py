"""CVs read ahead (``CvTexts``) against the real PostgreSQL blob store and the real extraction
worker, alone and under the kit's consumer: the same texts and analyses as reading directly,
each CV read once per batch even when the batch runs again, the workers busy while the event
loop is, and nothing remembered that could hide a blob arriving later."""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import asyncpg
import pytest
from fpdf import FPDF

from hirestream.contracts import ApplicationReceivedV1, BlobRef, Channel, ProfileParsedV1
from hirestream.kit.blobstore import put_blob
from hirestream.kit.consumer import EventConsumer, IncomingMessage
from hirestream.parser.adapters.cv_texts import CvTexts
from hirestream.parser.adapters.worker import ExtractionWorker
from hirestream.parser.domain.analysis import ReadCv
from hirestream.parser.domain.errors import ExtractionError
from hirestream.parser.entrypoints.kafka import subscriptions

pytestmark = pytest.mark.integration

PDF = "application/pdf"
TEXT = "text/plain"
PREFIX = "t."


def cv_pdf(name: str) -> bytes:
    document = FPDF()
    document.set_font("Helvetica", size=11)
    document.add_page()
    email = f"{name.lower().replace(' ', '.')}@example.com"
    lines = [
        name,
        email,
        "Experience",
        "Software engineer, Acme",
        "2018 - 2023",
        "Skills",
        "Python",
    ]
    for line in lines:
        document.cell(0, 8, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


def slow_text(tag: str) -> bytes:
    """Plain text that takes the worker a noticeable fraction of a second to read (charset
    detection, then the analysis of 200 kB of text), well within its CPU limit."""
    return (f"{tag}\n" + "Café crème à la française, résumé " * 5_000).encode("cp1252")


class CountingWorker:
    """The real worker's ``read``, counting the files it was given (by content hash)."""

    def __init__(self, worker: ExtractionWorker) -> None:
        self.worker = worker
        self.calls: Counter[str] = Counter()

    async def __call__(self, data: bytes, media_type: str) -> ReadCv:
        self.calls[hashlib.sha256(data).hexdigest()] += 1
        return await self.worker.read(data, media_type)


@pytest.fixture(scope="module")
def worker() -> Iterator[ExtractionWorker]:
    worker = ExtractionWorker(processes=2)
    worker.start()
    yield worker
    worker.close()


async def stored(pool: asyncpg.Pool, data: bytes, media_type: str) -> BlobRef:
    async with pool.acquire() as conn:
        return await put_blob(conn, data, media_type)


def received(cv: BlobRef) -> ApplicationReceivedV1:
    return ApplicationReceivedV1(
        application_id=uuid.uuid4(),
        posting_id=uuid.uuid4(),
        posting_slug="engineer",
        channel=Channel.API,
        cv=cv,
    )


async def test_prefetched_reads_equal_direct_reads_and_each_cv_is_read_once(
    pool: asyncpg.Pool, worker: ExtractionWorker
) -> None:
    files = [(cv_pdf(f"Ada Lovelace {i}"), PDF) for i in range(3)]
    files.append((b"%PDF-1.4 truncated", PDF))  # fails, precisely, all the same
    refs = [await stored(pool, data, media_type) for data, media_type in files]
    counting = CountingWorker(worker)
    texts = CvTexts(pool, counting, ahead=3)
    for ref in refs:
        texts.prefetch(received(ref))
    for (data, media_type), ref in zip(files, refs, strict=True):
        try:
            direct: ReadCv | str = await worker.read(data, media_type)
        except ExtractionError as error:
            direct = error.code
        for _ in range(2):  # the second read: the batch running again after a failure
            try:
                got: ReadCv | str | None = await texts(ref)
            except ExtractionError as error:
                got = error.code
            assert got == direct
    assert dict(counting.calls) == {ref.sha256: 1 for ref in refs}


async def test_the_workers_extract_the_next_cvs_while_the_event_loop_is_busy(
    pool: asyncpg.Pool,
) -> None:
    worker = ExtractionWorker(processes=1)  # even one worker runs beside the loop
    worker.start()
    try:
        first, second = slow_text("first"), slow_text("second")
        refs = [await stored(pool, data, TEXT) for data in (first, second)]
        started = time.perf_counter()
        await worker.read(slow_text("alone"), TEXT)
        alone = time.perf_counter() - started
        assert alone > 0.1, "the slow file is not slow enough to show anything"

        texts = CvTexts(pool, worker.read)
        for ref in refs:
            texts.prefetch(received(ref))
        assert await texts(refs[0]) is not None
        # The loop busy with the first CV, awaiting nothing (as a slow store would look).
        time.sleep(alone * 1.5 + 0.2)  # noqa: ASYNC251
        started = time.perf_counter()
        assert await texts(refs[1]) is not None
        waited = time.perf_counter() - started
    finally:
        worker.close()
    assert waited < alone / 2, f"the second CV was not extracted ahead ({waited:.2f} s)"


async def test_a_missing_blob_is_not_remembered(
    pool: asyncpg.Pool, worker: ExtractionWorker
) -> None:
    data = cv_pdf("Grace Hopper")
    ref = BlobRef(sha256=hashlib.sha256(data).hexdigest(), media_type=PDF, size=len(data))
    texts = CvTexts(pool, worker.read)
    texts.prefetch(received(ref))
    assert await texts(ref) is None
    await stored(pool, data, PDF)
    read = await texts(ref)
    assert read is not None and "Grace Hopper" in read.document.text
    assert read.analysis.profile.name == "Grace Hopper"


async def test_a_batch_through_the_consumer_extracts_each_cv_once_and_fails_only_the_missing_blob(
    pool: asyncpg.Pool, worker: ExtractionWorker
) -> None:
    refs = [await stored(pool, cv_pdf(f"Alan Turing {i}"), PDF) for i in range(4)]
    missing = BlobRef(sha256="0" * 64, media_type=PDF, size=1)
    events = [received(ref) for ref in refs[:2]] + [received(missing)]
    events += [received(ref) for ref in refs[2:]]
    counting = CountingWorker(worker)
    texts = CvTexts(pool, counting, ahead=3)
    (subscription,) = subscriptions(texts, PREFIX, texts.prefetch)
    consumer = EventConsumer(pool, "parser", topic_prefix=PREFIX)
    messages = [
        IncomingMessage(
            topic=PREFIX + ApplicationReceivedV1.topic,
            key=str(e.application_id),
            body=e.model_dump_json().encode(),
            headers={},
            partition=0,
            offset=i,
        )
        for i, e in enumerate(events)
    ]
    assert await consumer.handle_batch(subscription, messages) == len(messages)

    # The missing blob failed its event alone (a retry record), after the first attempt of the
    # batch rolled back; the other CVs' texts were not extracted again for the second attempt.
    assert dict(counting.calls) == {ref.sha256: 1 for ref in refs}
    profiles = await pool.fetch("SELECT application_id, status FROM profiles")
    assert {r["application_id"] for r in profiles} == {
        e.application_id for e in events if e.cv.sha256 != missing.sha256
    }
    assert {r["status"] for r in profiles} == {"parsed"}
    assert await pool.fetchval("SELECT count(*) FROM outbox WHERE topic = $1",
                               PREFIX + ProfileParsedV1.topic) == 4  # fmt: skip
    failure = await pool.fetchrow("SELECT event_id, attempts, last_error FROM consumer_failures")
    assert failure["event_id"] == events[2].event_id and failure["attempts"] == 1
    assert "MissingBlob" in failure["last_error"]
