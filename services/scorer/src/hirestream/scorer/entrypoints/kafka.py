from __future__ import annotations

from typing import Any

from hirestream.contracts import ProfileParsedV1
from hirestream.kit.consumer import Subscription
from hirestream.kit.db import Connection
from hirestream.scorer.adapters.postgres import PostgresScorerStore
from hirestream.scorer.handlers import score_profile
from hirestream.skills import Taxonomy


def subscriptions(taxonomy: Taxonomy, topic_prefix: str) -> list[Subscription[Any]]:
    async def on_profile_parsed(conn: Connection, event: ProfileParsedV1) -> None:
        await score_profile(PostgresScorerStore(conn, topic_prefix), event, taxonomy)

    return [Subscription(ProfileParsedV1, on_profile_parsed)]
