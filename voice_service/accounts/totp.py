"""The optional second factor: TOTP (RFC 6238) with a QR code to set it up, and single-use recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime

import pyotp

ISSUER = "Have your say staff"
#: Codes one step either side are accepted: phone clocks drift.
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
#: Letters and digits that cannot be mistaken for one another when read off paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class TotpSetup:
    """What a person needs to add the account to their authenticator app."""

    secret: str
    uri: str
    qr_svg: str


def new_secret() -> str:
    """A random base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def setup_for(secret: str, email: str) -> TotpSetup:
    """The otpauth URI and its QR code (SVG, drawn on the server: nothing is fetched)."""
    # Why here: only the two-step set-up page draws a QR code; a web worker does not hold segno from start.
    import segno

    uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(
        buffer, kind="svg", scale=5, border=4, xmldecl=False, svgns=True, title="QR code to scan with your app"
    )
    return TotpSetup(secret, uri, buffer.getvalue().decode("utf-8"))


def accepted_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step a code belongs to when it is valid and newer than the last one used; else None.

    Why the step: storing the last accepted step stops a code being replayed within its window.
    """
    digits = "".join(ch for ch in code if not ch.isspace())
    if len(digits) != 6 or not digits.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def new_recovery_codes(count: int = RECOVERY_CODE_COUNT) -> list[str]:
    """Codes shown once, as xxxxx-xxxxx (50 bits each)."""
    return [
        "-".join("".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(5)) for _ in range(2)) for _ in range(count)
    ]


def recovery_code_hash(code: str) -> str:
    """How a recovery code is stored: SHA-256 of its normalised form (they carry 50 random bits)."""
    normal = "".join(ch for ch in code.lower() if ch in RECOVERY_ALPHABET)
    return hashlib.sha256(normal.encode("ascii")).hexdigest()
