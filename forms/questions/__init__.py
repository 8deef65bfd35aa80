"""Question types as plugins: every module in this package defines one type.

Adding a type means one module here (a `Question` subclass with a `type_code`) and one
template partial `templates/questions/<type>.html`; nothing else lists the types.
"""

from __future__ import annotations

import importlib
import pkgutil

from forms.questions.base import QUESTION_TYPES, AnswerError, Cell, Options, Question

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["QUESTION_TYPES", "AnswerError", "Cell", "Options", "Question"]
