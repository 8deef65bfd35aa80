"""Two-step verification in tests: a clock the service reads, and the setup and second step through the real forms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pyotp
import pytest
from litestar.testing import TestClient

from tests.support.csrf import with_csrf
from tests.support.html import Html
from voice_service.accounts import second_factor

HUB = "/staff/account/two-step-verification"
SECOND_STEP = "/staff/login/second-factor"
STEP = timedelta(seconds=30)


@dataclass
class Clock:
    """The time the service checks codes at; tests move it on a step at a time."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def tick(self, steps: int = 1) -> None:
        """Move on by whole time steps, so the next code is a new one."""
        self.now += STEP * steps


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """A clock at the start of the current time step (plus a second), read by the service instead of the real one."""
    real = datetime.now(UTC)
    start = datetime.fromtimestamp(int(real.timestamp()) // 30 * 30 + 1, UTC)
    moved = Clock(start)
    monkeypatch.setattr(second_factor, "_now", moved)
    return moved


def code(secret: str, clock: Clock) -> str:
    """The code an authenticator app shows at the clock's time."""
    return pyotp.TOTP(secret).at(clock.now)


def set_up_through_pages(client: TestClient, clock: Clock) -> tuple[str, list[str]]:
    """Start setup, read the key off the page, confirm with a code; returns the secret and the recovery codes."""
    assert client.post(f"{HUB}/start", data=with_csrf(client), follow_redirects=False).status_code == 303
    page = Html(client.get(HUB).text)
    secret = page.one("code").text.replace(" ", "")
    done = client.post(HUB, data=with_csrf(client, {"code": code(secret, clock)}))
    assert done.status_code == 200, done.text
    codes = [e.text for e in Html(done.text).all("code", "vs-token")]
    assert len(codes) == 10
    clock.tick()
    return secret, codes


def second_step(client: TestClient, data: dict[str, str]) -> httpx.Response:
    """Post the second-step form as a browser would (not following the redirect)."""
    return client.post(SECOND_STEP, data=with_csrf(client, data, page="/staff/login"), follow_redirects=False)
