"""When training emails are due, when their links stop working, and when names are erased: pure functions."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from voice_service.core.settings import Settings


def local_send_time(day: date, settings: Settings) -> datetime:
    """The configured send time (16:00 Europe/London by default) on `day`, in UTC.

    Why local: "after the session, at four" means the same wall-clock time in winter and summer.
    """
    moment = datetime.combine(day, settings.training_send_time, tzinfo=ZoneInfo(settings.training_timezone))
    return moment.astimezone(UTC)


def evaluation_due(session_date: date, settings: Settings) -> datetime:
    """When a session's evaluation invitations go: the send time on the session's date."""
    return local_send_time(session_date, settings)


def follow_up_due(session_date: date, follow_up_days: int, settings: Settings) -> datetime:
    """When a session's follow-up invitations go: the send time, the course's delay after the session."""
    return local_send_time(session_date + timedelta(days=follow_up_days), settings)


def due_at(kind: str, session_date: date, follow_up_days: int, settings: Settings) -> datetime:
    """The due time of an invitation of `kind` (evaluation or follow_up)."""
    if kind == "evaluation":
        return evaluation_due(session_date, settings)
    return follow_up_due(session_date, follow_up_days, settings)


def link_lifetime(settings: Settings) -> timedelta:
    """How long an emailed link works after its email was sent."""
    return timedelta(days=settings.training_link_days)


def too_late_to_send(due: datetime, now: datetime, settings: Settings) -> bool:
    """Whether an invitation's link would already have expired: such invitations are never emailed.

    Why: importing last year's attendance lists must not email everyone a survey about it.
    """
    return due + link_lifetime(settings) <= now


def erasure_due(session_date: date, follow_up_days: int, settings: Settings) -> datetime:
    """When a session's delegates' names and emails are erased: follow-up window closed, plus retention."""
    closes = follow_up_due(session_date, follow_up_days, settings) + link_lifetime(settings)
    return closes + timedelta(days=settings.training_retention_days)


def session_link_open(session_date: date, now: datetime, settings: Settings) -> bool:
    """Whether a session's room link takes answers: from the day before the session until its links expire."""
    opens = datetime.combine(session_date - timedelta(days=1), time.min, tzinfo=ZoneInfo(settings.training_timezone))
    return opens <= now < evaluation_due(session_date, settings) + link_lifetime(settings)
