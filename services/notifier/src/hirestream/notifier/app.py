"""Composition root of the notifier."""

from __future__ import annotations

import asyncio
import functools

import asyncpg

from hirestream.kit.runtime import Wiring, run_service
from hirestream.notifier.adapters.clock import SystemClock
from hirestream.notifier.adapters.http_channels import HttpChannelSender, new_http_client
from hirestream.notifier.adapters.intake import IntakeContactDirectory
from hirestream.notifier.adapters.postgres import PostgresDeliveryQueue
from hirestream.notifier.adapters.smtp import EmailChannelSender, SmtpEmailSender
from hirestream.notifier.config import NotifierSettings
from hirestream.notifier.domain.retry import RetryPolicy
from hirestream.notifier.entrypoints.http import http_app
from hirestream.notifier.entrypoints.kafka import subscriptions
from hirestream.notifier.entrypoints.worker import DeliveryWorker, WorkerConfig
from hirestream.notifier.ports import ChannelSender, Clock

SERVICE = "notifier"


def build_worker(
    settings: NotifierSettings, pool: asyncpg.Pool, clock: Clock
) -> tuple[DeliveryWorker, list[object]]:
    """The delivery worker and the clients it owns (closed on stop)."""
    http = new_http_client(settings.http_timeout_seconds)
    email = EmailChannelSender(
        SmtpEmailSender(settings.smtp_host, settings.smtp_port, settings.smtp_timeout_seconds),
        settings.sender,
    )
    senders: dict[str, ChannelSender] = {
        "email": email,
        "acknowledgement": email,
        "slack": HttpChannelSender("slack", http),
        "teams": HttpChannelSender("teams", http),
        "webhook": HttpChannelSender("webhook", http),
    }
    worker = DeliveryWorker(
        PostgresDeliveryQueue(pool, settings.topic_prefix),
        senders,
        IntakeContactDirectory(http, settings.intake_url, settings.intake_api_key),
        clock,
        WorkerConfig(
            channel_concurrency=settings.channel_concurrency,
            target_concurrency=settings.target_concurrency,
            lease_seconds=settings.lease_seconds,
            poll_seconds=settings.poll_seconds,
            policy=RetryPolicy(
                max_attempts=settings.delivery_max_attempts,
                base_seconds=settings.retry_base_seconds,
                max_seconds=settings.retry_max_seconds,
            ),
        ),
        pool=pool,
    )
    return worker, [http]


def build(settings: NotifierSettings, pool: asyncpg.Pool) -> Wiring:
    clock = SystemClock()
    worker, clients = build_worker(settings, pool, clock)

    async def deliveries(stop: asyncio.Event) -> None:
        try:
            await worker.run(stop)
        finally:
            for client in clients:
                await client.aclose()  # type: ignore[attr-defined]

    return Wiring(
        subscriptions=subscriptions(settings, clock),
        http_app=http_app(pool, settings.api_key, clock),
        http_host=settings.http_host,
        http_port=settings.http_port,
        background=[deliveries],
    )


async def main() -> None:
    settings = NotifierSettings()
    await run_service(SERVICE, settings, "hirestream.notifier", functools.partial(build, settings))
