"""A module imported on first use of one of its attributes, so importing a module that names it costs nothing.

pandas costs a web worker about 33 MiB; the service's modules name it at the top, but only reports,
exports and staff pages use it. Each such module binds `pd = LazyModule("pandas")` for the running
code (and `import pandas as pd` for the type checker), and pandas loads when a function first
reaches for `pd.<something>`.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

__all__ = ["LazyModule"]


class LazyModule:
    """Stands for the module `name`; the first attribute asked of it imports the module (once)."""

    def __init__(self, name: str) -> None:
        self._name = name
        self._module: ModuleType | None = None

    def __getattr__(self, attribute: str) -> Any:
        # Only reached for the module's attributes: `_name` and `_module` are the instance's own.
        module = self._module
        if module is None:
            # Why import_module: it takes the import lock, so two threads never see a half-built module.
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attribute)

    def __repr__(self) -> str:
        state = "imported" if self._module is not None else "not imported yet"
        return f"<LazyModule {self._name!r} ({state})>"
