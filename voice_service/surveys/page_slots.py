"""Kept pages with slots: a page rendered once for its layout, each request's own values put in afterwards.

Why: "check your answers" shows what a person typed, so it could not be kept and was rendered in
full on every visit (its GOV.UK summary list was the largest share of the journey's template CPU).
Rendered with a marker in place of each answer and of the submission key, the page that is kept
holds nothing a person typed; the request's values, escaped as the template would escape them, go
where the markers are.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence

from jinja2.filters import do_indent
from markupsafe import Markup, escape

#: Why random per process: a marker cannot be typed by chance, and values are put in after the one
#: split of the kept page, so a value that held one would not be read as a marker.
_TOKEN = secrets.token_hex(12)
_MARKER = re.compile(f"<!--slot {_TOKEN} ([0-9]+)-->")
#: What the check page shows for a question left unanswered.
NOT_ANSWERED = Markup('<span class="govuk-hint govuk-!-margin-bottom-0">Not answered</span>')


def slot(number: int) -> Markup:
    """The marker a template renders where value `number` goes."""
    return Markup(f"<!--slot {_TOKEN} {number}-->")  # noqa: S704 - a hex token and a number, nothing from input  # nosec B704


def fill_slots(html: str, values: Sequence[str]) -> str:
    """The page with each marker replaced by its value (values are HTML, already escaped)."""
    parts = _MARKER.split(html)
    filled = [parts[0]]
    for at in range(1, len(parts), 2):
        filled.append(values[int(parts[at])])
        filled.append(parts[at + 1])
    return "".join(filled)


def summary_value(lines: Sequence[str]) -> str:
    """An answer's lines as the GOV.UK summary list shows a row's value HTML (escaped, trimmed, indented 6)."""
    html = Markup("<br>").join(escape(line) for line in lines) if lines else NOT_ANSWERED
    return str(do_indent(html.strip(), 6))


def attribute_value(value: str) -> str:
    """A plain value escaped as `{{ value }}` renders it (in an attribute or text)."""
    return str(escape(value))
