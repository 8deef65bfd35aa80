"""The set-password email: plain words, a plain-text part first and a simple HTML alternative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import Markup

#: As the pages name them (voice_service/core/web/templating.py).
PARTNERSHIP = "City of York Safeguarding Children Partnership"
SERVICE = "Have your say"


@dataclass(frozen=True)
class Email:
    """A message ready for the mailer."""

    subject: str
    text: str
    html: str


def _when(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%H:%M UTC on %-d %B %Y")


def link_email(*, name: str, link: str, new_account: bool, expires_at: datetime, asker: tuple[str, str]) -> Email:
    """Who is asking, why, the link, when it stops working and who to contact."""
    asker_name, asker_email = asker
    if asker_email:
        who = f"{asker_name} ({asker_email})" if asker_name else asker_email
        contact = f"contact {asker_name or asker_email} at {asker_email}"
    else:
        who = "An administrator"
        contact = "contact an administrator of the staff area"
    if new_account:
        subject = f"Set up your account for the {SERVICE} staff area"
        why = f"{who} has made you an account on the staff area of {SERVICE}, the {PARTNERSHIP}'s survey service."
        action = "To start using it, choose a password with this link:"
    else:
        subject = f"Choose a new password for the {SERVICE} staff area"
        why = f"{who} has asked for you to choose a new password for your account on the {SERVICE} staff area."
        action = "To choose your new password, use this link:"
    expiry = (
        f"The link works once, and only until {_when(expires_at)} (1 hour after this email was sent). "
        f"If it has stopped working, ask {'them' if asker_email else 'an administrator'} to send you a new one."
    )
    unexpected = (
        "If you were not expecting this email, you do not need to do anything: nothing changes unless "
        f"the link is used. If you have questions, {contact}."
    )
    greeting = f"Hello {name}," if name else "Hello,"
    text = "\n\n".join([greeting, why, action, link, expiry, unexpected, PARTNERSHIP]) + "\n"
    paragraphs = [greeting, why, action]
    html = Markup("").join(Markup("<p>{}</p>\n").format(part) for part in paragraphs)
    html += Markup('<p><a href="{0}">{0}</a></p>\n').format(link)
    html += Markup("").join(Markup("<p>{}</p>\n").format(part) for part in (expiry, unexpected, PARTNERSHIP))
    page = Markup('<!doctype html>\n<html lang="en">\n<body>\n{}</body>\n</html>\n').format(html)
    return Email(subject, text, str(page))
