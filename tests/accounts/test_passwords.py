"""Password rules and hashing: length, the common list, no composition rules; argon2id."""

from __future__ import annotations

import pytest

from voice_service.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    common_passwords,
    hash_password,
    needs_rehash,
    password_problem,
    verify_password,
)

EMAIL = "jo.bloggs@example.org"


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery stapler",
        "a" * 3 + "b" * 3 + "c" * 3 + "d" * 3 + "e" * 3,  # 15 characters, no digit or capital needed
        "x" * 7 + "tree house 2026",
        "Ünïcödé pässphrâse wörks",
        "a" * (MAX_LENGTH - 20) + " with some words",
    ],
)
def test_long_enough_uncommon_passwords_are_accepted_without_composition_rules(password: str) -> None:
    assert password_problem(password, EMAIL) is None


def _phrase(length: int) -> str:
    return "".join(f"word{i} " for i in range(length))[:length]


def test_length_limits() -> None:
    assert password_problem("s" * (MIN_LENGTH - 2) + "q", EMAIL) == f"Password must be {MIN_LENGTH} characters or more"
    assert password_problem(_phrase(MIN_LENGTH), EMAIL) is None
    assert password_problem(_phrase(128), EMAIL) is None
    assert password_problem(_phrase(MAX_LENGTH), EMAIL) is None
    assert password_problem(_phrase(MAX_LENGTH + 1), EMAIL) == f"Password must be {MAX_LENGTH} characters or fewer"


@pytest.mark.parametrize(
    "password",
    [
        "1q2w3e4r5t6y7u8i9o0p",  # on the shipped list
        "123456789123456789",  # on the list
        "Password12345678",  # a common word padded to length
        "qwerty!!!!!!!!!!!!",
        "iloveyouiloveyou",  # a common word repeated
        "aaaaaaaaaaaaaaaaaa",
        "abcabcabcabcabcabc",
        "123456789012345",  # a run of digits
        "abcdefghijklmnopq",  # a run of letters
    ],
)
def test_common_and_predictable_passwords_are_refused(password: str) -> None:
    assert "too common" in (password_problem(password, EMAIL) or "")


def test_the_shipped_list_is_large_and_lower_case() -> None:
    words = common_passwords()
    assert len(words) > 10_000
    assert "password" in words
    assert "123456" in words


def test_a_password_holding_the_email_or_its_name_is_refused() -> None:
    assert (
        password_problem("my address is jo.bloggs@example.org", EMAIL) == "Password must not contain your email address"
    )
    assert password_problem("JO.BLOGGS went walking uphill", EMAIL) == "Password must not contain your email address"


def test_control_characters_are_refused() -> None:
    assert "control characters" in (password_problem("tab\tseparated words here", EMAIL) or "")
    assert "control characters" in (password_problem("null\x00 inside a passphrase", EMAIL) or "")


def test_hash_is_argon2id_and_verifies() -> None:
    hashed = hash_password("orchard lantern kettle")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "orchard lantern kettle")
    assert not verify_password(hashed, "orchard lantern kettlE")
    assert not needs_rehash(hashed)


def test_the_same_characters_typed_differently_verify() -> None:
    # "é" as one code point and as e + combining accent: NFKC makes them the same password.
    hashed = hash_password("caf\u00e9 au lait every morning")
    assert verify_password(hashed, "cafe\u0301 au lait every morning")


def test_no_hash_never_verifies_but_still_checks_a_dummy() -> None:
    assert not verify_password(None, "anything at all here")
    assert not verify_password("not a hash", "anything at all here")
