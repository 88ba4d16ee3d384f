from __future__ import annotations

from typing import Any

from hirestream.contracts import ApplicationScoredV1, PostingPublishedV1
from hirestream.kit.consumer import Subscription
from hirestream.kit.db import Connection
from hirestream.notifier.adapters.postgres import PostgresNotifierStore
from hirestream.notifier.config import NotifierSettings
from hirestream.notifier.handlers import notify_hiring_team, record_posting
from hirestream.notifier.ports import EmailSender


def subscriptions(settings: NotifierSettings, sender: EmailSender) -> list[Subscription[Any]]:
    prefix = settings.topic_prefix

    async def on_posting_published(conn: Connection, event: PostingPublishedV1) -> None:
        await record_posting(PostgresNotifierStore(conn, prefix), event)

    async def on_application_scored(conn: Connection, event: ApplicationScoredV1) -> None:
        await notify_hiring_team(
            PostgresNotifierStore(conn, prefix),
            event,
            sender,
            from_address=settings.sender,
            default_recipient=settings.default_recipient,
            public_url=settings.public_url,
        )

    return [
        Subscription(PostingPublishedV1, on_posting_published),
        Subscription(ApplicationScoredV1, on_application_scored),
    ]
