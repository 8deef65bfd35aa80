"""The Course Impact Score: a weighted 0-100 mean of four shares, shown beside its components."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from analysis.proportions import Proportion

#: The components in the order the score lists them (the Kirkpatrick levels, reaction to behaviour).
COMPONENTS = ("reaction", "intention", "confidence", "behaviour")
#: Behaviour weighs most: it is what the training is for; see docs/impact-score.md.
DEFAULT_WEIGHTS: Mapping[str, float] = {"reaction": 0.15, "intention": 0.2, "confidence": 0.25, "behaviour": 0.4}


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """The weights of exactly the four components, none negative and not all zero; ValueError otherwise."""
    if set(weights) != set(COMPONENTS):
        raise ValueError(f"impact weights must name exactly {', '.join(COMPONENTS)}")
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError("impact weights must not be negative and must not all be zero")
    return {name: float(weights[name]) for name in COMPONENTS}


@dataclass(frozen=True)
class Impact:
    """The score (None until every component has answers), its components and the behaviour worst case."""

    components: Mapping[str, Proportion]
    weights: Mapping[str, float]
    #: Changed practice and gave an example, over every attendee (non-respondents counted as no change).
    behaviour_worst_case: Proportion

    @property
    def complete(self) -> bool:
        """Whether every component rests on at least one answer (so, at least one follow-up)."""
        return all(self.components[name].n > 0 for name in COMPONENTS)

    def _weighted(self, pick: int) -> float | None:
        if not self.complete:
            return None
        total = sum(self.weights.values())
        parts = []
        for name in COMPONENTS:
            p = self.components[name]
            value = (p.value, *p.interval)[pick]
            # Why `or 0.0` is never taken: complete means every n > 0, so every value is a number.
            parts.append(self.weights[name] * (value or 0.0))
        return 100 * sum(parts) / total

    @property
    def score(self) -> float | None:
        """Weighted mean of the component shares, times 100; None while incomplete."""
        return self._weighted(0)

    @property
    def interval(self) -> tuple[float | None, float | None]:
        """The same weighted mean of each component's lower and upper Wilson bound (conservative)."""
        return self._weighted(1), self._weighted(2)

    def as_dict(self) -> dict[str, Any]:
        """The API shape."""
        low, high = self.interval
        return {
            "score": self.score,
            "complete": self.complete,
            "low": low,
            "high": high,
            "components": {name: self.components[name].as_dict() for name in COMPONENTS},
            "weights": dict(self.weights),
            "behaviour_worst_case": self.behaviour_worst_case.as_dict(),
        }
