"""Due work of safeguarding: alert emails every minute (and at once after an alert is stored), retention hourly."""

from __future__ import annotations

from datetime import timedelta

from voice_service.core.jobs import Handler, Recurring
from voice_service.safeguarding.notify import NOTIFY, notify_alerts
from voice_service.safeguarding.retention import RETENTION, run_retention

#: Why every minute: the issue asks for the email within a minute; the writer also wakes it at once.
NOTIFY_JOB = Recurring(NOTIFY, every=timedelta(minutes=1))
#: Why hourly: a submission key is dropped within an hour of its retry window ending.
RETENTION_JOB = Recurring(RETENTION, every=timedelta(hours=1))

JOB_HANDLERS: dict[str, Handler] = {NOTIFY: notify_alerts, RETENTION: run_retention}
RECURRING_JOBS = (NOTIFY_JOB, RETENTION_JOB)
