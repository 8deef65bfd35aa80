"""Question types as plugins: every module in this package defines one type.

Adding a type means one module here (a `Question` subclass with a `type_code` that also says
how its answers become analysis columns and how to draw a sample answer) and one template
partial `templates/questions/<type>.html`; nothing else lists the types.
"""

from __future__ import annotations

import importlib
import pkgutil

from forms.questions.base import QUESTION_TYPES, AnalysisColumn, AnswerError, Cell, Options, Question

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["QUESTION_TYPES", "AnalysisColumn", "AnswerError", "Cell", "Options", "Question"]
