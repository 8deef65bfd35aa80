"""IMPACT_WEIGHTS: the Course Impact Score's weights are a setting, checked at start-up."""

from __future__ import annotations

import pytest

from analysis.score import DEFAULT_WEIGHTS
from voice_service.core.settings import Settings


def test_default_weights() -> None:
    assert dict(Settings.from_env({}).impact_weights) == DEFAULT_WEIGHTS


def test_weights_from_the_environment() -> None:
    settings = Settings.from_env({"IMPACT_WEIGHTS": " behaviour=2, reaction=1,intention=1 ,confidence=0"})
    assert settings.impact_weights == (("reaction", 1.0), ("intention", 1.0), ("confidence", 0.0), ("behaviour", 2.0))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("reaction=x,intention=1,confidence=1,behaviour=1", "not name=number"),
        ("reaction=1,intention=1,confidence=1", "exactly"),
        ("reaction=1,intention=1,confidence=1,behaviour=1,fun=1", "exactly"),
        ("reaction=-1,intention=1,confidence=1,behaviour=1", "negative"),
        ("reaction=0,intention=0,confidence=0,behaviour=0", "all be zero"),
    ],
)
def test_bad_weights_stop_start_up_with_a_clear_message(value: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Settings.from_env({"IMPACT_WEIGHTS": value})
