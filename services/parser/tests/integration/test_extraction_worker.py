"""The extraction worker: separate processes with wall-time, CPU and memory limits, and the
malformed-file corpus (truncated, encrypted, fuzzed PDFs, zip/XML/pixel/stream bombs) going
through it into precise error states without taking the service down."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Iterator
from datetime import date

import pytest
from PIL import Image

from hirestream.parser.adapters.worker import ExtractionWorker, Limits
from hirestream.parser.domain.analysis import analyse
from hirestream.parser.domain.errors import ExtractionError
from hirestream.skills import load_taxonomy

pytestmark = pytest.mark.integration

SLOW_TEXT = ("Café crème à la française, résumé " * 1_000_000).encode("cp1252")
# ~4 s of extraction CPU here, 48 MB (under the 50 MB input limit). RLIMIT_CPU counts whole
# seconds, so a 1 s budget fires anywhere between 1 and 2 s into the file (by the fraction of a
# second the worker had used before it); SLOW_TEXT's ~1.7 s fell inside that window.
CPU_HEAVY_HTML = ("<p>Café <b>crème</b> à la <i>française</i>, résumé</p>" * 800_000).encode()


@pytest.fixture(scope="module")
def worker() -> Iterator[ExtractionWorker]:
    worker = ExtractionWorker()
    worker.start()
    yield worker
    worker.close()


async def outcome(worker: ExtractionWorker, data: bytes, media_type: str) -> str:
    try:
        await worker(data, media_type)
    except ExtractionError as error:
        assert error.message
        return error.code
    return "parsed"


async def assert_still_serves(worker: ExtractionWorker) -> None:
    document = await worker(b"Jane Doe\nRegistered Nurse", "text/plain")
    assert document.text == "Jane Doe\nRegistered Nurse"


def test_bad_files_fail_well_within_ten_seconds_by_default() -> None:
    assert Limits().wall_seconds < 10


async def test_every_malformed_file_ends_in_a_precise_state(
    worker: ExtractionWorker, malformed_corpus: list[tuple[str, bytes, str, set[str]]]
) -> None:
    results = {name: await outcome(worker, data, kind) for name, data, kind, _ in malformed_corpus}
    unexpected = {
        name: (results[name], sorted(allowed))
        for name, _, _, allowed in malformed_corpus
        if results[name] not in allowed
    }
    assert unexpected == {}
    assert len(results) >= 30
    await assert_still_serves(worker)


async def test_read_returns_the_text_and_the_same_analysis_as_in_process() -> None:
    today = date(2024, 6, 1)
    worker = ExtractionWorker(today=today)
    cv = b"Jane Doe\njane@example.com\nExperience\nRegistered Nurse, St Mary\n2019 - present"
    try:
        read = await worker.read(cv, "text/plain")
        document = await worker(cv, "text/plain")
    finally:
        worker.close()
    assert read.document == document
    assert read.analysis == analyse(document, load_taxonomy(), today)
    assert read.analysis.profile.name == "Jane Doe"
    assert read.analysis.profile.total_experience_months == 66  # 2019-01 to 2024-06, the given day


async def test_the_analysis_counts_against_the_files_cpu_budget() -> None:
    """Text that extracts in a fraction of a second but takes seconds to analyse: the analysis
    is bounded by the same per-file budget (on the service's event loop it would not be)."""
    text = ("Café crème à la française, résumé " * 60_000).encode("cp1252")
    worker = ExtractionWorker(Limits(wall_seconds=60, cpu_seconds=1))
    try:
        assert await outcome(worker, text, "text/plain") == "parsed"  # extraction alone fits
        with pytest.raises(ExtractionError) as failure:
            await worker.read(text, "text/plain")
        assert failure.value.code == "cpu_limit"
        await assert_still_serves(worker)
    finally:
        worker.close()


async def test_a_file_over_the_wall_time_is_cut_off_and_the_worker_replaced() -> None:
    worker = ExtractionWorker(Limits(wall_seconds=0.2, cpu_seconds=60))
    try:
        assert await outcome(worker, SLOW_TEXT, "text/plain") == "timeout"
        worker.limits = Limits()
        await assert_still_serves(worker)
    finally:
        worker.close()


async def test_a_file_over_the_cpu_budget_is_stopped() -> None:
    worker = ExtractionWorker(Limits(wall_seconds=60, cpu_seconds=1))
    try:
        assert await outcome(worker, CPU_HEAVY_HTML, "text/html") == "cpu_limit"
        await assert_still_serves(worker)  # the budget is per file, not per worker
        await assert_still_serves(worker)
    finally:
        worker.close()


async def test_a_file_over_the_memory_limit_is_stopped() -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (7000, 7000), "white").save(buffer, format="PNG")  # 147 MB decoded
    worker = ExtractionWorker(Limits(memory_bytes=250 * 1024 * 1024))
    try:
        assert await outcome(worker, buffer.getvalue(), "image/png") in {
            "memory_limit",
            "worker_crashed",
        }
        await assert_still_serves(worker)
    finally:
        worker.close()


async def test_a_file_waiting_for_a_worker_does_not_spend_its_wall_time_waiting() -> None:
    files = [(f"{i}\n" + "Café crème à la française, résumé " * 150_000).encode("cp1252")
             for i in range(5)]  # fmt: skip
    worker = ExtractionWorker(processes=1)
    try:
        await worker(files[0], "text/plain")  # warm
        started = time.perf_counter()
        await worker(files[0], "text/plain")
        alone = time.perf_counter() - started
        # Each file fits its wall time alone with room to spare; four in a row do not.
        worker.limits = Limits(wall_seconds=max(2.5 * alone, 0.5))
        results = await asyncio.gather(*(outcome(worker, data, "text/plain") for data in files[1:]))
    finally:
        worker.close()
    assert results == ["parsed"] * 4
