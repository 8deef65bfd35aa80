"""Group commit on the SQLite writer's own thread: the event loop queues writes and is answered.

Why: when the writer was a coroutine, each batch had to wait for the event loop's turn before the
next one could be gathered and handed to the thread; under load that wait was about three quarters
of the writer's cycle (docs/benchmarks.md, "the sexual health survey's tail"), and a submission
waits about one and a half cycles. Here the thread gathers whatever has queued, commits it in one
transaction and answers the waiters with one callback on the loop, then goes straight on to the
next batch, so the loop's latency is no longer part of the cycle.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: One queued write and the future its caller awaits.
Queued = tuple[Any, "asyncio.Future[Any]"]


class GroupCommitThread:
    """One thread that commits queued writes in batches, in queue order, and answers them on the loop.

    `commit` runs on the thread: it stores a list of writes in one transaction and returns what
    `answer` needs, or raises for the whole batch. `answer` runs on the event loop after the commit
    and gives one result per write (an exception to raise in its caller, or its value). Nothing is
    answered before its transaction has committed.
    """

    def __init__(
        self,
        commit: Callable[[list[Any]], Any],
        answer: Callable[[list[Any], Any], list[Any]],
        batch_size: int,
        on_exit: Callable[[], None] = lambda: None,
    ) -> None:
        self._commit = commit
        self._answer = answer
        self._batch_size = batch_size
        self._on_exit = on_exit
        self._loop = asyncio.get_running_loop()
        self._queue: queue.SimpleQueue[Queued | None] = queue.SimpleQueue()
        self._stopped: asyncio.Future[None] = self._loop.create_future()
        self._thread = threading.Thread(target=self._run, name="sqlite-writer", daemon=True)
        self._thread.start()

    def submit(self, item: Any) -> asyncio.Future[Any]:
        """Queue one write; the future is answered once its transaction has committed."""
        future: asyncio.Future[Any] = self._loop.create_future()
        self._queue.put((item, future))
        return future

    async def stop(self) -> None:
        """Commit everything queued before this call, then end the thread."""
        self._queue.put(None)
        await self._stopped

    def _run(self) -> None:
        stopping = False
        try:
            while not stopping:
                first = self._queue.get()
                batch: list[Queued] = []
                if first is None:
                    stopping = True
                else:
                    batch.append(first)
                # Why: everything that queued while the last transaction was committing goes in this one.
                while not stopping and len(batch) < self._batch_size:
                    try:
                        more = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if more is None:
                        stopping = True
                    else:
                        batch.append(more)
                if batch:
                    self._commit_batch(batch)
        finally:
            try:
                self._on_exit()
            finally:
                self._loop.call_soon_threadsafe(_settle, self._stopped, None)

    def _commit_batch(self, batch: list[Queued]) -> None:
        items = [item for item, _ in batch]
        try:
            outcome = self._commit(items)
        except Exception as exc:
            if len(batch) > 1:
                # Why: one bad write must not fail the others that shared its transaction.
                for single in batch:
                    self._commit_batch([single])
                return
            log.exception("could not store a %s (%s)", type(items[0]).__name__, type(exc).__name__)
            self._loop.call_soon_threadsafe(_settle, batch[0][1], exc)
            return
        self._loop.call_soon_threadsafe(self._deliver, batch, outcome)

    def _deliver(self, batch: list[Queued], outcome: Any) -> None:
        """On the loop: each waiter gets its result (a replay, a clash or its new id)."""
        try:
            results = self._answer([item for item, _ in batch], outcome)
        except Exception as exc:  # a bug, but no caller may be left waiting for ever
            results = [exc] * len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result)


def _settle(future: asyncio.Future[Any], result: Any) -> None:
    """Answer a future unless its caller has gone (a cancelled request's write is committed anyway)."""
    if future.done():
        return
    if isinstance(result, Exception):
        future.set_exception(result)
    else:
        future.set_result(result)
