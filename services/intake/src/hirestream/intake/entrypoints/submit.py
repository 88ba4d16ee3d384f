"""The one way every channel hands a submission to the use case."""

from __future__ import annotations

import asyncpg

from hirestream.intake.adapters.postgres import one_statement_unit, unit_of_work
from hirestream.intake.domain.submission import Submission
from hirestream.intake.handlers import DEFAULT_RATE_LIMIT, RateLimit, Receipt, receive_application
from hirestream.kit.telemetry import tracer

STORAGE_ERRORS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


async def submit(
    pool: asyncpg.Pool,
    topic_prefix: str,
    submission: Submission,
    rate_limit: RateLimit = DEFAULT_RATE_LIMIT,
) -> Receipt:
    with tracer().start_as_current_span("intake.receive_application") as span:
        span.set_attribute("hirestream.channel", submission.channel.value)
        try:
            # receive_application reads everything it decides on before its first write.
            async with one_statement_unit(pool, topic_prefix) as store:
                receipt = await receive_application(store, submission, rate_limit)
        except asyncpg.UniqueViolationError:
            # The same delivery or person raced in on another connection: the winner's row
            # answers (as a duplicate or a linked re-application).
            async with one_statement_unit(pool, topic_prefix) as store:
                receipt = await receive_application(store, submission, rate_limit)
        span.set_attribute("hirestream.application_id", str(receipt.application_id))
        span.set_attribute("hirestream.duplicate", receipt.duplicate)
        return receipt


async def submit_all(
    pool: asyncpg.Pool,
    topic_prefix: str,
    submissions: list[Submission],
    rate_limit: RateLimit = DEFAULT_RATE_LIMIT,
    *,
    token: tuple[str, str] | None = None,
) -> list[Receipt] | None:
    """Every application of one delivery in one transaction, with the provider's replay token
    claimed in the same transaction (so a token is spent exactly when its effects are durable).
    ``None``: the token was already spent, a replay; nothing was created."""
    with tracer().start_as_current_span("intake.receive_applications") as span:
        for attempt in (1, 2):
            try:
                async with unit_of_work(pool, topic_prefix) as store:
                    if token is not None and not await store.claim_token(*token):
                        span.set_attribute("hirestream.replay", True)
                        return None
                    return [await receive_application(store, s, rate_limit) for s in submissions]
            except asyncpg.UniqueViolationError:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")
