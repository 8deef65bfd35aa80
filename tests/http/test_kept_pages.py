"""Whole survey pages kept: the same HTML as a fresh render, each browser's own CSRF token, nothing typed kept."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from forms import Survey
from forms.definition import Page
from tests.conftest import FORMS_DIR
from tests.http.helpers import begin, post_page
from tests.support.csrf import CSRF_COOKIE
from voice_service.core.web.templating import KeptPages, build_environment, nothing_typed
from voice_service.surveys.catalog import SurveyCatalog

TEMPLATES = Path(__file__).parents[2] / "templates"
CATALOG = SurveyCatalog.from_folder(FORMS_DIR)
PAGES = [(s, p) for s in CATALOG.surveys.values() for p in s.pages]
#: Renders each page afresh (its own environment: nothing kept by the one under test).
PLAIN = build_environment(TEMPLATES)
TOKEN = '<input type="hidden" name="_csrf_token" value="token-one" />'
OTHER = '<input type="hidden" name="_csrf_token" value="token-&lt;two&gt;" />'
SLUG = "young-people-voice"


def page_context(survey: Survey, page: Page, values: dict[str, list[str]]) -> dict[str, Any]:
    """A question page's context, as the journey gives it."""
    return {
        "survey": survey,
        "page": page,
        "questions": list(page.questions),
        "values": values,
        "errors": {},
        "error_list": [],
        "back_url": f"/s/{survey.slug}",
        "action": f"/s/{survey.slug}/page/{page.number}",
        "step": 1,
        "steps": len(survey.pages),
    }


def first_options(page: Page) -> dict[str, list[str]]:
    """Each question with options answered with its first option."""
    chosen = {}
    for question in page.questions:
        options = getattr(question, "options", None)
        if options is not None:
            chosen |= {name: [options.values[0]] for name in question.field_names()}
    return chosen


def fresh(name: str, context: dict[str, Any], csrf_input: str) -> str:
    return PLAIN.get_template(name).render({**context, "csrf_input": csrf_input})


@pytest.mark.parametrize(("survey", "page"), PAGES, ids=[f"{s.slug}:{p.number}" for s, p in PAGES])
def test_a_kept_question_page_is_the_page_a_fresh_render_gives(survey: Survey, page: Page) -> None:
    kept = KeptPages(build_environment(TEMPLATES))
    for values in ({}, first_options(page)):
        context = page_context(survey, page, values)
        assert kept.render("survey/page.html", context, TOKEN) == fresh("survey/page.html", context, TOKEN)
        # Kept now: the next browser gets the same page with its own token in the one place.
        again = kept.render("survey/page.html", context, OTHER)
        assert again == fresh("survey/page.html", context, OTHER)
        assert again.count("_csrf_token") == 1
        assert "token-one" not in again


@pytest.mark.parametrize("survey", list(CATALOG.surveys.values()), ids=lambda s: s.slug)
def test_kept_start_and_confirmation_pages_are_what_a_fresh_render_gives(survey: Survey) -> None:
    kept = KeptPages(build_environment(TEMPLATES))
    for sent, expired in ((False, False), (True, False), (False, True)):
        context = {"survey": survey, "pages": len(survey.pages), "sent": sent, "expired": expired}
        for token in (TOKEN, OTHER):
            assert kept.render("survey/start.html", context, token) == fresh("survey/start.html", context, token)
    for flagged in (False, True):
        context = {"survey": survey, "flagged": flagged}
        assert kept.render("survey/done.html", context, TOKEN) == fresh("survey/done.html", context, TOKEN)
        assert kept.render("survey/done.html", context, OTHER) == fresh("survey/done.html", context, OTHER)
    assert len(kept) == 5


def test_a_different_context_is_a_different_page() -> None:
    survey = CATALOG.surveys[SLUG]
    page = survey.pages[1]
    kept = KeptPages(build_environment(TEMPLATES))
    context = page_context(survey, page, {})
    kept.render("survey/page.html", context, TOKEN)
    for change in ({"step": 2}, {"step": True}, {"back_url": "/s/other"}, {"values": first_options(page)}):
        changed = {**context, **change}
        assert kept.render("survey/page.html", changed, TOKEN) == fresh("survey/page.html", changed, TOKEN)
    assert len(kept) == 5


