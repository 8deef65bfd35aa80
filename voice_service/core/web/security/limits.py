"""Per-address rate limits on starting drafts and sending answers: fixed windows in this process's memory.

Counters are keyed by a keyed hash of the client's address (the /64 network for IPv6), never the
address itself, and are forgotten when their window ends; nothing here is stored with a response.
With several worker processes each counts on its own, so the effective limit is per worker.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from litestar.types import Scope

from voice_service.core.settings import Settings

#: Bucket names used by route declarations (`before_request=rate_limited(DRAFTS)`).
DRAFTS = "drafts"
SUBMISSIONS = "submissions"
#: Personal or session links that did not open anything (counted by the handler, not per request).
BAD_LINKS = "bad_links"

#: What a person is told, by bucket: plain words, and what happens to their answers.
MESSAGES = {
    DRAFTS: "Lots of people are starting this survey from your network at the same time. "
    "Please wait {wait} and then press Start now again.",
    SUBMISSIONS: "Lots of answers are being sent from your network at the same time. "
    "Please wait {wait} and then send again. Answers you have not sent yet are kept.",
    BAD_LINKS: "Too many links that do not work have been opened from your network. "
    "Please wait {wait}, then copy the link from your email again.",
}


class Window:
    """At most `limit` hits per client in each fixed window of `seconds`."""

    __slots__ = ("_counts", "_ends", "limit", "seconds")

    def __init__(self, limit: int, seconds: int) -> None:
        self.limit = limit
        self.seconds = seconds
        self._ends = 0.0
        self._counts: dict[bytes, int] = {}

    def hit(self, client: bytes, now: float) -> float:
        """Count one hit; returns 0 when allowed, else the seconds until the window ends."""
        if now >= self._ends:
            # Why: one dict per window keeps memory to the clients seen in this window only.
            self._counts = {}
            self._ends = now + self.seconds
        count = self._counts.get(client, 0) + 1
        self._counts[client] = count
        return 0.0 if count <= self.limit else self._ends - now

    def peek(self, client: bytes, now: float) -> float:
        """Like `hit` without counting: 0 while the client is within the limit."""
        if now >= self._ends:
            return 0.0
        return 0.0 if self._counts.get(client, 0) < self.limit else self._ends - now


class Bucket:
    """One limited action: every window must allow the hit (a short burst limit and a longer cap)."""

    __slots__ = ("name", "windows")

    def __init__(self, name: str, windows: list[Window]) -> None:
        self.name = name
        self.windows = [w for w in windows if w.limit > 0]

    def hit(self, client: bytes, now: float) -> float:
        """Count one hit in every window; returns the longest wait, 0 when allowed."""
        wait = 0.0
        for window in self.windows:
            wait = max(wait, window.hit(client, now))
        return wait

    def peek(self, client: bytes, now: float) -> float:
        """The wait the next hit would get, without counting it."""
        return max((window.peek(client, now) for window in self.windows), default=0.0)


class RateLimits:
    """The service's rate-limited actions, configured from settings (a limit of 0 turns a window off)."""

    def __init__(self, settings: Settings) -> None:
        # Why: a random key per process, never written anywhere: the counters hold no address, and
        # a hash cannot be matched to one (by hashing every IPv4 address) without this key.
        self._key = secrets.token_bytes(32)
        self.buckets = {
            DRAFTS: Bucket(DRAFTS, [Window(settings.drafts_per_minute, 60), Window(settings.drafts_per_hour, 3600)]),
            SUBMISSIONS: Bucket(
                SUBMISSIONS,
                [Window(settings.submissions_per_minute, 60), Window(settings.submissions_per_hour, 3600)],
            ),
            BAD_LINKS: Bucket(
                BAD_LINKS, [Window(settings.bad_links_per_minute, 60), Window(settings.bad_links_per_hour, 3600)]
            ),
        }

    def client_key(self, scope: Scope) -> bytes:
        """A keyed hash of the client's address; IPv6 addresses count by their /64 network."""
        client = scope.get("client")
        address = client[0] if client else ""
        if ":" in address:
            address = _ipv6_client(address)
        return hashlib.blake2b(address.encode(), key=self._key, digest_size=16).digest()

    def check(self, bucket: str, scope: Scope, *, count: bool = True) -> None:
        """Count one action (or, with count=False, only look); raises 429 with Retry-After when over a limit."""
        limited = self.buckets[bucket]
        if not limited.windows:
            return
        client, now = self.client_key(scope), time.monotonic()
        wait = limited.hit(client, now) if count else limited.peek(client, now)
        if wait:
            seconds = max(1, math.ceil(wait))
            raise TooManyRequestsException(
                detail=MESSAGES[bucket].format(wait=_in_words(seconds)), headers={"Retry-After": str(seconds)}
            )


def _ipv6_client(address: str) -> str:
    """An IPv6 client as its /64 network: one home or school holds a whole /64, not one address."""
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ipaddress.IPv6Network((ip, 64), strict=False).network_address)


def _in_words(seconds: int) -> str:
    if seconds <= 60:
        return "a minute"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes"


def rate_limited(bucket: str) -> Callable[[Request[Any, Any, Any]], Awaitable[None]]:
    """A before_request hook counting the action against the client's limit (after CSRF is checked)."""

    async def count(request: Request[Any, Any, Any]) -> None:
        limits: RateLimits = request.app.state.rate_limits
        limits.check(bucket, request.scope)

    return count
