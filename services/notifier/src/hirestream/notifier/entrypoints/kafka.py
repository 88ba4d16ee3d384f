from __future__ import annotations

from typing import Any

from hirestream.contracts import ApplicationReceivedV1, ApplicationScoredV1, PostingPublishedV1
from hirestream.kit.consumer import Subscription
from hirestream.kit.db import Connection
from hirestream.notifier.adapters.postgres import PostgresNotifierStore
from hirestream.notifier.config import NotifierSettings
from hirestream.notifier.handlers import (
    plan_candidate_acknowledgement,
    plan_notifications,
    record_posting,
)
from hirestream.notifier.ports import Clock


def subscriptions(settings: NotifierSettings, clock: Clock) -> list[Subscription[Any]]:
    prefix = settings.topic_prefix

    async def on_posting_published(conn: Connection, event: PostingPublishedV1) -> None:
        await record_posting(PostgresNotifierStore(conn, prefix), event)

    async def on_application_received(conn: Connection, event: ApplicationReceivedV1) -> None:
        await plan_candidate_acknowledgement(
            PostgresNotifierStore(conn, prefix),
            event,
            clock,
            withdraw_url_template=settings.withdraw_url_template,
            public_url=settings.public_url,
        )

    async def on_application_scored(conn: Connection, event: ApplicationScoredV1) -> None:
        await plan_notifications(
            PostgresNotifierStore(conn, prefix),
            event,
            clock,
            default_recipient=settings.default_recipient,
            public_url=settings.public_url,
        )

    return [
        Subscription(PostingPublishedV1, on_posting_published),
        Subscription(ApplicationReceivedV1, on_application_received),
        Subscription(ApplicationScoredV1, on_application_scored),
    ]