def test_kept_pages_are_bounded_and_not_kept_while_templates_reload() -> None:
    survey = CATALOG.surveys[SLUG]
    kept = KeptPages(build_environment(TEMPLATES), max_entries=2)
    for page in survey.pages:
        kept.render("survey/page.html", page_context(survey, page, {}), TOKEN)
    assert len(kept) == 2
    # And by size: a page of about 5-15 thousand characters does not fit in 3,000.
    small = KeptPages(build_environment(TEMPLATES), max_chars=3000)
    html = small.render("survey/page.html", page_context(survey, survey.pages[0], {}), TOKEN)
    assert len(html) > 3000
    assert len(small) == 0
    roomy = KeptPages(build_environment(TEMPLATES), max_chars=2 * len(html) + 10)
    for page in survey.pages[:3]:
        roomy.render("survey/page.html", page_context(survey, page, {}), TOKEN)
    assert 1 <= len(roomy) <= 2
    reloading = KeptPages(build_environment(TEMPLATES, auto_reload=True))
    reloading.render("survey/page.html", page_context(survey, survey.pages[0], {}), TOKEN)
    assert len(reloading) == 0


def test_only_options_or_nothing_count_as_nothing_typed() -> None:
    survey = CATALOG.surveys[SLUG]
    choice = survey.by_id["views_difference"]
    typed = next(q for q in survey.questions if q.type_code == "textarea")
    assert nothing_typed([choice, typed], {})
    assert nothing_typed([choice, typed], {choice.id: [choice.options.values[0]], typed.id: [""]})
    assert not nothing_typed([choice, typed], {typed.id: ["I typed this"]})
    assert not nothing_typed([choice], {choice.id: ["not-an-option"]})
    # A field of no question on the page is not known to be harmless.
    assert not nothing_typed([choice], {"something_else": [""]})


# --------------------------------------------------------------------------- through the app


def kept_pages(client: TestClient) -> KeptPages:
    kept = client.app.template_engine.engine.kept_pages
    assert isinstance(kept, KeptPages)
    return kept


def token_in(html: str) -> str:
    found = re.findall(r'name="_csrf_token" value="([^"]*)"', html)
    assert len(found) == 1
    return found[0]


def test_two_browsers_get_the_same_page_each_with_its_own_token(client: TestClient) -> None:
    first = begin(client, SLUG).headers["location"]
    page_one = client.get(first)
    assert page_one.status_code == 200
    first_token = client.cookies.get(CSRF_COOKIE)
    assert token_in(page_one.text) == first_token
    assert page_one.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in page_one.headers["content-security-policy"]
    kept = len(kept_pages(client))
    # The next browser: no cookies, so a token and a draft of its own.
    client.cookies.clear()
    page_two = client.get(begin(client, SLUG).headers["location"])
    assert token_in(page_two.text) == client.cookies.get(CSRF_COOKIE) != first_token
    assert page_two.text.replace(token_in(page_two.text), "T") == page_one.text.replace(first_token or "", "T")
    assert len(kept_pages(client)) == kept
    # The page each browser got posts with that browser's token.
    assert post_page(client, SLUG, 1, {}).status_code == 303


def test_a_page_showing_typed_text_or_errors_is_rendered_escaped_and_not_kept(client: TestClient) -> None:
    survey = CATALOG.surveys[SLUG]
    page = next(p for p in survey.pages if any(q.type_code == "textarea" for q in p.questions))
    typed = next(q for q in page.questions if q.type_code == "textarea")
    begin(client, SLUG)
    url = f"/s/{SLUG}/page/{page.number}"
    client.get(url)
    kept = kept_pages(client)
    before = len(kept)
    assert post_page(client, SLUG, page.number, {typed.id: "<b>mine</b> & no one else's"}).status_code == 303
    shown = client.get(url)
    assert "&lt;b&gt;mine&lt;/b&gt; &amp; no one else&#39;s" in shown.text
    assert "<b>mine</b>" not in shown.text
    assert len(kept) == before
    # A refused page shows what was posted: never kept either.
    refused = post_page(client, SLUG, page.number, {typed.id: "<i>" * typed.max_length})
    assert refused.status_code == 200
    assert "govuk-error-summary" in refused.text
    assert "&lt;i&gt;&lt;i&gt;" in refused.text
    assert len(kept) == before
