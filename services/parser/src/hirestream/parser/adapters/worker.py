"""Extraction in separate worker processes with CPU-time, wall-time and memory limits.

Each worker is a spawned process (never a fork of the service's event loop and its threads) with
``RLIMIT_AS`` set once in its initializer; every task resets ``RLIMIT_CPU`` to the CPU the
worker has used so far plus the task's budget, so the limit is per file. Wall time is bounded
here: a worker that overruns it is killed and the pool replaced. Whatever happens, the caller
gets either the text or an ``ExtractionError`` with a precise code: a hostile file can cost one
worker process, never the service.
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
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from types import FrameType

from hirestream.kit.telemetry import tracer
from hirestream.parser.domain.document import ExtractedText
from hirestream.parser.domain.errors import ExtractionError


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
    import hirestream.parser.adapters.extractors  # noqa: F401  (warm up before the first file)


Outcome = tuple[ExtractedText | None, str | None, str | None, list[tuple[int, int]]]


def _run(data: bytes, media_type: str, cpu_seconds: int) -> Outcome:
    """In the worker: (document, None, None, ocr timings) or (None, code, message, timings)."""
    from hirestream.parser.adapters import ocr
    from hirestream.parser.adapters.extractors import extract_document

    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = int(usage.ru_utime + usage.ru_stime) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = used + cpu_seconds
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    ocr.TIMINGS.clear()
    try:
        return extract_document(data, media_type), None, None, list(ocr.TIMINGS)
    except ExtractionError as error:
        return None, error.code, error.message, list(ocr.TIMINGS)
    except _CpuLimit:
        return None, "cpu_limit", f"extraction used more than {cpu_seconds} s of CPU", []
    except MemoryError:
        return None, "memory_limit", "extraction needed more memory than allowed", []
    except RecursionError:
        return None, "corrupt_file", "the document nests too deeply", []
    except Exception as exc:  # a library failing on input it did not expect: still a state
        return None, "corrupt_file", f"unreadable file: {exc!r}"[:300], []
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, hard))


class ExtractionWorker:
    """``await worker(data, media_type)`` → ``ExtractedText`` under limits (a ``TextExtractor``)."""

    def __init__(self, limits: Limits | None = None, processes: int = 1) -> None:
        self.limits = limits or Limits()
        self._processes = processes
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None

    def _ensure_pool(self) -> concurrent.futures.ProcessPoolExecutor:
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(
                max_workers=self._processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.limits.memory_bytes, os.getpid()),
            )
        return self._pool

    def start(self) -> None:
        """Spawn the workers now rather than on the first file."""
        pool = self._ensure_pool()
        for future in [pool.submit(os.getpid) for _ in range(self._processes)]:
            future.result()

    def _replace_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        # Only the processes this pool started are killed, by their own ids.
        for process in list(getattr(pool, "_processes", {}).values()):
            if process.is_alive():
                process.kill()
        pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        self._replace_pool()

    async def __call__(self, data: bytes, media_type: str) -> ExtractedText:
        with tracer().start_as_current_span("parser.extract_text") as span:
            span.set_attribute("hirestream.media_type", media_type)
            span.set_attribute("hirestream.size", len(data))
            try:
                document = await self._extract(data, media_type)
            except ExtractionError as error:
                span.set_attribute("hirestream.error_code", error.code)
                raise
            span.set_attribute("hirestream.pages", document.page_count)
            span.set_attribute("hirestream.ocr_pages", len(document.ocr_pages))
            return document

    async def _extract(self, data: bytes, media_type: str) -> ExtractedText:
        for attempt in (1, 2):
            pool = self._ensure_pool()
            future = pool.submit(_run, data, media_type, self.limits.cpu_seconds)
            try:
                outcome = await asyncio.wait_for(
                    asyncio.wrap_future(future), timeout=self.limits.wall_seconds
                )
            except TimeoutError as exc:
                self._replace_pool()
                raise ExtractionError(
                    "timeout", f"extraction took longer than {self.limits.wall_seconds:g} s"
                ) from exc
            except BrokenProcessPool as exc:
                # Another file may have broken the pool while this one waited: retry once.
                if self._pool is pool:
                    self._replace_pool()
                if attempt == 2:
                    raise ExtractionError(
                        "worker_crashed", "the extraction worker died (a resource limit?)"
                    ) from exc
                continue
            document, code, message, timings = outcome
            _ocr_span(timings)
            if document is None:
                raise ExtractionError(code or "corrupt_file", message or "")
            return document
        raise AssertionError("unreachable")


def _ocr_span(timings: list[tuple[int, int]]) -> None:
    """The worker's OCR runs, as a ``parser.ocr`` span under ``parser.extract_text``."""
    if not timings:
        return
    span = tracer().start_span("parser.ocr", start_time=min(t[0] for t in timings))
    span.set_attribute("hirestream.ocr_images", len(timings))
    span.set_attribute("hirestream.ocr_seconds", sum(t[1] - t[0] for t in timings) / 1e9)
    span.end(end_time=max(t[1] for t in timings))


__all__ = ["ExtractionWorker", "Limits"]
