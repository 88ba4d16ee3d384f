from __future__ import annotations

from typing import Any

from hirestream.contracts import PostingPublishedV1
from hirestream.intake.adapters.postgres import PostgresIntakeStore
from hirestream.intake.handlers import record_posting
from hirestream.kit.consumer import Subscription
from hirestream.kit.db import Connection


async def on_posting_published(conn: Connection, event: PostingPublishedV1) -> None:
    await record_posting(PostgresIntakeStore(conn), event)


def subscriptions() -> list[Subscription[Any]]:
    return [Subscription(PostingPublishedV1, on_posting_published)]
