"""What to do after a failed send: retry later (exponential backoff with jitter, or the
receiver's Retry-After), or give up and dead-letter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_seconds: float = 2.0
    max_seconds: float = 600.0
    max_retry_after_seconds: float = 3600.0


def backoff_seconds(attempt: int, policy: RetryPolicy, rand: Callable[[], float]) -> float:
    """Equal jitter: half of the exponential step fixed, half random, so a burst of failures
    spreads out instead of retrying in lockstep. ``attempt`` counts from 1."""
    step = min(policy.max_seconds, policy.base_seconds * 2.0 ** (attempt - 1))
    return step / 2 + rand() * step / 2


def retry_delay(
    attempt: int, policy: RetryPolicy, rand: Callable[[], float], retry_after: float | None
) -> float | None:
    """Seconds until the next try, or None when the budget is spent."""
    if attempt >= policy.max_attempts:
        return None
    if retry_after is not None:
        return min(max(retry_after, 0.0), policy.max_retry_after_seconds)
    return backoff_seconds(attempt, policy, rand)
