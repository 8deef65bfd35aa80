"""The Jinja environment: our templates plus the GOV.UK Frontend macros, autoescaped."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, Template, select_autoescape
from markupsafe import Markup

from voice_service.core.partnership import Partnership


def build_environment(
    templates_dir: Path, partnership: Partnership | None = None, *, auto_reload: bool = False
) -> Environment:
    """Templates escape everything by default: all text a person typed is shown as text.

    `auto_reload` checks every template file for changes on each use (development only: it costs
    a stat of each file a page uses on every request).
    """
    partnership = partnership or Partnership()
    loader = ChoiceLoader(
        [
            FileSystemLoader(templates_dir),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja", "templates")}),
        ]
    )
    env = SharedGlobalsEnvironment(
        loader=loader, autoescape=select_autoescape(["html", "xml"], default=True), auto_reload=auto_reload
    )
    env.globals.update(option_items=option_items, select_items=select_items, question_label=question_label)
    env.globals["question_fields"] = QuestionFields(env)
    env.globals["partnership"] = partnership
    env.globals["service_name"] = partnership.service_name
    env.globals["partnership_name"] = partnership.name
    return env


class SharedGlobalsEnvironment(Environment):
    """An environment whose templates read its globals directly, as none has globals of its own.

    Why: Jinja gives each template a ChainMap over the globals, and every `{% from ... import %}`
    compares the render's globals with it key by key in Python: a third of a page's render time
    (the GOV.UK template and its macros import a dozen times per page). Template-level globals,
    the one case where a ChainMap keeps them apart, are refused.
    """

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """The environment's own globals when a template adds none (the ChainMap otherwise)."""
        return self.globals if not d else super().make_globals(d)

    def get_template(
        self, name: str | Template, parent: str | None = None, globals: MutableMapping[str, Any] | None = None
    ) -> Template:
        """As Jinja's, without template-level globals (they would land in the shared globals)."""
        _refuse_template_globals(globals)
        return super().get_template(name, parent)

    def select_template(
        self,
        names: Iterable[str | Template],
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> Template:
        """As Jinja's, without template-level globals (they would land in the shared globals)."""
        _refuse_template_globals(globals)
        return super().select_template(names, parent)


def _refuse_template_globals(globals_: MutableMapping[str, Any] | None) -> None:
    if globals_:
        raise ValueError("templates take no globals of their own here: pass the values in the render context")


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


class QuestionFields:
    """A question's form fields as HTML, kept while they depend only on the question, its choices and its error.

    Why: the GOV.UK macros cost most of a question page's CPU, yet a question shown empty (every
    first visit) or with some of its options chosen renders the same every time. Nothing a person
    typed is kept: fields holding text, or a value that is not one of the question's options, are
    rendered afresh each time. Entries hold their survey and question, so an id in a key is never reused.
    """

    def __init__(self, env: Environment, max_entries: int = 1000) -> None:
        self._env = env
        self._max_entries = max_entries
        self._kept: OrderedDict[tuple[Any, ...], tuple[Any, Any, Markup]] = OrderedDict()

    def __call__(
        self, question: Any, survey: Any, values: Mapping[str, Sequence[str]], error: str | None = None
    ) -> Markup:
        """The question's fields showing `values` (form field -> values) and `error`."""
        chosen = tuple((name, tuple(values.get(name) or ())) for name in question.field_names())
        # Why not with auto_reload: a template edited during development must show at once.
        keep = not self._env.auto_reload and _only_options(question, chosen)
        key = (id(survey), id(question), chosen, error) if keep else None
        if key is not None and (kept := self._kept.get(key)) is not None:
            self._kept.move_to_end(key)
            return kept[2]
        template = self._env.get_template(question.template)
        # Why Markup is safe here: the partial is rendered by this autoescaping environment, so every
        # value in it was escaped already; wrapping only stops the page escaping it a second time.
        rendered = template.render(question=question, survey=survey, values=values, error=error)
        html = Markup(rendered)  # noqa: S704  # nosec B704
        if key is not None:
            self._kept[key] = (survey, question, html)
            if len(self._kept) > self._max_entries:
                self._kept.popitem(last=False)
        return html

    def __len__(self) -> int:
        """How many renderings are kept."""
        return len(self._kept)


def _only_options(question: Any, chosen: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    """Whether every value shown is empty or one of the question's own options (nothing typed)."""
    options = getattr(question, "options", None)
    allowed = set(options.values) if options is not None else set()
    return all(value == "" or value in allowed for _, values in chosen for value in values)
