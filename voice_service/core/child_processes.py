"""What the service's helper processes share: keeping packages they never use out of their memory."""

from __future__ import annotations

import sys
from collections.abc import Iterable


def refuse_imports(names: Iterable[str]) -> None:
    """Make importing these packages fail in this process (a `None` in `sys.modules` refuses it).

    Why: a library may import a package it treats as optional; refused, it goes without, and the
    helper process does not carry it.
    """
    for name in names:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]
