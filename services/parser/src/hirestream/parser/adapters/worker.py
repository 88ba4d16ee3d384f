"""Extraction and analysis in separate worker processes with CPU-time, wall-time and memory
limits.

Each worker is a spawned process (never a fork of the service's event loop and its threads) with
``RLIMIT_AS`` set once in its initializer; every task resets ``RLIMIT_CPU`` to the CPU the
worker has used so far plus the task's budget, so the limit is per file. Wall time is bounded
here: a worker that overruns it is killed and the pool replaced. Whatever happens, the caller
gets either the text (``worker(data, media_type)``), or the text and its analysis
(``worker.read(data, media_type)``), or an ``ExtractionError`` with a precise code: a hostile file
can cost one worker process, never the service.

The analysis runs in the worker too, under the same limits, so that the service's event loop
only does I/O: measured on 2 cores, analysing on the loop made the parser's main process the
pipeline's serial bottleneck while its workers idled (docs/benchmarks.md, 2026-12-02).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import ctypes
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import date
from functools import partial
from types import FrameType
from typing import TypeVar

from hirestream.kit.telemetry import tracer
from hirestream.parser.domain.analysis import ReadCv, analyse
from hirestream.parser.domain.document import ExtractedText
from hirestream.parser.domain.errors import ExtractionError
from hirestream.skills import load_taxonomy

T = TypeVar("T", ExtractedText, ReadCv)


@dataclass(frozen=True, slots=True)
class Limits:
    wall_seconds: float = 9.0
    cpu_seconds: int = 8
    memory_bytes: int = 1536 * 1024 * 1024


class _CpuLimit(Exception):
    pass


def _on_sigxcpu(signum: int, frame: FrameType | None) -> None:
    raise _CpuLimit


def _die_with_parent(parent: int) -> None:
    """A worker must not outlive the service (killed with SIGKILL, it cannot clean up)."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(0)


def _init_worker(memory_bytes: int, parent: int) -> None:
    _die_with_parent(parent)
    os.environ["OMP_THREAD_LIMIT"] = "1"
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    signal.signal(signal.SIGXCPU, _on_sigxcpu)
    _warm_up()


# A made-up CV (no person's data) analysed once per worker at start-up.
_WARM_UP_CV = "Jane Doe\njane@example.com\nExperience\nRegistered Nurse, St Mary\n2019 - present"


def _warm_up() -> None:
    """Pay the imports, the taxonomy's parsing and the analysis's first-use loading (~0.8 s
    together) when the worker starts, not inside the first file's wall-time budget."""
    import hirestream.parser.adapters.extractors  # noqa: F401

    analyse(ExtractedText(_WARM_UP_CV, "text/plain"), load_taxonomy())


# (start, end) in ``time.time_ns()``, so the main process can place the spans.
Timings = list[tuple[int, int]]
# (result, None, None, ocr timings, analysis timings) or (None, code, message, timings...)
Outcome = tuple[T | None, str | None, str | None, Timings, Timings]
# The analysis runs of the current task in this worker, as ``ocr.TIMINGS`` has the OCR runs.
_ANALYSIS_TIMINGS: Timings = []


class _AnalysisFailed(Exception):
    pass


def _extract(data: bytes, media_type: str) -> ExtractedText:
    # Imported here: the extractors' libraries are the workers' business, not the service's.
    from hirestream.parser.adapters.extractors import extract_document

    return extract_document(data, media_type)


def _extract_and_analyse(today: date, data: bytes, media_type: str) -> ReadCv:
    document = _extract(data, media_type)
    started = time.time_ns()
    try:
        result = analyse(document, load_taxonomy(), today)
    except (_CpuLimit, MemoryError):
        raise
    except Exception as exc:  # a bug met on this text: a state of its own, not "corrupt file"
        raise _AnalysisFailed(f"the profile could not be built: {exc!r}"[:300]) from exc
    finally:
        _ANALYSIS_TIMINGS.append((started, time.time_ns()))
    return ReadCv(document, result)


def _run(
    work: Callable[[bytes, str], T], data: bytes, media_type: str, cpu_seconds: int
) -> Outcome[T]:
    """In the worker: ``work`` under the file's CPU budget, every failure turned into a code."""
    from hirestream.parser.adapters import ocr

    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + cpu_seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    ocr.TIMINGS.clear()
    _ANALYSIS_TIMINGS.clear()
    try:
        result = work(data, media_type)
        return result, None, None, list(ocr.TIMINGS), list(_ANALYSIS_TIMINGS)
    except ExtractionError as error:
        return None, error.code, error.message, list(ocr.TIMINGS), list(_ANALYSIS_TIMINGS)
    except _AnalysisFailed as error:
        return None, "analysis_failed", str(error), list(ocr.TIMINGS), list(_ANALYSIS_TIMINGS)
    except _CpuLimit:
        return None, "cpu_limit", f"reading the CV used more than {cpu_seconds} s of CPU", [], []
    except MemoryError:
        return None, "memory_limit", "reading the CV needed more memory than allowed", [], []
    except RecursionError:
        return None, "corrupt_file", "the document nests too deeply", [], []
    except Exception as exc:  # a library failing on input it did not expect: still a state
        return None, "corrupt_file", f"unreadable file: {exc!r}"[:300], [], []
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, hard))


