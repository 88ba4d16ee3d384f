"""Composition root of the notifier."""

from __future__ import annotations

import functools

import asyncpg
from hirestream.kit.health import health_app
from hirestream.kit.runtime import Wiring, run_service
from hirestream.notifier.adapters.smtp import SmtpEmailSender
from hirestream.notifier.config import NotifierSettings
from hirestream.notifier.entrypoints.kafka import subscriptions

SERVICE = "notifier"


def build(settings: NotifierSettings, pool: asyncpg.Pool) -> Wiring:
    sender = SmtpEmailSender(settings.smtp_host, settings.smtp_port, settings.smtp_timeout_seconds)
    return Wiring(
        subscriptions=subscriptions(settings, sender),
        http_app=health_app(pool, "hirestream notifier"),
        http_host=settings.http_host,
        http_port=settings.http_port,
    )


async def main() -> None:
    settings = NotifierSettings()
    await run_service(SERVICE, settings, "hirestream.notifier", functools.partial(build, settings))
