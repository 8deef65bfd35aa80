"""The write path: validate a response, commit it durably, then acknowledge it.

Submissions are handed to one writer task that commits whatever has queued up in a single
transaction (group commit). Nothing is acknowledged before its transaction has committed, so a
crash loses only unacknowledged work, and a retried submission key is stored at most once.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import re
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import uuid_utils
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from forms import Survey, validate_answers
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.extras import ResponseExtras
from voice_service.surveys.gate import needs_link
from voice_service.surveys.pending import (
    ANONYMOUS,
    DraftSave,
    DraftStart,
    PendingSubmission,
    Respondent,
    Write,
    WriteBatch,
    delegate,
)
from voice_service.surveys.portable_batches import write_portable
from voice_service.surveys.postgres_batches import PostgresBatchWriter, is_postgres
from voice_service.surveys.sqlite_batches import SqliteBatchWriter, row_batch, sqlite_file
from voice_service.surveys.sqlite_group_commit import GroupCommitThread
from voice_service.surveys.tables import KEY_HOLDERS, RESPONSES

log = logging.getLogger(__name__)

__all__ = ["ANONYMOUS", "Acknowledgement", "PendingSubmission", "Respondent", "delegate", "submit_response"]

SUBMISSION_KEY = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


class InvalidAnswers(ValueError):
    """The answers do not fit the survey; `errors` maps question ids to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("invalid answers")
        self.errors = errors


class KeyUsedElsewhere(ValueError):
    """The submission key was already used for a different survey."""


@dataclass(frozen=True)
class Acknowledgement:
    """What a person is told once their response is safely stored."""

    id: uuid.UUID
    survey: str
    version: str
    #: True when this key had already been stored: the first acknowledgement is returned again.
    replayed: bool = False
    #: True when an answer may disclose harm (the person is shown where to get help first).
    flagged: bool = False


class SurveyClosed(ValueError):
    """The survey no longer takes answers (decided by its current definition)."""


class RespondentNotAllowed(ValueError):
    """The respondent does not fit the survey (a named respondent on an anonymous survey)."""


class LinkRequired(RespondentNotAllowed):
    """A course evaluation or follow-up answered without a delegate's link."""


def new_submission_key() -> str:
    """A random key for one submission attempt."""
    return secrets.token_urlsafe(24)


def check_submission_key(key: str) -> str | None:
    """An error message when a client's submission key is unusable."""
    if not SUBMISSION_KEY.match(key):
        return "submission_key must be 8 to 128 characters: letters, digits, '.', '_', ':' or '-'"
    return None


async def submit_response(
    writer: SubmissionWriter,
    catalog: SurveyCatalog,
    survey: Survey,
    submitted: Mapping[str, Any],
    submission_key: str,
    *,
    respondent: Respondent = ANONYMOUS,
    version_id: int | None = None,
    draft_id: str | None = None,
) -> Acknowledgement:
    """Validate answers against `survey` (the version answered), store them durably and acknowledge.

    Refuses a survey whose current definition is closed, even when the answers were started on an
    older, open version; and a named respondent on an anonymous survey.
    """
    current = catalog.current(survey.slug)
    if current is None or not current.open:
        raise SurveyClosed(survey.slug)
    if respondent.kind != "anonymous" and survey.anonymous:
        # Why: nothing that could identify a person may be stored with an anonymous response.
        raise RespondentNotAllowed("an anonymous survey takes anonymous responses only")
    if respondent.kind == "anonymous" and needs_link(survey):
        raise LinkRequired("this survey is answered only through a delegate's personal or session link")
    result = validate_answers(survey, submitted)
    if not result.ok:
        raise InvalidAnswers(result.errors)
    vid = catalog.version_id(survey) if version_id is None else version_id
    extras = await writer.extras.screen(survey, result.answers) if writer.extras is not None else ()
    pending = PendingSubmission(survey, vid, result.answers, submission_key, respondent, draft_id, extras)
    return await writer.submit(pending)


#: What a queued write is answered with once its transaction has committed.
Result = Acknowledgement | Exception | None

#: Batches in flight at once on PostgreSQL. Why more than one: a batch's COMMIT waits for the WAL
#: flush, and the next batch's statements can run meanwhile; SQLite has one writer, so one there.
POSTGRES_WORKERS = 3

