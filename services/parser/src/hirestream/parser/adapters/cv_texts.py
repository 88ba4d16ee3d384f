"""CVs read (text and analysis) by content hash, ahead of the handler that needs them.

Extraction and analysis run in the worker processes; the event loop stores the outcomes.
Handling a consumer batch one CV at a time would leave the workers idle while the loop waits on
PostgreSQL; so before the batch's transaction opens, the consumer's prefetch hook hands
``prefetch`` each of the batch's events, and every CV is loaded from the blob store and queued
for the workers at once. While the handler stores the first CV's profile, the workers read the
next ones; the handler's ``await texts(cv)`` finds each one ready or in progress (and reads it
itself when nothing was started, e.g. in tests).

Nothing here writes anything: the handler still decides and stores every outcome inside its
transaction. Every file goes through ``ExtractionWorker.read`` with its own CPU, wall-time and
memory limits, and the wall time starts only when a worker takes the file. An outcome is kept
by (hash, media type) for a while after it was read: a batch that runs again after one of its
handlers failed finds the other CVs' texts instead of extracting them again. A missing blob or a
failure of the loading itself (PostgreSQL unreachable) is never kept: the next reader tries anew
and, failing, fails its event the usual way.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

import asyncpg

from hirestream.contracts import ApplicationReceivedV1, BlobRef
from hirestream.kit.blobstore import get_blob
from hirestream.parser.domain.analysis import ReadCv
from hirestream.parser.domain.errors import ExtractionError
from hirestream.parser.ports import CvExtractor

log = logging.getLogger(__name__)

Key = tuple[str, str]  # (sha256, media type)
Outcome = ReadCv | ExtractionError | None  # None: no blob with that hash


class CvTexts:
    """``await texts(cv)``: the CV read (text and analysis), ``None`` when the blob store has no
    such blob; raises ``ExtractionError`` with its precise code (a ``CvReader``)."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        read: CvExtractor,
        *,
        ahead: int = 2,
        keep: int = 32,
    ) -> None:
        self._pool = pool
        self._read = read
        # At most this many CVs loaded and waiting for a worker (their bytes held in memory).
        self._ahead = ahead
        self._keep = keep
        self._tasks: OrderedDict[Key, asyncio.Task[Outcome]] = OrderedDict()
        self._gate: asyncio.Semaphore | None = None
        self._gate_loop: asyncio.AbstractEventLoop | None = None

    def prefetch(self, event: ApplicationReceivedV1) -> None:
        """Start loading and reading the event's CV (after those before it); returns at once.
        The work runs in the caller's context, so its spans join the application's trace."""
        self._task((event.cv.sha256, event.cv.media_type))

    async def __call__(self, cv: BlobRef) -> ReadCv | None:
        key = (cv.sha256, cv.media_type)
        task = self._task(key)
        try:
            outcome = await asyncio.shield(task)
        except Exception:
            self._forget(key, task)
            raise
        if outcome is None:
            self._forget(key, task)
            return None
        if isinstance(outcome, ExtractionError):
            raise outcome
        return outcome

    def _task(self, key: Key) -> asyncio.Task[Outcome]:
        task = self._tasks.get(key)
        if task is not None and task.get_loop() is asyncio.get_running_loop():
            self._tasks.move_to_end(key)
            return task
        task = asyncio.get_running_loop().create_task(self._load_and_read(key))
        task.add_done_callback(_retrieved)
        self._tasks[key] = task
        self._trim()
        return task

    def _forget(self, key: Key, task: asyncio.Task[Outcome]) -> None:
        if self._tasks.get(key) is task:
            del self._tasks[key]

    def _trim(self) -> None:
        """Drop the oldest finished outcomes beyond ``keep``; unfinished ones stay."""
        excess = len(self._tasks) - self._keep
        for key in [k for k, t in self._tasks.items() if t.done()][: max(excess, 0)]:
            del self._tasks[key]

    def _gate_for_loop(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._gate is None or self._gate_loop is not loop:
            self._gate, self._gate_loop = asyncio.Semaphore(self._ahead), loop
        return self._gate

    async def _load_and_read(self, key: Key) -> Outcome:
        sha256, media_type = key
        async with self._gate_for_loop():
            data = await get_blob(self._pool, sha256)
            if data is None:
                return None
            try:
                return await self._read(data, media_type)
            except ExtractionError as error:
                return error


def _retrieved(task: asyncio.Task[Outcome]) -> None:
    """A prefetched outcome nobody read (the batch went to another parser) must not log
    "exception never retrieved"; a reader that comes later sees the failure itself."""
    if not task.cancelled() and task.exception() is not None:
        log.debug("prefetch failed: %r", task.exception())
