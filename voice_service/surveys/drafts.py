"""Answers in progress, kept server-side between pages and deleted on submission.

The pages start and save drafts through the submission writer, so a page's draft is committed
in the same transaction as other pages' drafts and submissions (group commit), and the page is
answered only once that transaction has committed. Given an engine instead (command-line tools,
tests), a draft is written in a transaction of its own.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import urlsafe_b64encode
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.surveys.pending import DraftSave, DraftStart
from voice_service.surveys.tables import DRAFTS


class DraftWriter(Protocol):
    """What commits drafts in batches: the running service's submission writer."""

    async def write_draft(self, write: DraftStart | DraftSave) -> None:
        """Queue a draft's start or save and return once it is committed."""


@dataclass
class DraftState:
    """A draft as the pages use it."""

    id: str
    survey_version_id: int
    answers: dict[str, Any] = field(default_factory=dict)
    visited: list[int] = field(default_factory=list)
    submission_key: str = ""


def draft_submission_key(draft_id: str, bound_to: str = "") -> str:
    """A draft's submission key: a hash of its id, so a repeated "Send" can prove it holds the draft.

    The key is shown in the page; the id stays in an HttpOnly cookie and cannot be worked back from it.
    `bound_to` (an invitation's key) ties a delegate's draft to the link it was begun from.
    """
    bound = b"\0" + bound_to.encode() if bound_to else b""
    digest = hashlib.sha256(b"voice_service submission key\0" + draft_id.encode() + bound).digest()
    return urlsafe_b64encode(digest).decode().rstrip("=")


async def start_draft(store: DraftWriter | AsyncEngine, survey_version_id: int, bound_to: str = "") -> DraftState:
    """Begin answering a survey: a random draft id and a submission key for this attempt, committed."""
    draft_id = secrets.token_urlsafe(32)
    draft = DraftState(draft_id, survey_version_id, submission_key=draft_submission_key(draft_id, bound_to))
    if not isinstance(store, AsyncEngine):
        await store.write_draft(DraftStart(draft.id, survey_version_id, draft.submission_key))
        return draft
    async with store.begin() as conn:
        await conn.execute(
            DRAFTS.insert().values(
                id=draft.id,
                survey_version_id=survey_version_id,
                answers={},
                visited=[],
                submission_key=draft.submission_key,
                updated_at=datetime.now(UTC),
            )
        )
    return draft


async def load_draft(engine: AsyncEngine, draft_id: str | None, max_age: timedelta) -> DraftState | None:
    """A draft that exists and has been touched within `max_age`."""
    if not draft_id or len(draft_id) > 64:
        return None
    async with engine.connect() as conn:
        row = (
            await conn.execute(
                select(DRAFTS).where(DRAFTS.c.id == draft_id, DRAFTS.c.updated_at > datetime.now(UTC) - max_age)
            )
        ).first()
    if row is None:
        return None
    return DraftState(row.id, row.survey_version_id, dict(row.answers), list(row.visited), row.submission_key)


async def save_draft(store: DraftWriter | AsyncEngine, draft: DraftState) -> None:
    """Store the draft's answers and visited pages; returns once they are committed."""
    if not isinstance(store, AsyncEngine):
        await store.write_draft(DraftSave(draft.id, dict(draft.answers), tuple(draft.visited)))
        return
    async with store.begin() as conn:
        await conn.execute(
            update(DRAFTS)
            .where(DRAFTS.c.id == draft.id)
            .values(answers=draft.answers, visited=sorted(set(draft.visited)), updated_at=datetime.now(UTC))
        )


async def purge_stale_drafts(engine: AsyncEngine, max_age: timedelta, now: datetime | None = None) -> int:
    """Delete drafts left unfinished for longer than `max_age` at `now`; returns how many."""
    now = now or datetime.now(UTC)
    async with engine.begin() as conn:
        result = await conn.execute(delete(DRAFTS).where(DRAFTS.c.updated_at <= now - max_age))
    return int(result.rowcount or 0)
