"""Sentiment of every free-text answer, scored once by due work after it is stored (never on the request path)."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.sentiment import Sentiment, sentiments
from voice_service.core.child_processes import refuse_imports
from voice_service.core.db.upsert import insert_ignoring_conflicts
from voice_service.surveys.free_text import unread_free_text
from voice_service.voice.tables import SENTIMENTS

BATCH = 500
KEY = ["response_id", "question_id", "row_key", "position"]

#: Packages NLTK imports when they are there, for classifiers and statistics the lexicon never uses.
OPTIONAL_SCIENCE = ("scipy", "sklearn")
#: How much lower than the web worker the scoring child runs (Linux nice levels; 19 is the lowest).
BACKGROUND_NICENESS = 10

_scorer: ProcessPoolExecutor | None = None
_scorer_lock = threading.Lock()


def _leave_out_optional_science() -> None:
    """In the scoring child, before TextBlob loads NLTK: SciPy and scikit-learn cannot be imported.

    Why: NLTK imports both when they are installed (scikit-learn is, for the screening model), which
    made the child's peak 217 MiB; NLTK treats them as optional and the pattern lexicon uses neither,
    so the child peaks at 98 MiB and scores the same.
    """
    refuse_imports(OPTIONAL_SCIENCE)


def _exit_with_parent(parent: int) -> None:
    """In the scoring child: end the child once the service process that started it has gone."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _start_scoring_child(parent: int) -> None:
    """The scoring child's initializer: run below the worker, leave out optional science, do not outlive the parent.

    Why the watch: a service process killed outright (SIGKILL, the OOM killer) never shuts its pool
    down, and the child, waiting on its queue, would stay behind holding about 100 MiB.
    Why a lower priority: scores are due work that can wait seconds, and the child's start (0.8 s of
    CPU importing TextBlob) and each batch ran at the worker's priority, taking a core from the
    pages on a busy two-core machine; below it, the child uses only what the pages leave.
    """
    os.nice(BACKGROUND_NICENESS)
    _leave_out_optional_science()
    threading.Thread(target=_exit_with_parent, args=(parent,), name="exit-with-parent", daemon=True).start()


def _scoring_process() -> ProcessPoolExecutor:
    """One child process per service process that scores texts, started on first use.

    Why a process: TextBlob brings NLTK (about 40 MiB and a second of CPU to import, more with
    SciPy) into whatever imports it, and scoring holds the interpreter lock; in a child, neither
    the web worker's memory nor its requests pay for it.
    """
    global _scorer
    with _scorer_lock:
        if _scorer is None:
            _scorer = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_scoring_child,
                initargs=(os.getpid(),),
            )
        return _scorer


def _forget_broken(pool: ProcessPoolExecutor) -> None:
    global _scorer
    with _scorer_lock:
        if _scorer is pool:
            _scorer = None


async def score_texts(texts: list[str]) -> list[Sentiment]:
    """Score texts in the scoring process; if it died, the next call starts a new one (the job retries)."""
    pool = _scoring_process()
    try:
        return await asyncio.get_running_loop().run_in_executor(pool, sentiments, texts)
    except BrokenProcessPool:
        _forget_broken(pool)
        raise


async def score_batch(engine: AsyncEngine, now: datetime, limit: int = BATCH, since: datetime | None = None) -> int:
    """Score up to `limit` typed answers (of responses stamped from `since` on) with no sentiment yet; how many."""
    answers = await unread_free_text(engine, SENTIMENTS, limit, since)
    if not answers:
        return 0
    scores = await score_texts([answer.text for answer in answers])
    rows = []
    for answer, scored in zip(answers, scores, strict=True):
        rows.append(
            {
                "response_id": answer.response_id,
                "question_id": answer.question_id,
                "row_key": answer.row_key,
                "position": answer.position,
                "survey_slug": answer.survey_slug,
                "polarity": scored.polarity,
                "subjectivity": scored.subjectivity,
                "scored_at": now,
            }
        )
    async with engine.begin() as conn:
        # Why ignore conflicts: two runners may score the same answer at once; the scores are equal.
        await conn.execute(insert_ignoring_conflicts(SENTIMENTS, conn.dialect.name, KEY), rows)
    return len(rows)


async def score_until_done(engine: AsyncEngine, now: datetime, batches: int, since: datetime | None = None) -> bool:
    """Score batches until none is left or `batches` have run; True when none is left."""
    for _ in range(batches):
        if await score_batch(engine, now, since=since) < BATCH:
            return True
    return False


async def score_pending(engine: AsyncEngine, now: datetime, batches: int = 20, since: datetime | None = None) -> int:
    """Score batches until none is left (at most `batches`); how many answers have a sentiment in all."""
    await score_until_done(engine, now, batches, since)
    return await count_scored(engine)


async def count_scored(engine: AsyncEngine) -> int:
    """How many answers have a sentiment."""
    async with engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(SENTIMENTS)) or 0)


async def rescore_all(engine: AsyncEngine, now: datetime) -> int:
    """Forget every score and score every answer again (after an upgrade of the lexicon); how many were scored."""
    async with engine.begin() as conn:
        await conn.execute(delete(SENTIMENTS))
    while await score_batch(engine, now) == BATCH:
        pass
    return await count_scored(engine)