#: Called by the PostgreSQL path once the batch is sure to apply after every earlier one (a batch
#: touching a draft or key of one still in flight waits for it first): the next batch is gathered only
#: then, so a later draft save, or a retried key, applies after the earlier transaction.
_STATEMENTS_DONE: contextvars.ContextVar[Callable[[], None]] = contextvars.ContextVar("statements_done")


class _Once:
    """A callback that runs at most once."""

    def __init__(self, callback: Callable[[], None]) -> None:
        self._callback: Callable[[], None] | None = callback

    def __call__(self) -> None:
        if self._callback is not None:
            callback, self._callback = self._callback, None
            callback()


class SubmissionWriter:
    """Commits queued submissions and page drafts in batches, one transaction per batch (group commit)."""

    def __init__(self, engine: AsyncEngine, batch_size: int = 256, extras: ResponseExtras | None = None) -> None:
        self.engine = engine
        self.batch_size = batch_size
        #: Rows another domain stores with a response (safeguarding alerts), from the composition root.
        self.extras = extras
        self._queue: asyncio.Queue[tuple[Write, asyncio.Future[Any]] | None] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._sqlite: SqliteBatchWriter | None = None
        self._postgres: PostgresBatchWriter | None = None
        #: SQLite's writer: batches gathered and committed on its own thread (sqlite_group_commit).
        self._group: GroupCommitThread | None = None
        #: Held by the worker gathering a batch until its statements have run (not until it commits).
        self._order = asyncio.Lock()

    async def start(self) -> None:
        """Start the writer: SQLite's own thread; several workers on PostgreSQL (commits overlap); one otherwise."""
        if not self._tasks and self._group is None:
            if (database := sqlite_file(self.engine)) is not None:
                self._sqlite = sqlite = SqliteBatchWriter(database, self.extras)
                self._group = GroupCommitThread(self._commit_sqlite, self._answers, self.batch_size, sqlite.close_here)
                return
            if is_postgres(self.engine):
                self._postgres = PostgresBatchWriter(self.engine, self.extras)
            workers = POSTGRES_WORKERS if self._postgres is not None else 1
            self._tasks = [asyncio.create_task(self._run(), name=f"submission-writer-{i}") for i in range(workers)]

    async def stop(self) -> None:
        """Commit what is queued, then stop."""
        if self._group is not None:
            await self._group.stop()
            self._group = None
        if self._tasks:
            for _ in self._tasks:
                await self._queue.put(None)
            await asyncio.gather(*self._tasks)
            self._tasks = []
        if self._sqlite is not None:
            await self._sqlite.close()
            self._sqlite = None
        if self._postgres is not None:
            await self._postgres.close()
            self._postgres = None

    async def submit(self, pending: PendingSubmission) -> Acknowledgement:
        """Queue one submission and wait until it is committed."""
        result: Acknowledgement = await self._queued(pending)
        return result

    async def write_draft(self, write: DraftStart | DraftSave) -> None:
        """Queue a draft's start or save and wait until it is committed."""
        await self._queued(write)

    async def _queued(self, item: Write) -> Any:
        if self._group is not None:
            return await self._group.submit(item)
        if not self._tasks:
            raise RuntimeError("the submission writer is not running")
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((item, future))
        return await future

    async def _run(self) -> None:
        """One of the writer's workers: gathers a batch, runs its statements, releases the order, commits."""
        stopping = False
        while not stopping:
            release = _Once(self._order.release)
            await self._order.acquire()
            try:
                item = await self._queue.get()
                batch = []
                if item is None:
                    stopping = True  # each worker takes one stop marker, and nothing after it
                else:
                    batch.append(item)
                # Why: everything that arrived while the last transaction was committing goes in this one.
                while not stopping and len(batch) < self.batch_size and not self._queue.empty():
                    more = self._queue.get_nowait()
                    if more is None:
                        stopping = True
                        break
                    batch.append(more)
                if batch:
                    _STATEMENTS_DONE.set(release)
                    await self._commit_batch(batch)
            finally:
                release()

    async def _commit_batch(self, batch: list[tuple[Write, asyncio.Future[Any]]]) -> None:
        try:
            results = await self._write([item for item, _ in batch])
        except Exception as exc:
            if len(batch) > 1:
                # Why: one bad submission must not fail the others that shared its transaction.
                for single in batch:
                    await self._commit_batch([single])
                return
            log.exception("could not store a %s (%s)", _kind(batch[0][0]), type(exc).__name__)
            _, future = batch[0]
            if not future.done():
                future.set_exception(exc)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    def _commit_sqlite(self, items: list[Write]) -> _Committed:
        """On SQLite's writer thread: store the writes in one transaction."""
        fresh, batch = _gathered(items)
        if self._sqlite is None:
            raise RuntimeError("the submission writer is not running")
        return fresh, self._sqlite.write_here(row_batch(batch, self.extras))

    async def _write(self, items: list[Write]) -> list[Result]:
        fresh, batch = _gathered(items)
        if self._postgres is not None:
            stored = await self._postgres.write(batch, _STATEMENTS_DONE.get(None))
        else:
            stored = await write_portable(self.engine, batch, self.extras)
        return self._answers(items, (fresh, stored))

    def _answers(self, items: list[Write], committed: _Committed) -> list[Result]:
        """On the event loop, once the writes are committed: what each caller is told."""
        fresh, stored = committed
        if self.extras is not None:
            extra = sum(1 for key, (_, p) in fresh.items() if p.extras and key not in stored)
            if extra:
                self.extras.committed(extra)
        return [_answer(item, fresh, stored) if isinstance(item, PendingSubmission) else None for item in items]


