"""Per-address limits on starting drafts and sending answers: a flood gets 429, a whole class does not."""

from __future__ import annotations

import pytest

from tests.http.helpers import answer_pages, begin, submission_key, submit
from tests.support import database
from tests.support.apps import ClientFactory
from tests.support.csrf import with_csrf
from tests.support.html import Html
from voice_service.core.settings import Settings
from voice_service.core.web.security.limits import DRAFTS, Bucket, RateLimits, Window

BALLOT = "make-your-mark"
API = f"/api/surveys/{BALLOT}/responses"
VOTE = {"answers": {"vote": "environment"}}


def assert_retry_after(response: object, most: int) -> int:
    seconds = int(response.headers["retry-after"])  # type: ignore[attr-defined]
    assert 1 <= seconds <= most
    return seconds


def test_starting_drafts_is_limited_with_a_friendly_page(make_client: ClientFactory, settings: Settings) -> None:
    with make_client(drafts_per_minute=3) as client:
        for _ in range(3):
            begin(client, BALLOT)
        refused = client.post(f"/s/{BALLOT}/start", data=with_csrf(client), follow_redirects=False)
    assert refused.status_code == 429
    assert_retry_after(refused, 60)
    html = Html(refused.text)
    assert html.h1 == "Lots of people are using this at the same time"
    assert "Please wait a minute and then press Start now again." in refused.text
    assert refused.headers["cache-control"] == "no-store"
    assert database.count(settings.database_url, "draft") == 3


def test_sending_answers_by_page_and_by_api_share_one_limit(make_client: ClientFactory, settings: Settings) -> None:
    with make_client(submissions_per_minute=2) as client:
        walk = answer_pages(client, BALLOT, {1: {"vote": "transport"}})
        assert client.post(API, json=VOTE).status_code == 201
        assert client.post(API, json=VOTE).status_code == 201
        api = client.post(API, json=VOTE)
        page = submit(client, BALLOT, submission_key(walk.check))
        assert database.count(settings.database_url, "response") == 2
        # The draft is kept: the answers can still be sent once the wait is over.
        assert database.count(settings.database_url, "draft") == 1
    assert api.status_code == 429
    assert api.json() == {"status_code": 429, "detail": api.json()["detail"]}
    assert "wait a minute" in api.json()["detail"]
    assert_retry_after(api, 60)
    assert page.status_code == 429
    assert "Answers you have not sent yet are kept." in page.text
    assert_retry_after(page, 60)


def test_the_hourly_cap_says_how_many_minutes_to_wait(make_client: ClientFactory) -> None:
    with make_client(submissions_per_minute=0, submissions_per_hour=2) as client:
        assert [client.post(API, json=VOTE).status_code for _ in range(3)] == [201, 201, 429]
        refused = client.post(API, json=VOTE)
    assert assert_retry_after(refused, 3600) > 60
    assert "minutes" in refused.json()["detail"]


def test_refused_forgeries_do_not_use_up_a_school_s_limit(make_client: ClientFactory) -> None:
    # Why: a page elsewhere must not be able to spend a school's allowance through the pupils' browsers.
    with make_client(drafts_per_minute=1) as client:
        for _ in range(5):
            assert client.post(f"/s/{BALLOT}/start", data={"_csrf_token": "forged"}).status_code == 403
        assert begin(client, BALLOT).status_code == 303


@pytest.mark.parametrize("limits", [{}, {"drafts_per_minute": 0, "submissions_per_minute": 0}])
def test_a_school_assembly_behind_one_address_can_all_vote(
    make_client: ClientFactory, settings: Settings, limits: dict[str, int]
) -> None:
    with make_client(**limits) as client:
        # A class of 30 through the pages, then an assembly of 270 more through the API, in one minute.
        for _ in range(30):
            walk = answer_pages(client, BALLOT, {1: {"vote": "transport"}})
            assert submit(client, BALLOT, submission_key(walk.check)).status_code == 303
        statuses = {client.post(API, json=VOTE).status_code for _ in range(270)}
    assert statuses == {201}
    assert database.count(settings.database_url, "response") == 300


def scope(address: str) -> dict[str, object]:
    return {"client": (address, 50000)}


def test_limits_count_each_address_apart_and_an_ipv6_network_as_one() -> None:
    limits = RateLimits(Settings(drafts_per_minute=1, drafts_per_hour=0))
    limits.check(DRAFTS, scope("192.0.2.1"))
    limits.check(DRAFTS, scope("192.0.2.2"))
    limits.check(DRAFTS, scope("2001:db8:1:1::1"))
    for same in ("192.0.2.1", "::ffff:192.0.2.2", "2001:db8:1:1::2", "2001:db8:1:1:ffff::9"):
        with pytest.raises(Exception, match="wait") as refused:
            limits.check(DRAFTS, scope(same))
        assert getattr(refused.value, "status_code", None) == 429
    limits.check(DRAFTS, scope("2001:db8:1:2::1"))  # another /64: another household or school


def test_no_address_is_kept_only_a_keyed_hash() -> None:
    limits = RateLimits(Settings())
    limits.check(DRAFTS, scope("198.51.100.7"))
    window = limits.buckets[DRAFTS].windows[0]
    keys = list(window._counts)
    assert len(keys) == 1
    assert b"198.51.100.7" not in keys[0]
    assert len(keys[0]) == 16
    # Another process (another key) hashes the same address differently.
    assert RateLimits(Settings()).client_key(scope("198.51.100.7")) != keys[0]


def test_a_window_forgets_its_clients_when_it_ends() -> None:
    bucket = Bucket("test", [Window(2, 60), Window(0, 3600)])
    assert len(bucket.windows) == 1, "a limit of 0 turns its window off"
    assert [bucket.hit(b"a", 0.0), bucket.hit(b"a", 1.0)] == [0.0, 0.0]
    assert bucket.hit(b"a", 2.0) == pytest.approx(58.0)
    assert bucket.hit(b"a", 60.0) == 0.0
    assert bucket.windows[0]._counts == {b"a": 1}


def test_limits_are_settings_read_from_the_environment() -> None:
    env = {
        "DRAFTS_PER_MINUTE": "0",
        "DRAFTS_PER_HOUR": "10",
        "SUBMISSIONS_PER_MINUTE": "5",
        "SUBMISSIONS_PER_HOUR": "0",
    }
    settings = Settings.from_env(env)
    assert (settings.drafts_per_minute, settings.drafts_per_hour) == (0, 10)
    assert (settings.submissions_per_minute, settings.submissions_per_hour) == (5, 0)
    defaults = Settings.from_env({})
    assert defaults.drafts_per_minute >= 30
    assert defaults.submissions_per_minute >= 30
