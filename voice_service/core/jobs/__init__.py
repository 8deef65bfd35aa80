"""Due work stored in the database: domains schedule jobs; the runner claims and runs them."""

from voice_service.core.jobs.loop import JobLoop
from voice_service.core.jobs.runner import Handler, JobContext, JobRunner, RunSummary
from voice_service.core.jobs.schedule import (
    BadJob,
    PayloadValue,
    Recurring,
    cancel_job,
    forget_carried_payload,
    schedule_job,
)

__all__ = [
    "BadJob",
    "Handler",
    "JobContext",
    "JobLoop",
    "JobRunner",
    "PayloadValue",
    "Recurring",
    "RunSummary",
    "cancel_job",
    "forget_carried_payload",
    "schedule_job",
]
