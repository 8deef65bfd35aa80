"""Proportions that carry their count, their n and a Wilson 95% interval."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from analysis.lazy import LazyModule

if TYPE_CHECKING:
    import pandas as pd
else:
    # Why lazy: pandas costs a web worker about 33 MiB; it loads when a report first uses it.
    pd = LazyModule("pandas")


#: The normal quantile for a two-sided 95% interval.
Z95 = 1.959963984540054
#: A figure resting on fewer responses than this is marked "low numbers".
LOW_NUMBERS = 10


def wilson(count: int, n: int, z: float = Z95) -> tuple[float, float] | tuple[None, None]:
    """The Wilson score interval for count successes out of n (None, None when n is 0)."""
    if n <= 0:
        return None, None
    if not 0 <= count <= n:
        raise ValueError(f"count {count} is outside 0..{n}")
    p = count / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # Why clamp: floating point can step a hair outside [0, 1] at p = 0 or 1.
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class Proportion:
    """count out of n, with the interval; `people` is who it rests on when n counts something else."""

    count: int
    n: int
    people: int | None = None

    @property
    def value(self) -> float | None:
        """The share, or None when n is 0."""
        return self.count / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | tuple[None, None]:
        """The Wilson 95% interval."""
        return wilson(self.count, self.n)

    @property
    def low_numbers(self) -> bool:
        """Whether it rests on fewer than LOW_NUMBERS responses."""
        return (self.n if self.people is None else self.people) < LOW_NUMBERS

    def as_dict(self) -> dict[str, Any]:
        """The API shape: value, count, n, low, high, low_numbers."""
        low, high = self.interval
        return {
            "value": self.value,
            "count": self.count,
            "n": self.n,
            "low": low,
            "high": high,
            "low_numbers": self.low_numbers,
        }


def share(flags: pd.Series) -> Proportion:
    """The share of True among the answered (non-missing) values of a boolean series."""
    answered = flags.dropna().astype(bool)
    return Proportion(int(answered.sum()), int(answered.size))


def percent(value: float | None) -> str:
    """A share as the report writes it: a whole percentage, halves rounded up ("76%")."""
    if value is None:
        return "-"
    # Why not round(): Python rounds halves to even, the report rounds 78.5% to 79%.
    return f"{math.floor(value * 100 + 0.5)}%"
