"""The journey benchmark's optional writer probe, loaded into the server only with `bench/journey.py --probe`.

Python imports `sitecustomize` at start-up from the path; `bench/journey.py --probe` puts this folder
first on the server's PYTHONPATH and names a file in JOURNEY_PROBE. Without that variable nothing is
patched. With it, the SQLite submission writer and the event loop are timed and one JSON line per
event is appended to the file (times from `time.time()`, durations in ms), flushed by a thread:

- `batch`: one transaction of the writer thread: what it held, the wait for the write-lock file and
  for `BEGIN IMMEDIATE`, the statements, `COMMIT` (with its fsync), and the hop to and from the thread;
- `item`: one queued write (a submission, a draft start or save): queued until its batch began, the
  batch, and from the batch's end until the waiting request ran again;
- `lag`: how late a 5 ms sleep on the event loop woke (a stall of the loop shows as a late wake);
- `stall`: where the event loop's thread was when the loop had not woken for 20 ms (function names
  and lines, sampled by a watchdog thread every 5 ms; the same stall is reported once);
- `read`: each plain SQLite draft read on the event loop: wall and thread CPU milliseconds;
- `gc`: each garbage collection of the server process: generation and milliseconds.

Measurement only: no answer, key or any other request content is recorded.

Experiments, each off unless its variable is set (for A/B runs in one window; none is product code):
JOURNEY_PROBE_PIPELINE=1 (two writer tasks on SQLite, the next batch handed to the writer thread
without waiting for the event loop), JOURNEY_PROBE_CHECKPOINT_THREAD=1 (WAL checkpoints by a thread
of their own instead of inside a commit), JOURNEY_PROBE_SWITCH_MS=N (the GIL switch interval) and
JOURNEY_PROBE_REFREEZE=S (gc.freeze() again S seconds after start).
"""

from __future__ import annotations

import os
import sys

