"""Tell the safeguarding address about each new alert: only that there is one, and a link to it.

The work list is the alert table itself (`notified_at IS NULL`), so an alert committed with its
response is emailed even if the process dies straight after: at least once, never lost.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.jobs import JobContext, JobRunner
from voice_service.core.tables import JOBS
from voice_service.safeguarding.tables import ALERTS

log = logging.getLogger(__name__)

NOTIFY = "safeguarding.notify"
SUBJECT = "New safeguarding alert"
#: Emails per run, so one run stays short; the rest go on the next run a minute later.
BATCH = 200


class NoSafeguardingAddress(RuntimeError):
    """Alerts are waiting and SAFEGUARDING_EMAIL is not set."""


def alert_email(base_url: str, alert_id: object) -> tuple[str, str]:
    """The plain-text and HTML body: that there is an alert, and where to read it; never the child's words."""
    link = f"{base_url}/staff/safeguarding/alerts/{alert_id}"
    text = (
        "A young person's answer to one of our surveys may tell of harm.\n\n"
        f"Read the alert and act on it here (you will be asked to sign in):\n{link}\n\n"
        "This email does not contain the answer. Opening the alert is recorded in the audit log.\n"
    )
    html = (
        "<p>A young person's answer to one of our surveys may tell of harm.</p>"
        f'<p><a href="{link}">Read the alert and act on it</a> (you will be asked to sign in).</p>'
        "<p>This email does not contain the answer. Opening the alert is recorded in the audit log.</p>"
    )
    return text, html


async def notify_alerts(ctx: JobContext, _payload: dict[str, object]) -> None:
    """Email the safeguarding address once per alert not yet notified (the recurring job's handler)."""
    async with ctx.engine.connect() as conn:
        waiting = list(
            await conn.scalars(
                ALERTS.select()
                .with_only_columns(ALERTS.c.id)
                .where(ALERTS.c.notified_at.is_(None))
                .order_by(ALERTS.c.created_on)
                .limit(BATCH)
            )
        )
    if not waiting:
        return
    to = ctx.settings.safeguarding_email
    if not to:
        # Why fail loudly: the job's last_error and the log show that alerts are not reaching anyone.
        raise NoSafeguardingAddress("set SAFEGUARDING_EMAIL so safeguarding alerts reach someone")
    for alert_id in waiting:
        text, html = alert_email(ctx.settings.base_url, alert_id)
        await ctx.mailer.send(to, SUBJECT, text, html)
        async with ctx.engine.begin() as conn:
            await conn.execute(update(ALERTS).where(ALERTS.c.id == alert_id).values(notified_at=ctx.now))
        log.info("safeguarding alert %s emailed", alert_id)


async def bring_notify_forward(engine: AsyncEngine, unique_key: str, now: datetime) -> None:
    """Make the recurring notify job due now (unless a runner holds it)."""
    async with engine.begin() as conn:
        await conn.execute(
            update(JOBS)
            .where(JOBS.c.unique_key == unique_key, JOBS.c.claimed_by.is_(None), JOBS.c.done_at.is_(None))
            .values(due_at=now)
        )


class NotifySoon:
    """Called by the writer after alerts commit: run the notify job now instead of within the minute."""

    def __init__(self, engine: AsyncEngine, unique_key: str, runner: JobRunner | None) -> None:
        self.engine = engine
        self.unique_key = unique_key
        #: The in-process runner, if this process runs due work; otherwise the next `jobs run-due` sends.
        self.runner = runner
        self._tasks: set[asyncio.Task[None]] = set()

    def __call__(self, _count: int) -> None:
        """Start the work in the background (the writer must not wait for email)."""
        task = asyncio.get_running_loop().create_task(self._run(), name="safeguarding notify soon")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self) -> None:
        now = datetime.now(UTC)
        try:
            await bring_notify_forward(self.engine, self.unique_key, now)
            if self.runner is not None:
                await self.runner.run_due(now, kinds={NOTIFY})
        except Exception as exc:
            # The recurring job still runs within the minute; say why this attempt did not.
            log.warning("emailing a new safeguarding alert at once failed with %s", type(exc).__name__)

    async def drain(self) -> None:
        """Wait for notifications in flight (at shutdown and in tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)
