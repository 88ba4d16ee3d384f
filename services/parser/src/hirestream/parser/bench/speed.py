"""Throughput of extraction + profile building, per core, on two-page text PDFs and DOCX.

The documents are the labelled corpus's CVs rendered to exactly two full pages (cut or repeated)
and to DOCX with the same lines. Each file goes through ``extract_document`` then ``analyse``
(profile, evidence, quality gate) in one process; CPU time (``time.process_time``) gives the
per-core rate, wall time is reported too. ``worker=True`` measures the service's path instead:
the extraction worker process (IPC, limits) extracting and analysing (``ExtractionWorker.read``).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass

from hirestream.parser.adapters.extractors import DOCX, PDF, extract_document
from hirestream.parser.adapters.worker import ExtractionWorker
from hirestream.parser.bench.corpus import LabelledCv
from hirestream.parser.bench.render import to_docx, to_pdf
from hirestream.parser.domain.analysis import analyse
from hirestream.skills import load_taxonomy

MEDIA_TYPES = {"pdf": PDF, "docx": DOCX}


@dataclass(frozen=True)
class SpeedResult:
    kind: str
    files: int
    per_core_per_second: float  # files / CPU second, median of the rounds
    wall_per_second: float  # files / wall second, median of the rounds
    rounds: int
    through_worker: bool


def two_page_files(cvs: list[LabelledCv], kind: str, count: int) -> list[bytes]:
    files = []
    for cv in cvs[:count]:
        pdf = to_pdf(cv.text, pages=2)
        if kind == "pdf":
            files.append(pdf)
        else:  # the same two pages of text, as a DOCX
            files.append(to_docx(extract_document(pdf, PDF).text))
    return files


def measure(
    cvs: list[LabelledCv], kind: str, count: int = 60, rounds: int = 3, worker: bool = False
) -> SpeedResult:
    files = two_page_files(cvs, kind, count)
    taxonomy = load_taxonomy()
    media_type = MEDIA_TYPES[kind]
    for data in files[:3]:  # warm up caches (taxonomy patterns, fonts)
        analyse(extract_document(data, media_type), taxonomy)
    cpu_rates, wall_rates = [], []
    for _ in range(rounds):
        if worker:
            cpu, wall = asyncio.run(_through_worker(files, media_type))
        else:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for data in files:
                analyse(extract_document(data, media_type), taxonomy)
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        cpu_rates.append(len(files) / cpu)
        wall_rates.append(len(files) / wall)
    return SpeedResult(
        kind,
        len(files),
        statistics.median(cpu_rates),
        statistics.median(wall_rates),
        rounds,
        worker,
    )


async def _through_worker(files: list[bytes], media_type: str) -> tuple[float, float]:
    worker = ExtractionWorker()
    worker.start()
    try:
        wall0 = time.perf_counter()
        for data in files:
            await worker.read(data, media_type)  # extraction and analysis, as the service does
        wall = time.perf_counter() - wall0
    finally:
        worker.close()
    # One file at a time: the worker and the caller never run at once, so wall time is the
    # CPU time of the pair (on an idle core).
    return wall, wall
