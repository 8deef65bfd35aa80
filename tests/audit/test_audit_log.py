"""The audit log: written through one function, searched by person, action and date, exported as CSV."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from voice_service.core.audit import (
    SYSTEM,
    Actor,
    AuditQuery,
    Target,
    audit,
    audit_actions,
    export_audit,
    search_audit,
)
from voice_service.core.db.engine import create_engine
from voice_service.core.exports import csv_bytes, safe_cell
from voice_service.core.settings import Settings
from voice_service.core.tables import AUDIT_EVENTS

ADMIN = Actor(uuid.uuid4(), "admin@york.example")
LEAD = Actor(uuid.uuid4(), "lead_100%@york.example")


async def _record(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        await audit(engine, ADMIN, "accounts.login", Target("staff_user", str(ADMIN.id)), "203.0.113.5")
        await audit(engine, ADMIN, "accounts.user_created", Target("staff_user", "u-2"))
        await audit(engine, LEAD, "accounts.login_failed", address="198.51.100.7")
        async with engine.begin() as conn:
            await audit(conn, SYSTEM, "accounts.sessions_purged")
            # An old event, to search by date.
            await audit(conn, ADMIN, "accounts.logout")
            await conn.execute(
                update(AUDIT_EVENTS)
                .where(AUDIT_EVENTS.c.action == "accounts.logout")
                .values(at=datetime(2026, 1, 15, 10, 0, tzinfo=UTC))
            )
    finally:
        await engine.dispose()


async def _search(settings: Settings, query: AuditQuery) -> list[str]:
    engine = create_engine(settings)
    try:
        page = await search_audit(engine, query)
        assert page.total == len(page.rows)
        return [f"{row.actor}:{row.action}" for row in page.rows]
    finally:
        await engine.dispose()


async def test_every_event_is_found_newest_first(settings: Settings) -> None:
    await _record(settings)
    found = await _search(settings, AuditQuery())
    assert len(found) == 5
    assert found[-1] == "admin@york.example:accounts.logout", "the January event is the oldest"


async def test_search_by_person_matches_part_of_the_email_and_treats_wildcards_as_text(settings: Settings) -> None:
    await _record(settings)
    assert await _search(settings, AuditQuery(person="ADMIN@")) == [
        "admin@york.example:accounts.user_created",
        "admin@york.example:accounts.login",
        "admin@york.example:accounts.logout",
    ]
    assert await _search(settings, AuditQuery(person="100%")) == ["lead_100%@york.example:accounts.login_failed"]
    assert await _search(settings, AuditQuery(person="_1")) == ["lead_100%@york.example:accounts.login_failed"]
    assert await _search(settings, AuditQuery(person="%")) == ["lead_100%@york.example:accounts.login_failed"]


async def test_search_by_action_takes_an_exact_action_or_a_prefix(settings: Settings) -> None:
    await _record(settings)
    assert await _search(settings, AuditQuery(action="accounts.login")) == ["admin@york.example:accounts.login"]
    assert len(await _search(settings, AuditQuery(action="accounts"))) == 5
    assert await _search(settings, AuditQuery(action="accounts.log")) == []


async def test_search_by_dates_includes_both_ends(settings: Settings) -> None:
    await _record(settings)
    january = await _search(settings, AuditQuery(since=date(2026, 1, 15), until=date(2026, 1, 15)))
    assert january == ["admin@york.example:accounts.logout"]
    today = datetime.now(UTC).date()
    assert len(await _search(settings, AuditQuery(since=today - timedelta(days=1)))) == 4
    assert await _search(settings, AuditQuery(until=date(2025, 12, 31))) == []


async def test_actions_recorded_are_offered_for_searching(settings: Settings) -> None:
    await _record(settings)
    engine = create_engine(settings)
    try:
        assert await audit_actions(engine) == [
            "accounts.login",
            "accounts.login_failed",
            "accounts.logout",
            "accounts.sessions_purged",
            "accounts.user_created",
        ]
    finally:
        await engine.dispose()


async def test_the_csv_export_holds_the_matching_events_and_no_formula(settings: Settings) -> None:
    await _record(settings)
    engine = create_engine(settings)
    try:
        await audit(engine, Actor(None, '=HYPERLINK("http://x")'), "accounts.login_failed")
        export = await export_audit(engine, AuditQuery(action="accounts.login_failed"), date(2026, 12, 2))
    finally:
        await engine.dispose()
    filename, mimetype, body = export.render()
    assert filename == "audit-2026-12-02.csv"
    assert mimetype.startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == ["time (UTC)", "who", "action", "record type", "record id", "from address"]
    assert sorted(r[1] for r in rows[1:]) == ['\'=HYPERLINK("http://x")', "lead_100%@york.example"]
    assert all(r[2] == "accounts.login_failed" for r in rows[1:])


def test_safe_cell_defuses_every_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(f"{start}1+1").startswith("'")
    assert safe_cell("plain") == "plain"
    assert safe_cell(None) == ""
    assert csv_bytes(["a"], [["é"]]).startswith("\ufeff".encode())
    # Found exporting responses to my evaluation whose question label began '- ': the heading was not defused.
    assert csv_bytes(["- Quality of the training", "=HYPERLINK(1)"], []).decode("utf-8-sig").splitlines() == [
        "'- Quality of the training,'=HYPERLINK(1)"
    ]
