"""Composition root of the parser."""

from __future__ import annotations

import functools

import asyncpg

from hirestream.contracts import ApplicationScoredV1, ProfileParsedV1
from hirestream.kit.health import health_app
from hirestream.kit.runtime import Wiring, run_service
from hirestream.parser.adapters.cv_texts import CvTexts
from hirestream.parser.adapters.worker import ExtractionWorker, Limits
from hirestream.parser.config import ParserSettings
from hirestream.parser.entrypoints.kafka import subscriptions

SERVICE = "parser"


def build(settings: ParserSettings, pool: asyncpg.Pool) -> Wiring:
    limits = Limits(
        wall_seconds=settings.extract_wall_seconds,
        cpu_seconds=settings.extract_cpu_seconds,
        memory_bytes=settings.extract_memory_mb * 1024 * 1024,
    )
    worker = ExtractionWorker(limits, processes=settings.extract_workers)
    # A consumer batch's CVs are read ahead (extracted and analysed in the workers, each with the
    # shipped taxonomy), while the loop stores the one before; one more CV than there are workers
    # waits loaded, so no worker waits for PostgreSQL.
    texts = CvTexts(pool, worker.read, ahead=settings.extract_workers + 1)
    return Wiring(
        # Reconciler: our ProfileParsed rows count as delivered once the next stage answers.
        acknowledgements=[(ApplicationScoredV1, ProfileParsedV1)],
        subscriptions=subscriptions(texts, settings.topic_prefix, prefetch=texts.prefetch),
        http_app=health_app(pool, "hirestream parser"),
        http_host=settings.http_host,
        http_port=settings.http_port,
    )


async def main() -> None:
    settings = ParserSettings()
    await run_service(SERVICE, settings, "hirestream.parser", functools.partial(build, settings))