# Why only `voice-service serve`: the variable reaches every process the server starts (the
# database upgrade before it, the sentiment scorer's child), whose collections are not the server's.
if os.environ.get("JOURNEY_PROBE") and sys.argv[1:2] == ["serve"]:
    import asyncio
    import gc
    import json
    import threading
    import time
    from collections import Counter
    from typing import Any

    _PATH = os.environ["JOURNEY_PROBE"]
    _events: list[str] = []
    _lock = threading.Lock()

    def _emit(*fields: Any) -> None:
        line = json.dumps(fields)
        with _lock:
            _events.append(line)

    def _flush_forever() -> None:
        while True:
            time.sleep(0.25)
            with _lock:
                lines, _events[:] = list(_events), []
            if lines:
                with open(_PATH, "a") as out:
                    out.write("\n".join(lines) + "\n")

    threading.Thread(target=_flush_forever, name="journey-probe", daemon=True).start()

    from voice_service.surveys import sqlite_batches, submissions

    class _TimedConnection:
        """A sqlite3 connection whose BEGIN and COMMIT are timed (everything else passes through)."""

        def __init__(self, conn: Any) -> None:
            self._conn = conn
            self.begin_ms = self.commit_ms = 0.0

        def execute(self, sql: str, *args: Any) -> Any:
            started = time.perf_counter()
            try:
                return self._conn.execute(sql, *args)
            finally:
                took = 1000 * (time.perf_counter() - started)
                if sql == "BEGIN IMMEDIATE":
                    self.begin_ms = took
                elif sql == "COMMIT":
                    self.commit_ms = took

        def __getattr__(self, name: str) -> Any:
            return getattr(self._conn, name)

    _original_transaction = sqlite_batches.SqliteBatchWriter._transaction
    _original_flock = sqlite_batches.fcntl.flock
    _thread_spans: dict[int, tuple[float, float, float, float, float]] = {}

    _checkpointing = os.environ.get("JOURNEY_PROBE_CHECKPOINT_THREAD") == "1"
    _checkpoint_started: list[str] = []

    def _checkpoint_forever(database: str) -> None:
        import sqlite3

        conn = sqlite3.connect(database, isolation_level=None)
        conn.execute("PRAGMA busy_timeout=10000")
        while True:
            time.sleep(0.2)
            started = time.perf_counter()
            _busy, logged, moved = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            _emit("checkpoint", time.time(), round(1000 * (time.perf_counter() - started), 3), logged, moved)

    def _transaction(self: Any, conn: Any, batch: Any) -> Any:
        if _checkpointing and not _checkpoint_started:
            # An experiment: the writer's commits no longer copy the WAL into the database file
            # (every 1,000 pages); a thread of its own does it every 0.2 s (PASSIVE: never blocks writers).
            conn.execute("PRAGMA wal_autocheckpoint=0")
            _checkpoint_started.append(str(self.database))
            threading.Thread(
                target=_checkpoint_forever, args=(str(self.database),), name="journey-probe checkpoint", daemon=True
            ).start()
        timed = _TimedConnection(conn)
        started = time.perf_counter()
        try:
            return _original_transaction(self, timed, batch)
        finally:
            total = 1000 * (time.perf_counter() - started)
            _thread_spans[id(batch)] = (started, total, timed.begin_ms, timed.commit_ms, 0.0)

    sqlite_batches.SqliteBatchWriter._transaction = _transaction  # type: ignore[method-assign]

    _original_write = sqlite_batches.SqliteBatchWriter.write
    _pipelined = os.environ.get("JOURNEY_PROBE_PIPELINE") == "1"

    async def _pipelined_write(self: Any, batch: Any) -> Any:
        """An experiment: hand the batch to the writer thread, then let the next batch be gathered at once.

        The thread is the only one that writes and takes batches in order, so a second batch
        queued behind this one commits right after it, without waiting for the event loop.
        """
        pending = asyncio.get_running_loop().run_in_executor(self._executor, self._write, batch)
        release = submissions._STATEMENTS_DONE.get(None)
        if release is not None:
            release()
        return await pending

    async def _write(self: Any, batch: Any) -> Any:
        called = time.perf_counter()
        try:
            return await (_pipelined_write if _pipelined else _original_write)(self, batch)
        finally:
            back = time.perf_counter()
            started, total, begin, commit, _ = _thread_spans.pop(id(batch), (called, 0.0, 0.0, 0.0, 0.0))
            _emit(
                "batch",
                time.time(),
                len(batch.responses),
                len(batch.draft_starts),
                len(batch.draft_saves),
                len(batch.drafts),
                round(1000 * (started - called), 3),  # the hop to the thread and the write-lock file
                round(begin, 3),
                round(total - begin - commit, 3),  # the statements
                round(commit, 3),
                round(1000 * (back - started) - total, 3),  # the hop back to the event loop
            )

    sqlite_batches.SqliteBatchWriter.write = _write  # type: ignore[method-assign]

    _queued_at: dict[int, float] = {}
    _batch_span: dict[int, tuple[float, float]] = {}
    _original_commit_batch = submissions.SubmissionWriter._commit_batch
    _original_queued = submissions.SubmissionWriter._queued
    _lag_started = False

    async def _commit_batch(self: Any, batch: list[Any]) -> None:
        started = time.perf_counter()
        try:
            await _original_commit_batch(self, batch)
        finally:
            ended = time.perf_counter()
            for item, _future in batch:
                _batch_span[id(item)] = (started, ended)

    _beat = [time.perf_counter(), 0]

    async def _watch_loop() -> None:
        loop_thread = threading.get_ident()
        threading.Thread(target=_watchdog, args=(loop_thread,), name="journey-probe watchdog", daemon=True).start()
        while True:
            before = time.perf_counter()
            _beat[0] = before
            await asyncio.sleep(0.005)
            _beat[1] += 1
            late = 1000 * (time.perf_counter() - before) - 5
            _emit("lag", time.time(), round(late, 3))

    def _watchdog(loop_thread: int) -> None:
        reported = -1
        while True:
            time.sleep(0.005)
            beat, count = _beat
            if count != reported and time.perf_counter() - beat > 0.025:
                reported = count
                frame = sys._current_frames().get(loop_thread)
                where = []
                while frame is not None and len(where) < 12:
                    code = frame.f_code
                    where.append(f"{code.co_name} ({code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno})")
                    frame = frame.f_back
                _emit("stall", time.time(), where)

    _gc_started = [0.0]

    def _gc_timer(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            _gc_started[0] = time.perf_counter()
        else:
            took = round(1000 * (time.perf_counter() - _gc_started[0]), 3)
            # How many objects a full collection walks (counted after it, outside its time).
            walked = None
            if info.get("generation") == 2:
                objects = gc.get_objects(2)
                walked = len(objects)
                # What they are, by type and defining module (names only, never values).
                kinds = Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in objects)
                _emit("gc_types", time.time(), kinds.most_common(25))
                del objects
            _emit("gc", time.time(), info.get("generation"), took, walked)

    gc.callbacks.append(_gc_timer)

    if switch := float(os.environ.get("JOURNEY_PROBE_SWITCH_MS", "0")):
        # An experiment: how long a thread waiting for the GIL waits before asking for it (5 ms by default).
        sys.setswitchinterval(switch / 1000)

    if refreeze := float(os.environ.get("JOURNEY_PROBE_REFREEZE", "0")):
        # An experiment: freeze what the first requests created too, `refreeze` seconds after start.
        def _refreeze() -> None:
            time.sleep(refreeze)
            gc.collect()
            gc.freeze()
            _emit("refreeze", time.time(), gc.get_freeze_count())

        threading.Thread(target=_refreeze, name="journey-probe refreeze", daemon=True).start()

    async def _queued(self: Any, item: Any) -> Any:
        global _lag_started
        if not _lag_started:
            _lag_started = True
            asyncio.get_running_loop().create_task(_watch_loop(), name="journey-probe lag")
        queued = time.perf_counter()
        try:
            return await _original_queued(self, item)
        finally:
            resumed = time.perf_counter()
            started, ended = _batch_span.pop(id(item), (queued, resumed))
            _emit(
                "item",
                time.time(),
                type(item).__name__,
                round(1000 * (started - queued), 3),
                round(1000 * (ended - started), 3),
                round(1000 * (resumed - ended), 3),
            )

    submissions.SubmissionWriter._commit_batch = _commit_batch  # type: ignore[method-assign]
    if _pipelined:
        _original_start = submissions.SubmissionWriter.start

        async def _start(self: Any) -> None:
            await _original_start(self)
            if self._sqlite is not None and len(self._tasks) == 1:
                self._tasks.append(asyncio.create_task(self._run(), name="submission-writer-1"))

        submissions.SubmissionWriter.start = _start  # type: ignore[method-assign]

    from voice_service.surveys import draft_reads

    _original_read = draft_reads.DraftReader._read

    def _read(self: Any, *args: Any) -> Any:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            return _original_read(self, *args)
        finally:
            _emit(
                "read",
                time.time(),
                round(1000 * (time.perf_counter() - wall), 3),
                round(1000 * (time.thread_time() - cpu), 3),
            )

    draft_reads.DraftReader._read = _read  # type: ignore[method-assign]
    submissions.SubmissionWriter._queued = _queued  # type: ignore[method-assign]
