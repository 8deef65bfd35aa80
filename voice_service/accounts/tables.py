"""Account tables. Secrets (passwords, session ids, tokens, links, recovery codes) are stored only as hashes."""

from __future__ import annotations

import uuid
from datetime import datetime

from advanced_alchemy.types import GUID, DateTimeUTC
from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from voice_service.core.db.base import Base, table_of


class StaffUser(Base):
    """A member of the partnership's staff who can log in."""

    __tablename__ = "staff_user"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    #: Lower-cased, so one person cannot hold two accounts by changing case.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    #: argon2id; None until the person sets a password through their link.
    password_hash: Mapped[str | None] = mapped_column(String(200), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Base32 TOTP secret; set while setting up, trusted only once totp_enabled is true.
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The last TOTP time step accepted, so a code cannot be replayed.
    totp_last_step: Mapped[int | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class StaffRole(Base):
    """One role a person holds; a person may hold several."""

    __tablename__ = "staff_role"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class StaffSession(Base):
    """A logged-in browser: the cookie holds a random id, this table its SHA-256."""

    __tablename__ = "staff_session"
    __table_args__ = (Index("ix_staff_session_user_id", "user_id"),)

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    last_seen_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    #: False between the password and the second factor: such a session reaches only the TOTP page.
    verified: Mapped[bool] = mapped_column(Boolean, default=True)


class RecoveryCode(Base):
    """A single-use code that stands in for the second factor; shown once, stored hashed."""

    __tablename__ = "recovery_code"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class ApiToken(Base):
    """A personal API token: shown once, stored as its SHA-256, revocable."""

    __tablename__ = "api_token"

    id: Mapped[uuid.UUID] = mapped_column(GUID, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


class PasswordLink(Base):
    """A single-use link to set a password, valid for an hour; the email holds the token, this its hash."""

    __tablename__ = "password_link"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("staff_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTimeUTC(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTimeUTC(timezone=True), nullable=True)


STAFF_USERS = table_of(StaffUser)
STAFF_ROLES = table_of(StaffRole)
STAFF_SESSIONS = table_of(StaffSession)
RECOVERY_CODES = table_of(RecoveryCode)
API_TOKENS = table_of(ApiToken)
PASSWORD_LINKS = table_of(PasswordLink)
