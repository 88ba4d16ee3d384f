"""Composition root of the parser."""

from __future__ import annotations

import functools

import asyncpg
from hirestream.contracts import ApplicationScoredV1, ProfileParsedV1
from hirestream.kit.health import health_app
from hirestream.kit.runtime import Wiring, run_service
from hirestream.parser.adapters.threaded import extract_in_thread
from hirestream.parser.config import ParserSettings
from hirestream.parser.entrypoints.kafka import subscriptions
from hirestream.skills import load_taxonomy

SERVICE = "parser"


def build(settings: ParserSettings, pool: asyncpg.Pool) -> Wiring:
    return Wiring(
        # Reconciler: our ProfileParsed rows count as delivered once the next stage answers.
        acknowledgements=[(ApplicationScoredV1, ProfileParsedV1)],
        subscriptions=subscriptions(extract_in_thread, load_taxonomy(), settings.topic_prefix),
        http_app=health_app(pool, "hirestream parser"),
        http_host=settings.http_host,
        http_port=settings.http_port,
    )


async def main() -> None:
    settings = ParserSettings()
    await run_service(SERVICE, settings, "hirestream.parser", functools.partial(build, settings))
