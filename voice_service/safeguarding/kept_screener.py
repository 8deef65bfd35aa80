"""The web worker's screener kept as the pickled parts its screening child is built from.

A worker that screens in a child process (screening_process.py) still needs a screener for when the
child cannot: not started, dead, too slow, or failed on a text. Built, that screener held 20-23 MiB
of the worker (its word indexes, the English word list, the phrase book and the learned model;
docs/benchmarks.md, "Memory per worker"); pickled, its phrase book and model take about 2.3 MiB.
`shipped()` builds them in the short-lived child that fits the model anyway, so the worker holds
only the bytes, sends the same bytes to every screening child it starts, and builds a screener of
its own from them only the first time it has to screen itself. The outcomes are the same.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import pickle
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from forms.problems import DefinitionError, DefinitionProblem
from voice_service.safeguarding import screening
from voice_service.safeguarding.examples import EXAMPLES_FILE, SETS_FILE
from voice_service.safeguarding.screener_cache import ScreenerCache, parts_key
from voice_service.safeguarding.screening import Screener, load_screener

log = logging.getLogger(__name__)

PICKLE = pickle.HIGHEST_PROTOCOL


def screener_parts(screener: Screener) -> tuple[bytes, bytes]:
    """What a screener is rebuilt from: its phrase book and its learned model, each pickled on its own.

    Why parts: pickling the whole screener (its word indexes and caches) took 10 MiB at its peak,
    and the receiver rebuilds those as the screener's own constructor did. A subclass is sent whole,
    so whatever it changes goes with it.
    """
    if type(screener) is Screener:
        return pickle.dumps(("book", screener.book), PICKLE), pickle.dumps(screener.model, PICKLE)
    return pickle.dumps(("whole", screener), PICKLE), pickle.dumps(None, PICKLE)


def rebuild(parts: Sequence[bytes]) -> Screener:
    """The screener the parts were made from (this service's own processes made them, or its signed cache kept them)."""
    kind, payload = pickle.loads(parts[0])  # noqa: S301 - our own bytes, never a user's  # nosec B301
    if kind == "whole":
        return payload  # type: ignore[no-any-return]
    return Screener(payload, pickle.loads(parts[1]))  # noqa: S301 - as above  # nosec B301


class KeptScreener:
    """A screener as its pickled parts; built in this process only when this process must screen."""

    def __init__(self, parts: Sequence[bytes], built: Screener | None = None) -> None:
        self.parts = tuple(parts)
        self._built = built

    @classmethod
    def of(cls, screener: Screener) -> KeptScreener:
        """A screener already built (tests, benchmarks, a subclass): kept built, its parts pickled now."""
        return cls(screener_parts(screener), screener)

    @property
    def built(self) -> bool:
        """Whether this process holds the built screener."""
        return self._built is not None

    def screener(self) -> Screener:
        """The screener, built from the parts the first time (about 0.35 s of CPU and 20 MiB, kept after)."""
        if self._built is None:
            log.warning("building the disclosure screener in this process, to screen here")
            self._built = rebuild(self.parts)
        return self._built


def shipped(cache: ScreenerCache | None = None) -> KeptScreener:
    """The shipped phrase and examples files' screener, not built (its parts made once per process, in a child).

    With a cache, parts signed there for the same files and code are used instead of fitting again.
    """
    # Why the module's name at call time: tests point the service at another phrase file.
    return KeptScreener(_shipped_parts(screening.DEFAULT_FILE, EXAMPLES_FILE, cache))


@functools.cache
def _shipped_parts(path: Path, examples: Path, cache: ScreenerCache | None = None) -> tuple[bytes, ...]:
    if cache is None:
        return _fitted_parts(path, examples)
    key = parts_key((path, examples, SETS_FILE))
    kept = cache.read(key)
    if kept is None:
        kept = _fitted_parts(path, examples)
        cache.write(key, kept)
    return kept


def _fitted_parts(path: Path, examples: Path) -> tuple[bytes, ...]:
    """The parts of these files' screener, its model fitted in a child process."""
    # Why spawn: a fresh interpreter, safe beside the threads a running service already has.
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as child:
        parts, problems = child.submit(_parts_of_files, path, examples).result()
    if problems:
        # A broken file stops the start as it does in-process, every problem with its line.
        raise DefinitionError(problems)
    return parts


def _parts_of_files(path: Path, examples: Path) -> tuple[tuple[bytes, ...], list[DefinitionProblem]]:
    """In the child: the screener of these files as parts, or the problems that refuse them."""
    try:
        built = load_screener(path, examples, in_child=False)
    except DefinitionError as exc:
        # Why the problems, not the error: DefinitionError takes a list, so it does not unpickle itself.
        return (), exc.problems
    if built.model is not None:
        # The scikit-learn pipelines stay here: the plain weights score without them.
        built.model.drop_pipelines()
    return screener_parts(built), []
