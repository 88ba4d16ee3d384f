"""Composition root of intake: the only place its parts are wired together."""

from __future__ import annotations

import asyncio
import functools
import logging
import secrets

import asyncpg
import uvloop

from hirestream.contracts import ApplicationReceivedV1, topic_name
from hirestream.intake.adapters.postgres import POOL_SETTINGS
from hirestream.intake.config import IntakeSettings
from hirestream.intake.entrypoints.http import create_app
from hirestream.intake.entrypoints.imap import mailbox_poller
from hirestream.intake.entrypoints.inbound import mail_limits, rate_limit
from hirestream.intake.entrypoints.kafka import StageRecorder, subscriptions
from hirestream.intake.entrypoints.smtp import (
    ApplicationMailHandler,
    ApplicationSMTP,
    smtp_tls_context,
)
from hirestream.kit.logs import setup_logging
from hirestream.kit.runtime import Wiring, run_front_worker, run_service
from hirestream.kit.workers import supervise_this_module, worker_index

SERVICE = "intake"


def build(settings: IntakeSettings, pool: asyncpg.Pool, *, reuse_port: bool = False) -> Wiring:
    """``reuse_port``: one of several workers sharing the HTTP and SMTP ports."""
    # aiosmtpd logs every command line, sender and recipient at INFO: five or six log records
    # per mail (CPU on the hot path) carrying candidates' addresses, which stay out of logs.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    handler = ApplicationMailHandler(
        pool,
        settings.topic_prefix,
        settings.mail_domain,
        mail_limits(settings),
        rate_limit(settings),
    )

    tls = smtp_tls_context(settings.smtp_tls_cert, settings.smtp_tls_key)

    async def smtp_server(stop: asyncio.Event) -> None:
        # On the service's own loop (not aiosmtpd's threaded Controller) so it shares the pool.
        loop = asyncio.get_running_loop()
        server = await loop.create_server(
            lambda: ApplicationSMTP(
                handler,
                data_size_limit=settings.max_message_bytes,
                enable_SMTPUTF8=True,
                tls_context=tls,
            ),
            host=settings.smtp_host,
            port=settings.smtp_port,
            reuse_port=reuse_port,
        )
        try:
            await stop.wait()
        finally:
            server.close()
            await server.wait_closed()

    stages = StageRecorder(
        pool,
        settings.kafka_bootstrap_servers,
        settings.topic_prefix,
        f"{settings.topic_prefix}{SERVICE}.stages",
        acknowledges=topic_name(ApplicationReceivedV1.topic, settings.topic_prefix),
    )
    background = [stages.run]
    poller = mailbox_poller(pool, settings, mail_limits(settings), rate_limit(settings))
    if poller is not None:
        background.append(poller.run)

    return Wiring(
        # Reconciler: our ApplicationReceived rows count as delivered once the next stage
        # answers; the stage recorder, which reads profile.parsed anyway, acknowledges them.
        acknowledged_by_service=[ApplicationReceivedV1],
        subscriptions=subscriptions(),
        http_app=create_app(pool, settings),
        http_host=settings.http_host,
        http_port=settings.http_port,
        background=background,
        front=[smtp_server],
        reuse_port=reuse_port,
    )


async def main() -> None:
    settings = IntakeSettings()
    index = worker_index()
    wiring = functools.partial(build, settings, reuse_port=index is not None)
    if index:  # a supervised worker other than the first: the ports only
        await run_front_worker(
            SERVICE, settings, "hirestream.intake", wiring, pool_settings=POOL_SETTINGS
        )
    else:
        await run_service(
            SERVICE, settings, "hirestream.intake", wiring, pool_settings=POOL_SETTINGS
        )


def run() -> None:
    """``python -m hirestream.intake``: one process, or ``INTAKE_WORKERS`` of them on the
    same ports under a supervisor."""
    settings = IntakeSettings()
    if settings.workers > 1 and worker_index() is None:
        setup_logging(f"{SERVICE}.supervisor", settings.log_level)
        # Every worker must accept the forms the others rendered: one signing key for all.
        secret = settings.form_secret or secrets.token_hex(32)
        supervise_this_module(settings.workers, "hirestream.intake", {"INTAKE_FORM_SECRET": secret})
    # uvloop: the event loop's own work (callbacks, socket reads and writes, transports) is a
    # good part of intake's CPU per application, and libuv's costs a fraction of asyncio's.
    uvloop.run(main())