class ExtractionWorker:
    """``await worker(data, media_type)`` → ``ExtractedText`` under limits (a ``TextExtractor``);
    ``await worker.read(data, media_type)`` → ``ReadCv``, the text and its analysis, both done in
    the worker under the same limits (a ``CvExtractor``).

    ``processes`` files are read at a time, each in a worker process of its own (a
    one-process pool per slot): a file's wall time starts when its worker takes it, not while it
    waits for one, and a file that overruns it or crashes its worker costs that slot's process
    only, never a file read beside it. Callers beyond ``processes`` wait their turn, first
    come first served. ``today`` fixes the date experience is counted to (tests); by default it
    is the day of each call."""

    def __init__(
        self, limits: Limits | None = None, processes: int = 1, today: date | None = None
    ) -> None:
        if processes < 1:
            raise ValueError("an extraction worker needs at least one process")
        self.limits = limits or Limits()
        self._processes = processes
        self._today = today
        self._pools: list[concurrent.futures.ProcessPoolExecutor | None] = [None] * processes
        # Free slots, per event loop (tests run one loop each; a queue belongs to one loop).
        self._free: asyncio.Queue[int] | None = None
        self._free_loop: asyncio.AbstractEventLoop | None = None

    @property
    def processes(self) -> int:
        return self._processes

    def _ensure_pool(self, slot: int) -> concurrent.futures.ProcessPoolExecutor:
        pool = self._pools[slot]
        if pool is None:
            pool = self._pools[slot] = concurrent.futures.ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.limits.memory_bytes, os.getpid()),
            )
        return pool

    def start(self) -> None:
        """Spawn the workers now rather than on the first file."""
        futures = [self._ensure_pool(slot).submit(os.getpid) for slot in range(self._processes)]
        for future in futures:
            future.result()

    def _replace_pool(self, slot: int) -> None:
        pool, self._pools[slot] = self._pools[slot], None
        if pool is None:
            return
        # Only the process this pool started is killed, by its own id.
        for process in list(getattr(pool, "_processes", {}).values()):
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        for slot in range(self._processes):
            self._replace_pool(slot)

    def _slots(self) -> asyncio.Queue[int]:
        loop = asyncio.get_running_loop()
        if self._free is None or self._free_loop is not loop:
            self._free, self._free_loop = asyncio.Queue(), loop
            for slot in range(self._processes):
                self._free.put_nowait(slot)
        return self._free

    async def __call__(self, data: bytes, media_type: str) -> ExtractedText:
        return await self._traced(_extract, data, media_type)

    async def read(self, data: bytes, media_type: str) -> ReadCv:
        work = partial(_extract_and_analyse, self._today or date.today())
        return await self._traced(work, data, media_type)

    async def _traced(self, work: Callable[[bytes, str], T], data: bytes, media_type: str) -> T:
        with tracer().start_as_current_span("parser.extract_text") as span:
            span.set_attribute("hirestream.media_type", media_type)
            span.set_attribute("hirestream.size", len(data))
            free = self._slots()
            slot = await free.get()
            try:
                result = await self._submit(slot, work, data, media_type)
            except ExtractionError as error:
                span.set_attribute("hirestream.error_code", error.code)
                raise
            finally:
                free.put_nowait(slot)
            document = result.document if isinstance(result, ReadCv) else result
            span.set_attribute("hirestream.pages", document.page_count)
            span.set_attribute("hirestream.ocr_pages", len(document.ocr_pages))
            return result

    async def _submit(
        self, slot: int, work: Callable[[bytes, str], T], data: bytes, media_type: str
    ) -> T:
        for attempt in (1, 2):
            future = self._ensure_pool(slot).submit(
                _run, work, data, media_type, self.limits.cpu_seconds
            )
            try:
                outcome: Outcome[T] = await asyncio.wait_for(
                    asyncio.wrap_future(future), timeout=self.limits.wall_seconds
                )
            except TimeoutError as exc:
                self._replace_pool(slot)
                raise ExtractionError(
                    "timeout", f"reading the CV took longer than {self.limits.wall_seconds:g} s"
                ) from exc
            except BrokenProcessPool as exc:
                # Only this file ran in this slot's process: it died (a resource limit, the
                # OOM killer); a fresh process gets one more try.
                self._replace_pool(slot)
                if attempt == 2:
                    raise ExtractionError(
                        "worker_crashed", "the extraction worker died (a resource limit?)"
                    ) from exc
                continue
            except BaseException:
                # Cancelled while the worker runs (shutdown, or the caller gave up): the process
                # may be busy for seconds more, so the next file gets a fresh one.
                if not future.done():
                    self._replace_pool(slot)
                raise
            result, code, message, ocr_timings, analysis_timings = outcome
            _ocr_span(ocr_timings)
            _analysis_span(analysis_timings)
            if result is None:
                raise ExtractionError(code or "corrupt_file", message or "")
            return result
        raise AssertionError("unreachable")


def _ocr_span(timings: Timings) -> None:
    """The worker's OCR runs, as a ``parser.ocr`` span under ``parser.extract_text``."""
    if not timings:
        return
    span = tracer().start_span("parser.ocr", start_time=min(t[0] for t in timings))
    span.set_attribute("hirestream.ocr_images", len(timings))
    span.set_attribute("hirestream.ocr_seconds", sum(t[1] - t[0] for t in timings) / 1e9)
    span.end(end_time=max(t[1] for t in timings))


def _analysis_span(timings: Timings) -> None:
    """The worker's analysis of the text, as a ``parser.analyse`` span."""
    for started, ended in timings:
        tracer().start_span("parser.analyse", start_time=started).end(end_time=ended)


__all__ = ["ExtractionWorker", "Limits"]
