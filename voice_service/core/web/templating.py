"""The Jinja environment: our templates plus the GOV.UK Frontend macros, autoescaped."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, Template, select_autoescape
from litestar import Request
from markupsafe import Markup

from voice_service.core.partnership import Partnership
from voice_service.core.web.security.csrf import csrf_input


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
    env.kept_pages = KeptPages(env)
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

    #: Whole pages rendered once and kept (build_environment sets it).
    kept_pages: KeptPages | None = None

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


def nothing_typed(questions: Iterable[Any], values: Mapping[str, Sequence[str]]) -> bool:
    """Whether `values` (form field -> values) hold only the questions' own options or nothing: no typed text."""
    owners = {name: question for question in questions for name in question.field_names()}
    return all(
        name in owners and _only_options(owners[name], ((name, tuple(shown)),)) for name, shown in values.items()
    )


def _only_options(question: Any, chosen: tuple[tuple[str, tuple[str, ...]], ...]) -> bool:
    """Whether every value shown is empty or one of the question's own options (nothing typed)."""
    options = getattr(question, "options", None)
    allowed = set(options.values) if options is not None else set()
    return all(value == "" or value in allowed for _, values in chosen for value in values)


class KeptPages:
    """Whole pages rendered once per template and context, with each request's CSRF field put in.

    Why: a question page seen for the first time, a start page and a confirmation are the same HTML
    for everyone who sees them with the same context; rendering the GOV.UK page around them was most
    of their CPU. Only for pages the caller knows show nothing a person typed (the survey pages decide
    that): the context is the key, so a typed answer would be kept in memory. The key holds every value
    of the context; objects (a survey, a page, a question) by identity, each entry holding them so an
    id is never reused while it is kept. Templates of kept pages get no `request`.
    """

    def __init__(self, env: Environment, max_entries: int = 2000, max_chars: int = 2_000_000) -> None:
        self._env = env
        self._max_entries = max_entries
        # Why a size bound too: options chosen on going back make many variants of a page, and each
        # is 4-15 thousand characters; a worker's memory must not grow with them (2 million: 2-4 MiB).
        self._max_chars = max_chars
        self._chars = 0
        self._kept: OrderedDict[Hashable, tuple[list[Any], tuple[str, ...]]] = OrderedDict()
        # Why random: it marks where the CSRF field goes and cannot occur in a page by chance.
        self._marker = f"<!-- csrf {secrets.token_hex(16)} -->"

    def render(self, template_name: str, context: Mapping[str, Any], csrf_input: str) -> str:
        """The page as `template_name` renders `context`, with `csrf_input` where the template puts it."""
        held: list[Any] = []
        key = (template_name, _frozen(context, held))
        if (kept := self._kept.get(key)) is not None:
            self._kept.move_to_end(key)
            return csrf_input.join(kept[1])
        html = self._env.get_template(template_name).render({**context, "csrf_input": self._marker})
        parts = tuple(html.split(self._marker))
        # Why not with auto_reload: a template edited during development must show at once.
        if not self._env.auto_reload:
            self._kept[key] = (held, parts)
            self._chars += len(html)
            while len(self._kept) > self._max_entries or self._chars > self._max_chars:
                _, (_, gone) = self._kept.popitem(last=False)
                self._chars -= sum(map(len, gone)) + len(self._marker) * (len(gone) - 1)
        return csrf_input.join(parts)

    def __len__(self) -> int:
        """How many pages are kept."""
        return len(self._kept)


def kept_page(request: Request[Any, Any, Any], template_name: str, context: Mapping[str, Any]) -> str:
    """A page that shows nothing a person typed, from the app's kept pages, with this request's CSRF field."""
    environment = getattr(request.app.template_engine, "engine", None)
    kept = getattr(environment, "kept_pages", None)
    if not isinstance(kept, KeptPages):
        raise TypeError("the app's templates are not from build_environment, which keeps pages")
    return kept.render(template_name, context, csrf_input(request))


def _frozen(value: Any, held: list[Any]) -> Hashable:
    """A hashable key equal only for contexts that render alike: plain values by value, objects by identity."""
    if value is None or isinstance(value, str | int | float):
        # Why the type too: 1, 1.0 and True are equal keys in Python but render differently.
        return (type(value), value)
    if isinstance(value, Mapping):
        return (dict, tuple((k, _frozen(v, held)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (list, tuple(_frozen(v, held) for v in value))
    held.append(value)
    return (object, id(value))
