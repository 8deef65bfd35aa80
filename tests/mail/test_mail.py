"""Mail: SMTP against a real server on 127.0.0.1, the private outbox otherwise, and no header smuggling."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import stat
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import aiosmtplib
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from voice_service.core.mail import BadAddress, OutboxMailer, SmtpMailer, build_mailer
from voice_service.core.settings import Settings

LINK = "https://voice.example/staff/set-password/Zk3q-token-only-in-the-body"


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 OK"

    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.original_content or e.content, policy=email.policy.default)  # type: ignore[misc]
            for e in self.envelopes
        ]


def authenticate(_server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"mailer", b"s3cret-pass")
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    """A port nothing listens on now (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Controller, Inbox]]:
    """A real SMTP server on 127.0.0.1 (a free port), without TLS; AUTH allowed in clear for the test only."""
    inbox = Inbox()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=free_port(), authenticator=authenticate, auth_require_tls=False
    )
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def port_of(controller: Controller) -> int:
    return int(controller.port)


def smtp_settings(controller: Controller, **changes: Any) -> Settings:
    return Settings(smtp_host="127.0.0.1", smtp_port=port_of(controller), mail_from="voice@york.example", **changes)


async def test_smtp_delivers_text_and_html_to_a_real_server(smtp_server: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp_server
    mailer = build_mailer(smtp_settings(controller))
    assert isinstance(mailer, SmtpMailer)
    await mailer.send("delegate@school.example", "Your six-month follow-up", "Plain words.", "<p>Plain words.</p>")

    [envelope] = inbox.envelopes
    assert envelope.mail_from == "voice@york.example"
    assert envelope.rcpt_tos == ["delegate@school.example"]
    [message] = inbox.messages()
    assert message["Subject"] == "Your six-month follow-up"
    assert message["To"] == "delegate@school.example"
    assert message["Message-ID"]
    assert message.get_body(("plain",)).get_content().strip() == "Plain words."  # type: ignore[union-attr]
    assert message.get_body(("html",)).get_content().strip() == "<p>Plain words.</p>"  # type: ignore[union-attr]


async def test_smtp_logs_in_when_given_a_username(smtp_server: tuple[Controller, Inbox]) -> None:
    controller, inbox = smtp_server
    settings = smtp_settings(controller, smtp_username="mailer", smtp_password="s3cret-pass", smtp_starttls=False)
    await build_mailer(settings).send("lead@york.example", "Alert", "Open the staff area.")
    assert len(inbox.envelopes) == 1
    wrong = smtp_settings(controller, smtp_username="mailer", smtp_password="wrong", smtp_starttls=False)
    with pytest.raises(aiosmtplib.SMTPAuthenticationError):
        await build_mailer(wrong).send("lead@york.example", "Alert", "Open the staff area.")
    assert len(inbox.envelopes) == 1


async def test_a_username_makes_starttls_required_so_no_password_crosses_in_clear(
    smtp_server: tuple[Controller, Inbox],
) -> None:
    controller, inbox = smtp_server
    settings = smtp_settings(controller, smtp_username="mailer", smtp_password="s3cret-pass")
    mailer = build_mailer(settings)
    assert isinstance(mailer, SmtpMailer)
    assert mailer.starttls is True
    with pytest.raises(aiosmtplib.SMTPException):  # this server offers no STARTTLS
        await mailer.send("lead@york.example", "Alert", "Open the staff area.")
    assert inbox.envelopes == []
    assert "s3cret-pass" not in repr(settings)


async def test_an_unreachable_smtp_server_raises_for_the_job_to_retry() -> None:
    with pytest.raises((aiosmtplib.SMTPException, OSError)):
        await SmtpMailer("127.0.0.1", free_port(), "voice@york.example").send("a@b.example", "Hi", "Text")


async def test_the_outbox_is_private_to_the_service_user(tmp_path: Path) -> None:
    folder = tmp_path / "var" / "outbox"
    mailer = build_mailer(Settings(outbox_dir=folder, mail_from="voice@york.example"))
    assert isinstance(mailer, OutboxMailer)
    await mailer.send("new.admin@york.example", "Set your password", f"Open {LINK} within an hour.")

    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    [path] = mailer.messages()
    assert path.suffix == ".eml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["To"] == "new.admin@york.example"
    assert message["From"] == "voice@york.example"
    assert LINK in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert list(folder.glob("*.part")) == [], "no half-written message is left behind"


async def test_an_existing_open_outbox_folder_is_closed_up(tmp_path: Path) -> None:
    folder = tmp_path / "outbox"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    await OutboxMailer(folder, "voice@york.example").send("a@b.example", "Hi", "Text")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


async def test_messages_sent_at_once_each_get_their_own_file(tmp_path: Path) -> None:
    mailer = OutboxMailer(tmp_path / "outbox", "voice@york.example")
    await asyncio.gather(*(mailer.send(f"d{i}@school.example", "Follow-up", "Text") for i in range(20)))
    paths = mailer.messages()
    assert len(paths) == 20
    recipients = {email.message_from_bytes(p.read_bytes(), policy=email.policy.default)["To"] for p in paths}
    assert len(recipients) == 20


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("victim@example.org\r\nBcc: everyone@example.org", "Hi"),
        ("a@b.example", "Hello\nBcc: everyone@example.org"),
        ("", "Hi"),
        ("a@b.example", "   "),
    ],
)
async def test_a_line_break_or_blank_in_a_header_is_refused(tmp_path: Path, to: str, subject: str) -> None:
    mailer = OutboxMailer(tmp_path / "outbox", "voice@york.example")
    with pytest.raises(BadAddress):
        await mailer.send(to, subject, "Text")
    assert mailer.messages() == []


def test_mail_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "SMTP_HOST": "smtp.york.example",
            "SMTP_PORT": "587",
            "SMTP_USERNAME": "voice",
            "SMTP_PASSWORD": "pw",
            "SMTP_STARTTLS": "true",
            "MAIL_FROM": "noreply@york.example",
            "OUTBOX_DIR": "/srv/outbox",
        }
    )
    assert (settings.smtp_host, settings.smtp_port, settings.smtp_username, settings.smtp_password) == (
        "smtp.york.example",
        587,
        "voice",
        "pw",
    )
    assert settings.smtp_starttls is True
    assert settings.mail_from == "noreply@york.example"
    assert settings.outbox_dir == Path("/srv/outbox")
    assert Settings.from_env({"SMTP_STARTTLS": "false"}).smtp_starttls is False
    assert Settings.from_env({}).smtp_starttls is None
    assert isinstance(build_mailer(Settings.from_env({})), OutboxMailer)
