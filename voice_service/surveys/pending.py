"""A submission on its way to the database: who answered, and the one definition of a response row."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from forms import Survey


@dataclass(frozen=True)
class Respondent:
    """Who answered: nobody known, or a delegate through one of their invitations."""

    kind: str = "anonymous"
    invitation_id: uuid.UUID | None = None
    #: The delegate's pseudonymous key: shared by their evaluation and follow-up, it outlives their name and email.
    pseudonym: str | None = None
    #: The response this one follows up (a delegate's evaluation, for their 6-month follow-up).
    follows: uuid.UUID | None = None


ANONYMOUS = Respondent()


def delegate(invitation_id: uuid.UUID, pseudonym: str, follows: uuid.UUID | None = None) -> Respondent:
    """A delegate answering through their invitation."""
    return Respondent("delegate", invitation_id, pseudonym, follows)


@dataclass(frozen=True)
class PendingSubmission:
    """A validated response waiting for the writer."""

    survey: Survey
    version_id: int
    answers: Mapping[str, Any]
    submission_key: str
    respondent: Respondent = ANONYMOUS
    #: The server-side draft to delete in the same transaction (HTML journeys).
    draft_id: str | None = None
    #: What the response's extras found in the answers (safeguarding alerts to store with it).
    extras: tuple[Any, ...] = ()

    @property
    def anonymous(self) -> bool:
        """Whether nobody known answered: its time is stored coarsely and its id is random."""
        return self.respondent.kind == "anonymous"


#: The response table's columns in the order both write paths bind them.
RESPONSE_COLUMNS = (
    "id",
    "survey_version_id",
    "survey_slug",
    "submission_key",
    "submitted_at",
    "respondent",
    "invitation_id",
    "respondent_key",
    "linked_response_id",
)


def stored_time(pending: PendingSubmission, now: datetime) -> datetime:
    """When a response is said to be submitted: to the hour for an anonymous one.

    Why: a precise time, with age band and area, could be matched against network logs.
    """
    return now.replace(minute=0, second=0, microsecond=0) if pending.anonymous else now


def response_values(rid: uuid.UUID, pending: PendingSubmission, now: datetime) -> tuple[Any, ...]:
    """One response row, in RESPONSE_COLUMNS order: the single definition both write paths store."""
    who = pending.respondent
    return (
        rid,
        pending.version_id,
        pending.survey.slug,
        pending.submission_key,
        stored_time(pending, now),
        who.kind,
        who.invitation_id,
        who.pseudonym,
        who.follows,
    )


@dataclass(frozen=True)
class DraftStart:
    """A new draft for the writer: its random id, the version it answers and its submission key."""

    id: str
    survey_version_id: int
    submission_key: str


@dataclass(frozen=True)
class DraftSave:
    """A draft's answers and visited pages, replacing what is stored (the last save queued wins)."""

    id: str
    answers: Mapping[str, Any]
    visited: tuple[int, ...]


#: What the writer commits: a response, or a page's draft.
Write = PendingSubmission | DraftStart | DraftSave


@dataclass(frozen=True)
class WriteBatch:
    """One transaction's work, gathered by the writer from its queue."""

    #: New responses by submission key (the first submission queued under each key).
    fresh: dict[str, tuple[uuid.UUID, PendingSubmission]]
    starts: list[DraftStart]
    #: At most one save per draft: the last one queued.
    saves: list[DraftSave]
    #: Drafts finished by a submission in this batch, deleted after the saves.
    finished: list[str]
    now: datetime

    @staticmethod
    def gather(items: list[Write], fresh: dict[str, tuple[uuid.UUID, PendingSubmission]], now: datetime) -> WriteBatch:
        """The batch for a list of queued writes (in queue order) and the new responses among them."""
        starts = [item for item in items if isinstance(item, DraftStart)]
        last = {item.id: item for item in items if isinstance(item, DraftSave)}
        finished = [item.draft_id for item in items if isinstance(item, PendingSubmission) and item.draft_id]
        return WriteBatch(fresh, starts, list(last.values()), finished, now)
