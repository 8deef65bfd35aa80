"""Due work of safeguarding: alert emails every minute (and at once after an alert is stored)."""

from __future__ import annotations

from datetime import timedelta

from voice_service.core.jobs import Handler, Recurring
from voice_service.safeguarding.notify import NOTIFY, notify_alerts

#: Why every minute: the issue asks for the email within a minute; the writer also wakes it at once.
NOTIFY_JOB = Recurring(NOTIFY, every=timedelta(minutes=1))

JOB_HANDLERS: dict[str, Handler] = {NOTIFY: notify_alerts}
RECURRING_JOBS = (NOTIFY_JOB,)
