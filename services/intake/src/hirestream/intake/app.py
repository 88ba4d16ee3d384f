"""Composition root of intake: the only place its parts are wired together."""

from __future__ import annotations

import asyncio
import functools

import asyncpg
from aiosmtpd.smtp import SMTP
from hirestream.contracts import ApplicationReceivedV1, ProfileParsedV1
from hirestream.intake.config import IntakeSettings
from hirestream.intake.entrypoints.http import create_app
from hirestream.intake.entrypoints.kafka import subscriptions
from hirestream.intake.entrypoints.smtp import ApplicationMailHandler
from hirestream.kit.runtime import Wiring, run_service

SERVICE = "intake"


def build(settings: IntakeSettings, pool: asyncpg.Pool) -> Wiring:
    handler = ApplicationMailHandler(pool, settings.topic_prefix, settings.mail_domain)

    async def smtp_server(stop: asyncio.Event) -> None:
        # On the service's own loop (not aiosmtpd's threaded Controller) so it shares the pool.
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: SMTP(
                handler, data_size_limit=settings.max_upload_bytes * 2, enable_SMTPUTF8=True
            ),
            host=settings.smtp_host,
            port=settings.smtp_port,
        )
        try:
            await stop.wait()
        finally:
            server.close()
            await server.wait_closed()

    return Wiring(
        # Reconciler: our ApplicationReceived rows count as delivered once the next stage answers.
        acknowledgements=[(ProfileParsedV1, ApplicationReceivedV1)],
        subscriptions=subscriptions(),
        http_app=create_app(pool, settings),
        http_host=settings.http_host,
        http_port=settings.http_port,
        background=[smtp_server],
    )


async def main() -> None:
    settings = IntakeSettings()
    await run_service(SERVICE, settings, "hirestream.intake", functools.partial(build, settings))
