"""The ASGI entry point for uvicorn: settings from the environment, read once here."""

from __future__ import annotations

import gc

from litestar import Litestar

from voice_service.app import create_app
from voice_service.core.settings import Settings


def create_from_env() -> Litestar:
    """The app, configured from environment variables."""
    app = create_app(Settings.from_env())
    # Why: the modules, templates and app built so far live as long as the process. Frozen, the
    # cyclic garbage collector stops rescanning them, so its full collections take a few ms instead
    # of 100 ms or more, which showed as the p99 latency of submissions (docs/benchmarks.md).
    gc.collect()
    gc.freeze()
    return app
