"""Cookie attributes with SECURE_COOKIES off and on: HttpOnly, SameSite, Secure, and __Host- where the path allows."""

from __future__ import annotations

from litestar.testing import TestClient

from tests.http.helpers import answer_pages, begin, submission_key, submit

BALLOT = "make-your-mark"


def cookies_by_name(response: object) -> dict[str, list[str]]:
    """Each Set-Cookie header as its lower-cased attributes, by cookie name."""
    found = {}
    for header in response.headers.get_list("set-cookie"):  # type: ignore[attr-defined]
        name = header.split("=", 1)[0]
        found[name] = [part.strip().lower() for part in header.split(";")[1:]]
    return found


def journey_cookies(client: TestClient) -> dict[str, list[list[str]]]:
    """Every cookie the service sets over a whole journey and the start of the next, each time it sets it."""
    seen: dict[str, list[list[str]]] = {}
    first = client.get("/")
    walk = answer_pages(client, BALLOT, {1: {"vote": "environment"}})
    sent = submit(client, BALLOT, submission_key(walk.check))
    again = begin(client, BALLOT)
    for response in (first, sent, again):
        for name, attributes in cookies_by_name(response).items():
            seen.setdefault(name, []).append(attributes)
    return seen


def test_over_plain_http_cookies_are_httponly_samesite_and_not_secure(client: TestClient) -> None:
    seen = journey_cookies(client)
    # vs_help (the "help first" marker) is cleared when the next attempt starts.
    assert set(seen) == {"vs_csrf", "vs_draft", "vs_sent", "vs_help"}
    for name, settings in seen.items():
        for attributes in settings:
            assert "httponly" in attributes, name
            assert "samesite=lax" in attributes, name
            assert "secure" not in attributes, name
    assert all("path=/" in a for a in seen["vs_csrf"])


def test_with_secure_cookies_every_cookie_is_secure_and_the_token_is_host_only(secure_client: TestClient) -> None:
    seen = journey_cookies(secure_client)
    assert set(seen) == {"__Host-vs_csrf", "vs_draft", "vs_sent", "vs_help"}
    for name, settings in seen.items():
        for attributes in settings:
            assert "secure" in attributes, (name, attributes)
            assert "httponly" in attributes, name
            assert "samesite=lax" in attributes, name
    # __Host-: Secure, Path=/ and no Domain, so no other host can set or read it.
    for attributes in seen["__Host-vs_csrf"]:
        assert "path=/" in attributes
        assert not any(a.startswith("domain=") for a in attributes)
    # The draft and "sent" cookies belong to one survey's pages, so they keep their path.
    for name in ("vs_draft", "vs_sent", "vs_help"):
        assert all(f"path=/s/{BALLOT}" in a for a in seen[name])


def test_the_cookies_that_clear_the_draft_and_mark_sent_are_secure(secure_client: TestClient) -> None:
    walk = answer_pages(secure_client, BALLOT, {1: {"vote": "environment"}})
    sent = cookies_by_name(submit(secure_client, BALLOT, submission_key(walk.check)))
    assert "max-age=0" in sent["vs_draft"]
    assert "secure" in sent["vs_draft"]
    # The marker lasts as long as a ballot may stay open, so this browser is told its answers were sent
    # (never that they were lost) on every page of the survey; it holds "1", nothing that identifies anyone.
    assert "max-age=2592000" in sent["vs_sent"]
    assert "secure" in sent["vs_sent"]
    assert secure_client.get(f"/s/{BALLOT}/done").status_code == 200
