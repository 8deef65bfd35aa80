"""Who is making a request: the person behind a staff session or a personal API token."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from litestar import Request
from litestar.exceptions import NotAuthorizedException

from voice_service.accounts.roles import Section, sections_for
from voice_service.core.audit import Actor


@dataclass(frozen=True, slots=True)
class Identity:
    """A signed-in member of staff, as the access check found them for this request."""

    user_id: uuid.UUID
    email: str
    name: str
    roles: frozenset[str]
    #: False while a session still waits for its second factor.
    verified: bool = True
    #: The SHA-256 of the session cookie, when the request came with one.
    session_hash: str | None = None
    #: The personal API token used, when the request came with one.
    token_id: uuid.UUID | None = None
    #: Whether the person has turned on two-step verification (known for sessions, not tokens).
    totp_enabled: bool = False

    @property
    def actor(self) -> Actor:
        """The person as the audit log records them."""
        return Actor(self.user_id, self.email)

    @property
    def sections(self) -> list[Section]:
        """The parts of the staff area this person's roles open (for the navigation)."""
        return sections_for(self.roles)

    def holds_any(self, roles: Iterable[str]) -> bool:
        """Whether the person holds at least one of these roles."""
        return not self.roles.isdisjoint(roles)


def provide_staff(request: Request[Any, Any, Any]) -> Identity:
    """The signed-in person the access middleware put in the scope (a dependency for staff handlers)."""
    user = request.scope.get("user")
    if not isinstance(user, Identity):
        # Why: only reachable if a staff handler were declared public; fail closed, not with a 500.
        raise NotAuthorizedException("Sign in to use this page")
    return user


def client_address(request: Request[Any, Any, Any]) -> str:
    """The address the request came from, for the audit log and rate limits."""
    return request.client.host if request.client else ""
