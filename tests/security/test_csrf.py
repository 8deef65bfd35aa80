"""Forged form posts: another site cannot start, change or send a survey (or post any staff form)."""

from __future__ import annotations

import re

import pytest
from litestar.testing import TestClient

from tests.http.helpers import answer_pages, draft_cookie, submission_key, submit
from tests.security.conftest import ANSWERS, ORIGIN, SLUG, other_browser, page_routes, post_routes, snapshot
from tests.support.csrf import CSRF_COOKIE, csrf_token, with_csrf
from tests.support.html import Html
from voice_service.core.settings import PROJECT_ROOT, Settings

FORGED_TOKENS = {
    "no token": {},
    "a wrong token": {"_csrf_token": "0" * 128},
    "a token signed with another key": {"_csrf_token": "a" * 64 + "b" * 64},
}


@pytest.mark.usefixtures("mid_survey")
@pytest.mark.parametrize("form", FORGED_TOKENS.values(), ids=FORGED_TOKENS.keys())
def test_a_cross_site_post_to_every_form_is_refused_and_changes_nothing(
    client: TestClient, settings: Settings, form: dict[str, str]
) -> None:
    before = snapshot(settings.database_url)
    for path in post_routes(client.app):
        # The browser sends its cookies (a same-site attacker, or SameSite ignored), but the attacker
        # cannot read the token to put it in the form.
        response = client.post(path, data={**form, "vote": "x"}, headers=ORIGIN, follow_redirects=False)
        if path.startswith("/staff/") and response.status_code == 303:
            # Staff forms turn away a visitor without a session (this one) before the token is read.
            assert response.headers["location"].startswith("/staff/login"), path
            continue
        assert response.status_code == 403, path
        assert "Sorry, that did not work" in Html(response.text).h1
    assert snapshot(settings.database_url) == before


@pytest.mark.usefixtures("mid_survey")
def test_a_cross_site_start_does_not_replace_the_draft_in_progress(client: TestClient, settings: Settings) -> None:
    draft = draft_cookie(client)
    before = snapshot(settings.database_url)
    # A cross-site form post carries no SameSite=Lax cookie: neither the token cookie nor the draft.
    with other_browser(client) as stranger:
        response = stranger.post(f"/s/{SLUG}/start", headers=ORIGIN, follow_redirects=False)
    assert response.status_code == 403
    assert "vs_draft" not in response.headers.get("set-cookie", "")
    assert snapshot(settings.database_url) == before
    assert draft_cookie(client) == draft


def test_the_token_in_the_page_is_the_one_the_form_needs(client: TestClient, settings: Settings) -> None:
    start = Html(client.get(f"/s/{SLUG}").text)
    fields = [e for e in start.all("input") if e.attrs.get("name") == "_csrf_token"]
    assert len(fields) == 1
    assert fields[0].attrs["type"] == "hidden"
    assert fields[0].attrs["value"] == client.cookies[CSRF_COOKIE]
    begun = client.post(f"/s/{SLUG}/start", data={"_csrf_token": fields[0].attrs["value"]}, follow_redirects=False)
    assert begun.status_code == 303


def test_every_form_on_every_page_carries_the_token(client: TestClient) -> None:
    walk = answer_pages(client, SLUG, ANSWERS)
    pages = [client.get(f"/s/{SLUG}"), client.get(f"/s/{SLUG}/page/1"), client.get(f"/s/{SLUG}/check")]
    assert walk.pages
    for page in pages:
        html = Html(page.text)
        forms = html.all("form")
        assert forms, page.url
        tokens = [e for e in html.all("input") if e.attrs.get("name") == "_csrf_token"]
        assert len(tokens) == len(forms), page.url
        assert {e.attrs["value"] for e in tokens} == {csrf_token(client)}


def test_the_token_may_come_in_the_header_instead(client: TestClient) -> None:
    token = csrf_token(client)
    response = client.post(f"/s/{SLUG}/start", headers={"x-csrftoken": token}, follow_redirects=False)
    assert response.status_code == 303


def test_the_token_of_one_browser_does_not_work_in_another(client: TestClient, settings: Settings) -> None:
    stolen = csrf_token(client)
    before = snapshot(settings.database_url)
    with other_browser(client) as other:
        # The other browser has a token cookie of its own; the stolen token does not match it.
        response = other.post(f"/s/{SLUG}/start", data=with_csrf(other) | {"_csrf_token": stolen})
    assert response.status_code == 403
    assert snapshot(settings.database_url) == before


def test_a_token_signed_with_an_old_secret_key_is_replaced_so_a_reload_works(
    client: TestClient, make_client: object
) -> None:
    old = csrf_token(client)
    with make_client(secret_key="a-new-secret") as restarted:  # type: ignore[operator]
        restarted.cookies.set(CSRF_COOKIE, old, domain="testserver.local", path="/")
        refused = restarted.post(f"/s/{SLUG}/start", data={"_csrf_token": old}, follow_redirects=False)
        assert refused.status_code == 403
        fresh = restarted.cookies[CSRF_COOKIE]
        assert fresh != old
        # The person goes back and reloads: the page now carries the new token, and it works.
        assert restarted.get(f"/s/{SLUG}").status_code == 200
        again = restarted.post(f"/s/{SLUG}/start", data={"_csrf_token": fresh}, follow_redirects=False)
        assert again.status_code == 303


def test_a_valid_token_cookie_is_not_replaced_by_a_refused_post(client: TestClient) -> None:
    token = csrf_token(client)
    refused = client.post(f"/s/{SLUG}/start", data={"_csrf_token": "wrong"}, follow_redirects=False)
    assert refused.status_code == 403
    assert "set-cookie" not in refused.headers
    assert client.cookies[CSRF_COOKIE] == token


def test_the_json_api_needs_no_token_and_refuses_form_bodies(client: TestClient, settings: Settings) -> None:
    url = "/api/surveys/make-your-mark/responses"
    assert client.post(url, json={"answers": {"vote": "environment"}}).status_code == 201
    before = snapshot(settings.database_url)
    forged = client.post(url, data={"answers": "vote"}, headers=ORIGIN)
    assert forged.status_code == 415
    assert snapshot(settings.database_url) == before


def test_nothing_changes_state_on_a_get(client: TestClient, settings: Settings) -> None:
    # Every page there is, with a survey in progress: opening them stores and changes nothing.
    walk = answer_pages(client, SLUG, ANSWERS)
    key = submission_key(walk.check)
    before = snapshot(settings.database_url)
    pages = [*page_routes(client.app), *(f"/s/{SLUG}/page/{n}" for n in walk.pages)]
    for path in pages:
        for method in ("GET", "HEAD"):
            client.request(method, path, follow_redirects=False)
            client.request(method, path + "?change=1", follow_redirects=False)
    assert snapshot(settings.database_url) == before
    assert submit(client, SLUG, key).headers["location"] == f"/s/{SLUG}/done"


def test_every_post_form_in_the_templates_carries_the_token() -> None:
    # Why: a new form without the token would be refused for everyone; this names it before a person meets it.
    forms = re.compile(r"<form\b[^>]*method=[\"']post[\"'][^>]*>(.*?)</form>", re.DOTALL | re.IGNORECASE)
    missing = []
    seen = 0
    for template in sorted((PROJECT_ROOT / "templates").rglob("*.html")):
        for body in forms.findall(template.read_text(encoding="utf-8")):
            seen += 1
            if "{{ csrf_input | safe }}" not in body:
                missing.append(str(template.relative_to(PROJECT_ROOT)))
    assert seen >= 3
    assert missing == []
