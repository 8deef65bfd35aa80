"""Passwords: argon2id hashes, a length rule and a list of common passwords; no composition rules.

The list (common-passwords.txt) is the 19,640 most common passwords as shipped by Django
(django/contrib/auth/common-passwords.txt.gz, BSD licence), from Royce Williams' public list.
"""

from __future__ import annotations

import asyncio
import itertools
import re
import secrets
import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 15
MAX_LENGTH = 256
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt")

#: argon2-cffi's defaults are argon2id with RFC 9106's second recommended parameters.
HASHER = PasswordHasher()
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: Digits and punctuation people add to a common word to pass a length rule ("password123456!").
PADDING = re.compile(r"[\d\W_]+$")


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list, lower-cased, read once."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip())


def normalise(password: str) -> str:
    """NFKC, so the same characters typed on different keyboards give the same hash."""
    return unicodedata.normalize("NFKC", password)


def _is_repetition(text: str) -> bool:
    """Whether the text is one short piece repeated ("abcabcabc...", "aaaa...")."""
    return any(
        len(text) % size == 0 and text == text[:size] * (len(text) // size) for size in range(1, min(9, len(text)))
    )


def _is_sequence(text: str) -> bool:
    """Whether the text runs up or down the digits or the alphabet ("123456789012345", "zyxw...")."""
    if len(text) < 3 or not (text.isdigit() or text.isalpha()):
        return False
    modulus = 10 if text.isdigit() else 1 << 21
    steps = {(ord(b) - ord(a)) % modulus for a, b in itertools.pairwise(text)}
    return steps in ({1}, {modulus - 1})


def _is_common(candidate: str) -> bool:
    if candidate in common_passwords() or _is_repetition(candidate) or _is_sequence(candidate):
        return True
    # A common password repeated to pass the length rule ("iloveyouiloveyou").
    return any(
        len(candidate) % parts == 0 and candidate == candidate[: len(candidate) // parts] * parts
        for parts in (2, 3, 4)
        if candidate[: len(candidate) // parts] in common_passwords()
    )


def password_problem(password: str, email: str = "") -> str | None:
    """Why a new password is refused (a sentence for the person), or None when it is acceptable."""
    password = normalise(password)
    if len(password) < MIN_LENGTH:
        return f"Password must be {MIN_LENGTH} characters or more"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    if CONTROL.search(password):
        return "Password must not contain control characters such as tabs or line breaks"
    lowered = password.lower()
    stripped = PADDING.sub("", lowered)
    if _is_common(lowered) or (stripped and _is_common(stripped)):
        return "Password is too common: choose a longer phrase that other people would not use"
    email = email.strip().lower()
    if email and (email in lowered or (len(local := email.split("@")[0]) >= 4 and local in lowered)):
        return "Password must not contain your email address"
    return None


def hash_password(password: str) -> str:
    """An argon2id hash (blocking: call through `hash_password_async` in a request)."""
    return HASHER.hash(normalise(password))


async def hash_password_async(password: str) -> str:
    """Hash in a thread: argon2 takes a fifth of a second of CPU and must not stall the event loop."""
    return await asyncio.to_thread(hash_password, password)


@cache
def _dummy_hash() -> str:
    return HASHER.hash(secrets.token_urlsafe(16))


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash a dummy one is checked so timing reveals nothing."""
    candidate = normalise(password)[:MAX_LENGTH]
    try:
        return HASHER.verify(password_hash or _dummy_hash(), candidate) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password_async(password_hash: str | None, password: str) -> bool:
    """`verify_password` in a thread."""
    return await asyncio.to_thread(verify_password, password_hash, password)


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
