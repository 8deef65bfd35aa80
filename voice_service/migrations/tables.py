"""Every domain's tables, imported so the metadata the migrations compare against is complete."""

from __future__ import annotations

import importlib

#: One module per domain that defines tables; a new domain adds its module here.
TABLE_MODULES = (
    "voice_service.core.tables",
    "voice_service.surveys.tables",
    "voice_service.accounts.tables",
    "voice_service.training.tables",
    "voice_service.voice.tables",
    "voice_service.safeguarding.tables",
)


def register_tables() -> None:
    """Import each domain's table module so its tables join the shared metadata."""
    for module in TABLE_MODULES:
        importlib.import_module(module)
