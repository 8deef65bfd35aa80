"""The audit log page and its CSV download: filters, dates with clear errors, pages, and both audited."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from litestar.testing import TestClient

from tests.accounts.conftest import audit_actions
from tests.support.html import Html
from tests.support.staff import FIXED_USERS
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.core.tables import AUDIT_EVENTS

StaffClient = Callable[[str], TestClient]


def _record(settings: Settings, events: list[tuple[str, str, str, datetime | None]]) -> None:
    """Audit events (actor label, action, target id, when: None for now), oldest first."""

    async def run() -> None:
        engine = create_engine(settings)
        try:
            async with engine.begin() as conn:
                for label, action, target_id, at in events:
                    row = {
                        "at": at or datetime.now(UTC),
                        "actor_id": None,
                        "actor_label": label,
                        "action": action,
                        "target_type": "thing",
                        "target_id": target_id,
                        "address": "192.0.2.10",
                    }
                    await conn.execute(AUDIT_EVENTS.insert().values(**row))
        finally:
            await engine.dispose()

    asyncio.run(run())


def _rows(page: Html) -> list[list[str]]:
    return [
        [e.text for e in page.elements if row in e.ancestors and e.tag == "td"]
        for row in page.all("tr", within="govuk-table__body")
    ]


def test_the_log_lists_events_newest_first_and_records_each_view(admin_client: TestClient, settings: Settings) -> None:
    _record(
        settings, [("first@example.org", "test.first", "1", None), ("second@example.org", "test.second", "2", None)]
    )
    response = admin_client.get("/staff/audit")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = Html(response.text)
    assert page.h1 == "Audit log"
    rows = _rows(page)
    # The view itself is the newest event: it records who looked and from where.
    assert rows[0][1:4] == ["ada.admin@example.org", "audit.view", "audit_event"]
    assert [r[2] for r in rows[1:3]] == ["test.second", "test.first"]
    assert rows[1][3:] == ["thing 2", "192.0.2.10"]
    assert page.one("h2", within="govuk-main-wrapper").text.startswith("Events 1 to ")
    options = [o.attrs.get("value") for o in page.all("option")]
    assert options[0] == ""
    assert {"test.first", "test.second", "audit.view"} <= set(options)
    assert audit_actions(settings.database_url, "audit.")[-1][:2] == ("audit.view", "ada.admin@example.org")


def test_filters_by_person_action_and_dates(admin_client: TestClient, settings: Settings) -> None:
    day = datetime(2026, 3, 10, 12, tzinfo=UTC)
    _record(
        settings,
        [
            ("lead@example.org", "user.roles", "a", day - timedelta(days=5)),
            ("lead@example.org", "user.create", "b", day),
            ("other@example.org", "user.create", "c", day),
            ("lead@example.org", "token.create", "d", day + timedelta(days=5)),
        ],
    )
    query = {"person": "LEAD@", "action": "user", "from-day": "10", "from-month": "3", "from-year": "2026"}
    page = Html(admin_client.get("/staff/audit", params=query).text)
    assert [(r[1], r[2], r[3]) for r in _rows(page)] == [("lead@example.org", "user.create", "thing b")]
    assert page.field_values()["person"] == ["LEAD@"]
    assert page.field_values()["action"] == ["user"]
    assert "Any user action" in [o.text for o in page.all("option")]
    until = {"to-day": "9", "to-month": "3", "to-year": "2026", "action": "user.roles"}
    assert [r[3] for r in _rows(Html(admin_client.get("/staff/audit", params=until).text))] == ["thing a"]
    # The CSV link carries the same filters.
    csv_link = next(a.attrs["href"] for a in page.all("a") if "CSV" in a.text)
    assert urlsplit(csv_link).path == "/staff/audit.csv"
    assert parse_qs(urlsplit(csv_link).query) == {k: [v] for k, v in query.items()}


@pytest.mark.parametrize(
    ("query", "anchor", "message"),
    [
        ({"from-day": "31", "from-month": "2", "from-year": "2026"}, "#from-day", "From date must be a real date"),
        ({"from-day": "10", "from-year": "2026"}, "#from-month", "From date must include a month"),
        ({"to-day": "1", "to-month": "1"}, "#to-year", "To date must include a year"),
        ({"to-day": "1"}, "#to-month", "To date must include a month and year"),
        ({"from-day": "1", "from-month": "1", "from-year": "26"}, "#from-year", "Year must include 4 numbers"),
        ({"from-day": "x", "from-month": "<b>", "from-year": "2026"}, "#from-day", "From date must be a real date"),
        ({"from-day": "1", "from-month": "13", "from-year": "2026"}, "#from-day", "From date must be a real date"),
        ({"to-day": "1", "to-month": "1", "to-year": "1066"}, "#to-year", "To date must be between 2000 and 9998"),
        (
            {
                "from-day": "2",
                "from-month": "3",
                "from-year": "2026",
                "to-day": "1",
                "to-month": "3",
                "to-year": "2026",
            },
            "#to-day",
            "The \u2018to\u2019 date must be the same as or after the \u2018from\u2019 date",
        ),
        ({"person": "nul\x00byte"}, "#person", "Person must not contain control characters"),
        ({"person": "p" * 321}, "#person", "Person must be 320 characters or fewer"),
        ({"action": "x' OR 1=1 --"}, "#action", "Choose an action from the list"),
        ({"action": "<script>alert(1)</script>"}, "#action", "Choose an action from the list"),
    ],
)
def test_unusable_filters_get_a_clear_error_and_search_nothing(
    admin_client: TestClient, settings: Settings, query: dict[str, str], anchor: str, message: str
) -> None:
    before = len(audit_actions(settings.database_url))
    for path in ("/staff/audit", "/staff/audit.csv"):
        response = admin_client.get(path, params=query)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith("text/html")
        page = Html(response.text)
        assert page.title.startswith("Error: ")
        assert page.error_summary == [(anchor, message)]
        assert "<script>alert" not in response.text
        assert "<b>" not in response.text
        assert not page.all("table")
    assert len(audit_actions(settings.database_url)) == before  # nothing viewed, nothing exported


def test_long_results_come_in_pages_that_keep_the_filters(admin_client: TestClient, settings: Settings) -> None:
    _record(settings, [(f"p{i}@example.org", "test.bulk", str(i), None) for i in range(120)])
    first = Html(admin_client.get("/staff/audit", params={"action": "test.bulk"}).text)
    assert len(_rows(first)) == 50
    assert _rows(first)[0][3] == "thing 119"
    assert first.one("h2", within="govuk-main-wrapper").text == "Events 1 to 50 of 120"
    pages = [a.attrs["href"] for a in first.all("a", within="govuk-pagination")]
    assert "/staff/audit?action=test.bulk&page=3" in pages
    assert "/staff/audit?action=test.bulk&page=2" in pages  # "Next"
    third = Html(admin_client.get("/staff/audit?action=test.bulk&page=3").text)
    assert [r[3] for r in _rows(third)] == [f"thing {i}" for i in range(19, -1, -1)]
    beyond = Html(admin_client.get("/staff/audit?action=test.bulk&page=9").text)
    assert _rows(beyond) == []
    assert "No events on this page (120 in all)" in beyond.source
    for bad in ("0", "-1", "abc", "1.5", "99999999999", "%00"):
        assert admin_client.get(f"/staff/audit?page={bad}").status_code == 400


def test_the_csv_download_has_the_same_filters_and_is_audited(admin_client: TestClient, settings: Settings) -> None:
    _record(
        settings, [("lead@example.org", "test.one", "1", None), ("x@example.org", "test.two", "=HYPERLINK(1)", None)]
    )
    response = admin_client.get("/staff/audit.csv", params={"action": "test"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"] == f'attachment; filename="audit-{date.today().isoformat()}.csv"'
    assert response.headers["cache-control"] == "no-store"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["time (UTC)", "who", "action", "record type", "record id", "from address"]
    assert [(r[1], r[2], r[4]) for r in rows[1:]] == [
        ("x@example.org", "test.two", "'=HYPERLINK(1)"),
        ("lead@example.org", "test.one", "1"),
    ]
    assert audit_actions(settings.database_url, "audit.")[-1][:2] == ("audit.export", "ada.admin@example.org")


def test_markup_in_recorded_values_is_shown_as_text(admin_client: TestClient, settings: Settings) -> None:
    _record(settings, [("<script>alert('who')</script>", "test.markup", '"><img src=x onerror=alert(1)>', None)])
    response = admin_client.get("/staff/audit", params={"person": "<script>"})
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert "<img src=x" not in response.text
    assert "&lt;script&gt;alert" in response.text
    assert Html(response.text).field_values()["person"] == ["<script>"]


@pytest.mark.parametrize("key", [k for k in FIXED_USERS if k != "admin"])
def test_only_admins_read_the_log(staff_client: StaffClient, settings: Settings, key: str) -> None:
    client = staff_client(key)
    for path in ("/staff/audit", "/staff/audit.csv", "/staff/audit?person=ada"):
        assert client.get(path).status_code == 403
    assert [row for row in audit_actions(settings.database_url, "audit.")] == []
