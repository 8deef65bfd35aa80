"""The Jinja environment: our templates plus the GOV.UK Frontend macros, autoescaped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, select_autoescape

from voice_service.core.partnership import Partnership


def build_environment(templates_dir: Path, partnership: Partnership | None = None) -> Environment:
    """Templates escape everything by default: all text a person typed is shown as text."""
    partnership = partnership or Partnership()
    loader = ChoiceLoader(
        [
            FileSystemLoader(templates_dir),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
        ]
    )
    env = Environment(loader=loader, autoescape=select_autoescape(["html", "xml"], default=True))
    env.globals.update(option_items=option_items, select_items=select_items, question_label=question_label)
    env.globals["partnership"] = partnership
    env.globals["service_name"] = partnership.service_name
    env.globals["partnership_name"] = partnership.name
    return env


def option_items(options: Any, selected: list[str] | None) -> list[dict[str, Any]]:
    """Radio or checkbox items for GOV.UK macros, ticking the selected values."""
    chosen = set(selected or [])
    return [{"value": value, "text": label, "checked": value in chosen} for value, label in options.items]


def select_items(options: Any, selected: list[str] | None, prompt: str = "Choose") -> list[dict[str, Any]]:
    """Select items with an empty first choice."""
    chosen = set(selected or []) - {""}
    first = [{"value": "", "text": prompt, "selected": not chosen}]
    return first + [{"value": v, "text": label, "selected": v in chosen} for v, label in options.items]


def question_label(question: Any, survey: Any = None) -> str:
    """A question's label, marked '(optional)' when it may be left blank (GOV.UK style).

    Not when every question of the survey is optional: the start page says so once instead.
    """
    if question.required or (survey is not None and survey.all_optional):
        return str(question.label)
    return f"{question.label} (optional)"