#: A committed batch: its new responses by key, and the keys it found stored before.
_Committed = tuple[dict[str, tuple[uuid.UUID, PendingSubmission]], dict[str, tuple[uuid.UUID, str, str]]]


def _gathered(items: list[Write]) -> tuple[dict[str, tuple[uuid.UUID, PendingSubmission]], WriteBatch]:
    """The new responses among queued writes (the first under each key, with a new id) and their batch."""
    fresh: dict[str, tuple[uuid.UUID, PendingSubmission]] = {}
    for item in items:
        if isinstance(item, PendingSubmission) and item.submission_key not in fresh:
            fresh[item.submission_key] = (new_response_id(item), item)
    return fresh, WriteBatch.gather(items, fresh, datetime.now(UTC))


def _kind(item: Write) -> str:
    return "submission" if isinstance(item, PendingSubmission) else "draft"


def _answer(
    pending: PendingSubmission,
    fresh: dict[str, tuple[uuid.UUID, PendingSubmission]],
    stored: dict[str, tuple[uuid.UUID, str, str]],
) -> Acknowledgement | Exception:
    """What one committed submission is told: stored now, a replay of its key, or the key's clash."""
    key = pending.submission_key
    flagged = bool(pending.extras)
    if key not in stored:
        rid, first = fresh[key]
        if first is pending:
            return Acknowledgement(rid, pending.survey.slug, pending.survey.version, flagged=flagged)
        stored[key] = (rid, first.survey.slug, first.survey.version)
    rid, slug, version = stored[key]
    if slug != pending.survey.slug:
        return KeyUsedElsewhere("this submission key was already used for another survey")
    return Acknowledgement(rid, slug, version, replayed=True, flagged=flagged)


def new_response_id(pending: PendingSubmission) -> uuid.UUID:
    """A random id for an anonymous response (its order must not show); time-ordered otherwise."""
    if pending.anonymous:
        return uuid.uuid4()
    return uuid.UUID(bytes=uuid_utils.uuid7().bytes)


async def _stored_keys(conn: AsyncConnection, keys: list[str]) -> dict[str, tuple[uuid.UUID, str, str]]:
    rows = await conn.execute(KEY_HOLDERS.where(RESPONSES.c.submission_key.in_(keys)))
    return {key: (rid, slug, version) for key, rid, slug, version in rows}


async def is_submitted(engine: AsyncEngine, submission_key: str, slug: str) -> bool:
    """Whether a response with this key is stored for this survey."""
    if not SUBMISSION_KEY.match(submission_key):
        return False
    async with engine.connect() as conn:
        stored = await _stored_keys(conn, [submission_key])
    return submission_key in stored and stored[submission_key][1] == slug


async def count_responses(engine: AsyncEngine) -> int:
    """How many responses are stored."""
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(RESPONSES)) or 0)
