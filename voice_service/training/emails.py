"""The training emails: who is asking, why, how long it takes, when the link stops working, who to contact.

Plain text first, with a simple HTML alternative carrying the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from forms import Survey

TEAM = "the partnership's training team"
#: Seconds a delegate takes per question, on average: the basis of "it takes about N minutes".
SECONDS_PER_QUESTION = 20


@dataclass(frozen=True)
class Email:
    """A message ready for the mailer."""

    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class InvitationDetails:
    """What an invitation email says, gathered by the send job."""

    kind: str
    reminder: bool
    name: str | None
    course: str
    session_date: date
    link: str
    expires_at: datetime
    minutes: int
    contact: str
    time_zone: str
    #: The partnership's name, as the pages show it (PARTNERSHIP_NAME).
    partnership: str


def minutes_to_answer(survey: Survey | None) -> int:
    """About how long a survey takes, in whole minutes (at least 2)."""
    if survey is None:
        return 5
    return max(2, round(len(survey.questions) * SECONDS_PER_QUESTION / 60))


def _day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B %Y}"


def _until(moment: datetime, zone: str) -> str:
    return _day(moment.astimezone(ZoneInfo(zone)).date())


def invitation_email(details: InvitationDetails) -> Email:
    """The evaluation or follow-up email, first or a reminder."""
    d = details
    when = _day(d.session_date)
    if d.kind == "evaluation":
        subject = f"How was {d.course}? Your evaluation ({when})"
        why = (
            f"Thank you for attending {d.course} on {when}. The {d.partnership} asks everyone who attends "
            "its multi-agency training what worked and what could be better, so the training keeps improving."
        )
        later = "In about six months we will ask you once more whether the training has changed your practice."
    else:
        subject = f"Six months on: has {d.course} changed your practice?"
        why = (
            f"About six months ago, on {when}, you attended {d.course}. The {d.partnership} wants to know "
            "whether its training makes a difference to practice and to the children and families you work with."
        )
        later = "This is the last survey about this course."
    if d.reminder:
        subject = f"Reminder: {subject}"
        why = "We have not had your answers yet, so here is your link again. " + why
    how = (
        f"It takes about {d.minutes} minutes. Use this link, which is yours alone: "
        "please do not forward it. Reports show totals and anonymised comments, never names."
    )
    expiry = (
        f"The link works until {_until(d.expires_at, d.time_zone)} and for one set of answers. If it has "
        f"stopped working, ask {TEAM} for a new one."
    )
    contact = f"Questions? Contact {TEAM} at {d.contact}." if d.contact else "Questions? Reply to this email."
    greeting = f"Dear {d.name}," if d.name else "Hello,"
    paragraphs = [greeting, why, how]
    after = [expiry, later, contact, f"{TEAM[0].upper()}{TEAM[1:]}\n{d.partnership}"]
    text = "\n\n".join([*paragraphs, d.link, *after]) + "\n"
    html = Markup("").join(Markup("<p>{}</p>\n").format(part) for part in paragraphs)
    html += Markup('<p><a href="{0}">{0}</a></p>\n').format(d.link)
    html += Markup("").join(Markup("<p>{}</p>\n").format(part) for part in after)
    page = Markup('<!doctype html>\n<html lang="en">\n<body>\n{}</body>\n</html>\n').format(html)
    return Email(subject, text, str(page))
