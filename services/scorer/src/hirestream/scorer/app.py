"""Composition root of the scorer."""

from __future__ import annotations

import functools

import asyncpg

from hirestream.contracts import ApplicationScoredV1, NotificationSentV1, PostingPublishedV1
from hirestream.kit.runtime import Wiring, run_service
from hirestream.scorer.adapters.announcer import run_announcer
from hirestream.scorer.config import ScorerSettings
from hirestream.scorer.entrypoints.http import create_app
from hirestream.scorer.entrypoints.kafka import subscriptions
from hirestream.skills import load_taxonomy

SERVICE = "scorer"


def build(settings: ScorerSettings, pool: asyncpg.Pool) -> Wiring:
    taxonomy = load_taxonomy()
    return Wiring(
        # Reconciler: our ApplicationScored rows count as delivered once the next stage answers.
        acknowledgements=[(NotificationSentV1, ApplicationScoredV1)],
        # A posting's announcement counts as delivered once the notifier has sent something
        # for it: a broker that lost it before the notifier read it re-delivers it, or every
        # score of that posting would wait for a posting the notifier never learns of.
        acknowledgements_by_field=[(NotificationSentV1, PostingPublishedV1, "posting_id")],
        subscriptions=subscriptions(taxonomy, settings.topic_prefix),
        http_app=create_app(pool, settings, taxonomy),
        http_host=settings.http_host,
        http_port=settings.http_port,
        # Rescored applications are announced after their batch commits (adapters/announcer.py).
        background=[functools.partial(run_announcer, pool, settings.topic_prefix)],
    )


async def main() -> None:
    settings = ScorerSettings()
    await run_service(SERVICE, settings, "hirestream.scorer", functools.partial(build, settings))
