"""The ASGI entry point for uvicorn: settings from the environment, read once here."""

from __future__ import annotations

from litestar import Litestar

from voice_service.settings import Settings
from voice_service.web.app import create_app


def create_from_env() -> Litestar:
    """The app, configured from environment variables."""
    return create_app(Settings.from_env())
