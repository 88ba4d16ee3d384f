from __future__ import annotations

from typing import Any

from hirestream.contracts import ProfileParsedV1
from hirestream.kit.consumer import Subscription
from hirestream.kit.db import Connection
from hirestream.scorer.adapters.postgres import PostgresScorerStore, RequirementsCache
from hirestream.scorer.handlers import score_profile
from hirestream.skills import Taxonomy


def subscriptions(taxonomy: Taxonomy, topic_prefix: str) -> list[Subscription[Any]]:
    requirements = RequirementsCache()  # for the process's life: versions never change

    async def on_profile_parsed(conn: Connection, event: ProfileParsedV1) -> None:
        store = PostgresScorerStore(conn, topic_prefix, requirements)
        await score_profile(store, event, taxonomy)

    return [Subscription(ProfileParsedV1, on_profile_parsed)]
