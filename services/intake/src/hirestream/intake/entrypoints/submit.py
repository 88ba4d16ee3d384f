"""The one way every channel hands a submission to the use case."""

from __future__ import annotations

import asyncpg
from hirestream.intake.adapters.postgres import unit_of_work
from hirestream.intake.domain.submission import Submission
from hirestream.intake.handlers import Receipt, receive_application
from hirestream.kit.telemetry import tracer


async def submit(pool: asyncpg.Pool, topic_prefix: str, submission: Submission) -> Receipt:
    with tracer().start_as_current_span("intake.receive_application") as span:
        span.set_attribute("hirestream.channel", submission.channel.value)
        try:
            async with unit_of_work(pool, topic_prefix) as store:
                receipt = await receive_application(store, submission)
        except asyncpg.UniqueViolationError:
            # The same delivery raced in on another connection: the winner's row answers.
            async with unit_of_work(pool, topic_prefix) as store:
                receipt = await receive_application(store, submission)
        span.set_attribute("hirestream.application_id", str(receipt.application_id))
        span.set_attribute("hirestream.duplicate", receipt.duplicate)
        return receipt
