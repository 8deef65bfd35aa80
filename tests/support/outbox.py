"""Reading the emails the service wrote to its outbox folder, as a person would read them."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import urlsplit

LINK = re.compile(r"https?://\S+/staff/password/[A-Za-z0-9_-]+")


def messages(folder: Path) -> list[EmailMessage]:
    """Every .eml file in the folder, oldest first, parsed."""
    paths = sorted(folder.glob("*.eml")) if folder.is_dir() else []
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in paths]  # type: ignore[misc]


def text_of(message: EmailMessage) -> str:
    """The plain-text part."""
    part = message.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no plain-text part"
    return str(part.get_content())  # type: ignore[attr-defined]


def html_of(message: EmailMessage) -> str:
    """The HTML part."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "the message has no HTML part"
    return str(part.get_content())  # type: ignore[attr-defined]


def password_link(message: EmailMessage) -> str:
    """The set-password link in the plain-text part."""
    found = LINK.findall(text_of(message))
    assert len(found) == 1, f"expected one link, found {found}"
    return str(found[0])


def link_path(link: str) -> str:
    """The link as a path on the test client."""
    return urlsplit(link).path


def last_link_to(folder: Path, to: str) -> str:
    """The path of the newest set-password link sent to this address."""
    sent = [m for m in messages(folder) if m["To"] == to]
    assert sent, f"no email to {to} in {[m['To'] for m in messages(folder)]}"
    return link_path(password_link(sent[-1]))
