"""The delivery worker: one lane per channel, each with its own concurrency, so a slow or
failing endpoint holds up neither the other channels nor other teams on the same channel (a
per-endpoint cap keeps one endpoint from filling its channel's lane)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import asyncpg
from opentelemetry import context as otel_context

from hirestream.kit.telemetry import context_from_carrier
from hirestream.notifier.adapters.postgres import DELIVERIES_CHANNEL
from hirestream.notifier.domain.retry import RetryPolicy
from hirestream.notifier.handlers import deliver
from hirestream.notifier.ports import (
    ChannelSender,
    Clock,
    ContactDirectory,
    Delivery,
    DeliveryQueue,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerConfig:
    channel_concurrency: int = 8
    target_concurrency: int = 2
    lease_seconds: float = 60.0
    poll_seconds: float = 1.0
    policy: RetryPolicy = field(default_factory=RetryPolicy)


class DeliveryWorker:
    def __init__(
        self,
        queue: DeliveryQueue,
        senders: Mapping[str, ChannelSender],
        contacts: ContactDirectory,
        clock: Clock,
        config: WorkerConfig,
        *,
        pool: asyncpg.Pool | None = None,
    ) -> None:
        self._queue = queue
        self._senders = senders
        self._contacts = contacts
        self._clock = clock
        self._config = config
        self._pool = pool  # for LISTEN; without it the lanes only poll
        self._owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self._wakes = {channel: asyncio.Event() for channel in senders}

    def wake(self, channels: str = "") -> None:
        """Wake the lanes of ``channels`` (comma-separated), or every lane."""
        names = [c for c in channels.split(",") if c in self._wakes] if channels else []
        for name in names or self._wakes:
            self._wakes[name].set()

    async def run(self, stop: asyncio.Event) -> None:
        listener = None

        def on_notify(_conn: object, _pid: int, _channel: str, payload: object) -> None:
            # Only the lanes with new work: each woken lane runs a claim query.
            self.wake(str(payload))

        if self._pool is not None:
            try:
                listener = await self._pool.acquire()
                await listener.add_listener(DELIVERIES_CHANNEL, on_notify)
            except Exception:
                log.warning("delivery worker: LISTEN unavailable, polling only", exc_info=True)
        try:
            await asyncio.gather(*(self._lane(channel, stop) for channel in self._senders))
        finally:
            if listener is not None and self._pool is not None:
                with contextlib.suppress(Exception):
                    await listener.remove_listener(DELIVERIES_CHANNEL, on_notify)
                with contextlib.suppress(Exception):
                    await self._pool.release(listener)

    async def _lane(self, channel: str, stop: asyncio.Event) -> None:
        in_flight: set[asyncio.Task[None]] = set()
        per_target: Counter[str] = Counter()
        wake = self._wakes[channel]
        cap = self._config.target_concurrency
        # Whether a finished send should wake the lane: only when the last claim may have left
        # due deliveries behind for want of a slot (it stopped at its limit, or an endpoint was
        # at its cap), or a claim is running on counts the send is about to change.
        lane = {"held_back": False, "claiming": False}
        try:
            while not stop.is_set():
                wake.clear()  # a wake-up from here on (NOTIFY, a finished send) is kept
                free = self._config.channel_concurrency - len(in_flight)
                full = False
                if free > 0:
                    lane["claiming"] = True
                    try:
                        groups, full = await self._claim(channel, free, per_target)
                    except Exception:
                        log.exception("delivery worker: claim on %s failed", channel)
                        groups = []
                    finally:
                        lane["claiming"] = False
                    for group in groups:
                        per_target[group[0].target_key] += 1
                        task = asyncio.create_task(self._send(group))
                        in_flight.add(task)
                        task.add_done_callback(
                            _done(in_flight, per_target, group[0].target_key, wake, lane)
                        )
                lane["held_back"] = free <= 0 or full or any(n >= cap for n in per_target.values())
                if full and len(in_flight) < self._config.channel_concurrency:
                    # The claim stopped at its limit and slots are still free (a digest's
                    # records became one send): there may be more due right now. A claim
                    # below its limit took everything due that no per-endpoint cap held
                    # back; a finished send wakes the lane for those.
                    continue
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wake.wait(), timeout=self._config.poll_seconds)
        finally:
            if in_flight:  # let in-flight sends record their outcome before stopping
                await asyncio.wait(in_flight, timeout=5)

    async def _claim(
        self, channel: str, free: int, per_target: Counter[str]
    ) -> tuple[list[list[Delivery]], bool]:
        """The due deliveries leased now, grouped into sends; and whether the claim stopped
        at its limit."""
        now = self._clock.now()
        rows = await self._queue.claim(
            channel,
            now,
            limit=free,
            in_flight=dict(per_target),
            per_target=self._config.target_concurrency,
            lease_seconds=self._config.lease_seconds,
            owner=self._owner,
        )
        groups: list[list[Delivery]] = []
        digests: dict[str, list[Delivery]] = {}
        for row in rows:
            if row.kind == "digest" and row.digest_key:
                digests.setdefault(row.digest_key, []).append(row)
            else:
                groups.append([row])
        for key, members in digests.items():
            members += await self._queue.claim_digest_rest(
                key, now, lease_seconds=self._config.lease_seconds, owner=self._owner
            )
            groups.append(members)
        return groups, len(rows) >= free

    async def deliver_now(self, channel: str, limit: int = 100) -> list[str]:
        """Claims and sends what is due on ``channel`` once (tests, tools); the outcomes."""
        groups, _ = await self._claim(channel, limit, Counter())
        return list(await asyncio.gather(*(self._send_outcome(g) for g in groups)))

    async def _send(self, group: Sequence[Delivery]) -> None:
        try:
            await self._send_outcome(group)
        except Exception:
            # Recording the outcome failed (database away): the lease expires and it retries.
            log.exception("delivery worker: recording an outcome failed")

    async def _send_outcome(self, group: Sequence[Delivery]) -> str:
        token = otel_context.attach(context_from_carrier(group[0].trace or {}))
        try:
            outcome = await deliver(
                self._queue,
                self._senders,
                self._contacts,
                self._clock,
                group,
                policy=self._config.policy,
            )
        finally:
            otel_context.detach(token)
        log.info(
            "delivery %s on %s (%d record(s)): %s",
            group[0].delivery_id,
            group[0].channel,
            len(group),
            outcome,
        )
        return outcome


def _done(
    in_flight: set[asyncio.Task[None]],
    per_target: Counter[str],
    target: str,
    wake: asyncio.Event,
    lane: dict[str, bool],
) -> Callable[[asyncio.Task[None]], None]:
    def callback(task: asyncio.Task[None]) -> None:
        in_flight.discard(task)
        per_target[target] -= 1
        if per_target[target] <= 0:
            del per_target[target]
        if lane["held_back"] or lane["claiming"]:
            wake.set()

    return callback
