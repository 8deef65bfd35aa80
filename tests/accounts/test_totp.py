"""TOTP codes and recovery codes, on hand-made times and secrets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp

from voice_service.accounts.totp import (
    accepted_step,
    new_recovery_codes,
    new_secret,
    recovery_code_hash,
    setup_for,
)

NOW = datetime(2026, 12, 2, 9, 0, 0, tzinfo=UTC)


def test_a_current_code_is_accepted_once() -> None:
    secret = new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    step = accepted_step(secret, code, NOW, None)
    assert step is not None
    assert accepted_step(secret, code, NOW, step) is None, "a used code cannot be replayed"


def test_a_code_from_the_neighbouring_step_is_accepted_for_clock_drift_but_not_older() -> None:
    secret = new_secret()
    assert accepted_step(secret, pyotp.TOTP(secret).at(NOW - timedelta(seconds=30)), NOW, None) is not None
    assert accepted_step(secret, pyotp.TOTP(secret).at(NOW - timedelta(seconds=90)), NOW, None) is None


def test_spaces_are_ignored_and_wrong_shapes_refused() -> None:
    secret = new_secret()
    code = pyotp.TOTP(secret).at(NOW)
    assert accepted_step(secret, f"{code[:3]} {code[3:]}", NOW, None) is not None
    for bad in ("", "12345", "1234567", "abcdef", "12345a", "<script>"):
        assert accepted_step(secret, bad, NOW, None) is None


def test_another_secret_s_code_is_refused() -> None:
    secret, other = new_secret(), new_secret()
    assert accepted_step(secret, pyotp.TOTP(other).at(NOW), NOW, None) is None


def test_setup_draws_a_qr_code_for_the_otpauth_uri() -> None:
    setup = setup_for(new_secret(), "lead@example.org")
    assert setup.uri.startswith("otpauth://totp/")
    assert "lead%40example.org" in setup.uri or "lead@example.org" in setup.uri
    assert setup.qr_svg.startswith("<svg")
    assert "<title>" in setup.qr_svg


def test_recovery_codes_are_distinct_and_hash_the_same_however_typed() -> None:
    codes = new_recovery_codes()
    assert len(set(codes)) == len(codes) == 10
    code = codes[0]
    assert recovery_code_hash(code) == recovery_code_hash(code.upper().replace("-", " "))
    assert recovery_code_hash(code) != recovery_code_hash(codes[1])
