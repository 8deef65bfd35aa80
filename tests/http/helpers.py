"""Driving a survey through its pages the way a browser without JavaScript does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from httpx import Response
from litestar.testing import TestClient

from tests.support.csrf import with_csrf
from tests.support.html import Html

FormData = Mapping[str, str | Sequence[str]]


def begin(client: TestClient, slug: str) -> Response:
    """Press "Start now": a new draft and a redirect to the first page."""
    response = client.post(f"/s/{slug}/start", data=with_csrf(client), follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def draft_cookie(client: TestClient) -> str:
    """The draft id the browser holds."""
    value = client.cookies.get("vs_draft")
    assert value, "no draft cookie"
    return value


def post_page(client: TestClient, slug: str, number: int, data: FormData, *, change: bool = False) -> Response:
    """Post one page's answers, without following the redirect."""
    url = f"/s/{slug}/page/{number}" + ("?change=1" if change else "")
    return client.post(url, data=with_csrf(client, dict(data)), follow_redirects=False)


@dataclass
class Walk:
    """Where a walk through the pages ended: the check page, and the page numbers shown on the way."""

    check: Html
    pages: list[int]


def answer_pages(client: TestClient, slug: str, answers: Mapping[int, FormData]) -> Walk:
    """From the first page, post each page shown (answers by page number, blank if not given).

    Follows the service's redirects as a browser would and returns the check-your-answers page.
    Fails if the service shows a page with errors.
    """
    location = begin(client, slug).headers["location"]
    shown = []
    for _ in range(50):
        if location.endswith("/check"):
            break
        number = int(location.rsplit("/", 1)[-1].split("?")[0])
        shown.append(number)
        page = client.get(location)
        assert page.status_code == 200, page.text
        response = post_page(client, slug, number, answers.get(number, {}))
        assert response.status_code == 303, Html(response.text).error_summary
        location = response.headers["location"]
    check = client.get(f"/s/{slug}/check")
    assert check.status_code == 200, check.text
    return Walk(Html(check.text), shown)


def submission_key(check: Html) -> str:
    """The hidden submission key on the check-your-answers page."""
    fields = [e for e in check.all("input") if e.attrs.get("name") == "submission_key"]
    assert len(fields) == 1
    return fields[0].attrs["value"]


def submit(client: TestClient, slug: str, key: str) -> Response:
    """Press "Send my answers"."""
    return client.post(f"/s/{slug}/submit", data=with_csrf(client, {"submission_key": key}), follow_redirects=False)
