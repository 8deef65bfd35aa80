"""Outgoing email: sent over SMTP when a host is configured, otherwise written to an outbox folder."""

from __future__ import annotations

import asyncio
import email.policy
import os
import secrets
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Protocol

import aiosmtplib

from voice_service.core.settings import Settings

#: Why a bounded wait: a job holding a claim must not hang on a mail server that never answers.
SMTP_TIMEOUT_SECONDS = 30.0


class Mailer(Protocol):
    """Anything that delivers one message; jobs receive one through their context."""

    async def send(self, to: str, subject: str, text: str, html: str | None = None) -> None:
        """Deliver a message with a plain-text body and an optional HTML alternative."""


class BadAddress(ValueError):
    """A recipient or subject that could smuggle extra headers (a line break) or is empty."""


def build_message(sender: str, to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    """A MIME message: plain text first, HTML as the alternative when given."""
    for value in (to, subject):
        if not value.strip() or "\r" in value or "\n" in value:
            raise BadAddress("a recipient or subject is empty or holds a line break")
    # Why 998 (RFC 5322's line limit): the default 78 folds a long subject before its first word,
    # and readers then show it with a leading space.
    message = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


class SmtpMailer:
    """Sends through an SMTP server (aiosmtplib), with STARTTLS as configured."""

    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        username: str = "",
        password: str = "",
        starttls: bool | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.username = username
        self._password = password
        # Why: a password must never cross the network in clear, so a username makes STARTTLS required
        # unless the operator explicitly turned it off (a relay on the same host).
        self.starttls = True if starttls is None and username else starttls

    async def send(self, to: str, subject: str, text: str, html: str | None = None) -> None:
        """Hand the message to the SMTP server; raises when it is refused or unreachable."""
        await aiosmtplib.send(
            build_message(self.sender, to, subject, text, html),
            hostname=self.host,
            port=self.port,
            username=self.username or None,
            password=self._password or None,
            start_tls=self.starttls,
            timeout=SMTP_TIMEOUT_SECONDS,
        )


class OutboxMailer:
    """Writes each message as an .eml file that only the service's user can read (development and tests)."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    async def send(self, to: str, subject: str, text: str, html: str | None = None) -> None:
        """Write the message to the outbox."""
        message = build_message(self.sender, to, subject, text, html)
        await asyncio.to_thread(self._write, message.as_bytes())

    def _write(self, data: bytes) -> None:
        # Why 0700/0600: an email may hold a single-use link that lets its reader set a password.
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.folder / f"{stamp}-{secrets.token_hex(4)}.eml"
        partial = path.with_suffix(".part")
        # Why a partial file then a rename: a reader of the outbox never sees half a message.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(data)
        partial.rename(path)

    def messages(self) -> list[Path]:
        """The messages written so far, oldest first."""
        return sorted(self.folder.glob("*.eml")) if self.folder.is_dir() else []


def build_mailer(settings: Settings) -> SmtpMailer | OutboxMailer:
    """SMTP when SMTP_HOST is set, otherwise the outbox folder."""
    if settings.smtp_host:
        return SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            settings.mail_from,
            settings.smtp_username,
            settings.smtp_password,
            settings.smtp_starttls,
        )
    return OutboxMailer(settings.outbox_dir, settings.mail_from)
