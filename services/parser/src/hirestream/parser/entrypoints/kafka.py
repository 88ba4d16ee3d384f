from __future__ import annotations

from typing import Any

from hirestream.contracts import ApplicationReceivedV1
from hirestream.kit.consumer import Prefetch, Subscription
from hirestream.kit.db import Connection
from hirestream.parser.adapters.postgres import PostgresParserStore
from hirestream.parser.handlers import parse_application
from hirestream.parser.ports import CvReader


def subscriptions(
    read_cv: CvReader,
    topic_prefix: str,
    prefetch: Prefetch[ApplicationReceivedV1] | None = None,
) -> list[Subscription[Any]]:
    async def on_application_received(conn: Connection, event: ApplicationReceivedV1) -> None:
        await parse_application(PostgresParserStore(conn, topic_prefix), event, read_cv)

    return [Subscription(ApplicationReceivedV1, on_application_received, prefetch)]
