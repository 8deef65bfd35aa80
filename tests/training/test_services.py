"""The training services called directly: courses, sessions, delegates and imports; each change audited."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from tests.training.conftest import ACTOR, COURSE, SESSION, audit_rows_async, delegate_count
from voice_service.core.settings import DEFAULT_TRAINING_SECTORS, Settings
from voice_service.training import courses, delegates, sessions
from voice_service.training.courses import NotFound
from voice_service.training.csv_import import parse_attendees
from voice_service.training.delegates import ImportRefused, ListChanged
from voice_service.training.import_flow import PreviewAgain, confirm_upload, import_body, preview_upload
from voice_service.training.rules import Invalid, SurveyChoice

SECTORS = DEFAULT_TRAINING_SECTORS
CSV = (
    b"name,email,organisation,sector,attended\n"
    b"Ann Able,ann@example.org,Clifton Primary,schools,yes\n"
    b"Bob Baker,bob@example.org,York Hospital,health,no\n"
)


async def _course_and_session(engine: AsyncEngine, choices: list[SurveyChoice]) -> tuple[uuid.UUID, uuid.UUID]:
    course = await courses.create_course(engine, COURSE, choices, actor=ACTOR)
    session = await sessions.create_session(engine, course.id, SESSION, actor=ACTOR)
    return course.id, session.id


async def test_a_course_is_created_listed_and_changed(
    engine: AsyncEngine, settings: Settings, choices: list[SurveyChoice]
) -> None:
    course = await courses.create_course(engine, {**COURSE, "name": "  Working Together A  "}, choices, actor=ACTOR)
    assert (course.name, course.follow_up_days, course.sessions, course.attendees) == ("Working Together A", 182, 0, 0)
    changed = await courses.change_course(
        engine, course.id, {**COURSE, "name": "Working Together A (2024)", "follow_up_days": "90"}, choices, actor=ACTOR
    )
    assert (changed.name, changed.follow_up_days) == ("Working Together A (2024)", 90)
    assert [c.id for c in await courses.list_courses(engine)] == [course.id]
    assert [a[0] for a in await audit_rows_async(settings.database_url)] == [
        "training.course.create",
        "training.course.change",
    ]


async def test_course_rules(engine: AsyncEngine, choices: list[SurveyChoice]) -> None:
    with pytest.raises(Invalid) as refused:
        await courses.create_course(
            engine,
            {
                "name": " ",
                "evaluation_survey": "training-follow-up",
                "follow_up_survey": "make-your-mark",
                "follow_up_days": 731,
            },
            choices,
            actor=ACTOR,
        )
    assert set(refused.value.errors) == {"name", "evaluation_survey", "follow_up_survey", "follow_up_days"}
    for days in (0, -1, "1.5", "", True, None, "\uff19"):
        with pytest.raises(Invalid) as refused:
            courses.clean_course({**COURSE, "follow_up_days": days}, choices)
        assert set(refused.value.errors) == {"follow_up_days"}
    assert (
        courses.clean_course({k: v for k, v in COURSE.items() if k != "follow_up_days"}, choices).follow_up_days == 182
    )


async def test_a_course_name_is_unique_whatever_its_case_and_spacing(
    engine: AsyncEngine, choices: list[SurveyChoice]
) -> None:
    await courses.create_course(engine, COURSE, choices, actor=ACTOR)
    with pytest.raises(Invalid) as refused:
        await courses.create_course(
            engine, {**COURSE, "name": COURSE["name"].upper().replace(" ", "  ")}, choices, actor=ACTOR
        )
    assert refused.value.errors == {"name": "There is already a course with this name"}


async def test_sessions_belong_to_a_course_and_follow_its_rules(
    engine: AsyncEngine, choices: list[SurveyChoice]
) -> None:
    course_id, session_id = await _course_and_session(engine, choices)
    found = await sessions.course_sessions(engine, course_id)
    assert [s.id for s in found.sessions] == [session_id]
    assert found.sessions[0].mode_label == "Online"
    with pytest.raises(NotFound):
        await sessions.create_session(engine, uuid.uuid4(), SESSION, actor=ACTOR)
    bad = {"date": "2024-02-30", "mode": "zoom", "trainer": "x" * 201, "capacity": 1001}
    with pytest.raises(Invalid) as refused:
        await sessions.create_session(engine, course_id, bad, actor=ACTOR)
    assert set(refused.value.errors) == {"date", "mode", "trainer", "capacity"}
    for date in ("27/03/2024", "1999-12-31", "20240327", "", None, 20240327):
        with pytest.raises(Invalid):
            sessions.clean_session({**SESSION, "date": date})
    changed = await sessions.change_session(engine, session_id, {**SESSION, "capacity": "30"}, actor=ACTOR)
    assert changed.capacity == 30
    with pytest.raises(NotFound):
        await sessions.change_session(engine, uuid.uuid4(), SESSION, actor=ACTOR)


async def test_an_import_adds_everyone_once_and_again_changes_nothing(
    engine: AsyncEngine, settings: Settings, choices: list[SurveyChoice]
) -> None:
    _course_id, session_id = await _course_and_session(engine, choices)
    first = await delegates.import_delegates(engine, session_id, parse_attendees(CSV, SECTORS), actor=ACTOR)
    assert (first.imported, first.unchanged) == (2, 0)
    before = await database.query_async(settings.database_url, "SELECT * FROM delegate ORDER BY email")
    again = await delegates.import_delegates(engine, session_id, parse_attendees(CSV, SECTORS), actor=ACTOR)
    assert (again.imported, again.unchanged) == (0, 2)
    assert await database.query_async(settings.database_url, "SELECT * FROM delegate ORDER BY email") == before
    pseudonyms = [row.pseudonym for row in before]
    assert len(set(pseudonyms)) == 2
    assert all(len(p) >= 32 for p in pseudonyms)
    imports = [row for row in await audit_rows_async(settings.database_url) if row[0] == "training.delegates.import"]
    assert imports[0][3] == f"{session_id} added=2 updated=0 unchanged=0"
    assert all("ann" not in str(row).lower() for row in await audit_rows_async(settings.database_url))


async def test_a_changed_row_updates_the_delegate_and_counts_as_imported(
    engine: AsyncEngine, settings: Settings, choices: list[SurveyChoice]
) -> None:
    _course_id, session_id = await _course_and_session(engine, choices)
    await delegates.import_delegates(engine, session_id, parse_attendees(CSV, SECTORS), actor=ACTOR)
    pseudonym = await database.query_async(
        settings.database_url, "SELECT pseudonym FROM delegate WHERE email = 'bob@example.org'"
    )
    changed = CSV.replace(b"health,no", b"health,yes") + b"Cy Cole,cy@example.org,NYP,police,yes\n"
    result = await delegates.import_delegates(engine, session_id, parse_attendees(changed, SECTORS), actor=ACTOR)
    assert (result.imported, result.unchanged, result.added, result.updated) == (2, 1, 1, 1)
    rows = await database.query_async(
        settings.database_url, "SELECT email, attended, pseudonym FROM delegate ORDER BY email"
    )
    assert [(r.email, bool(r.attended)) for r in rows] == [
        ("ann@example.org", True),
        ("bob@example.org", True),
        ("cy@example.org", True),
    ]
    assert rows[1].pseudonym == pseudonym[0].pseudonym  # the same person keeps their key


async def test_a_file_with_one_bad_row_stores_nothing(
    engine: AsyncEngine, settings: Settings, choices: list[SurveyChoice]
) -> None:
    _course_id, session_id = await _course_and_session(engine, choices)
    with pytest.raises(ImportRefused) as refused:
        await delegates.import_delegates(
            engine, session_id, parse_attendees(CSV + b"Bad,,O,schools,yes\n", SECTORS), actor=ACTOR
        )
    assert [(e.line, e.field) for e in refused.value.errors] == [(4, "email")]
    assert await delegate_count(settings.database_url) == 0


async def test_the_same_email_on_two_sessions_is_two_delegates(
    engine: AsyncEngine, choices: list[SurveyChoice]
) -> None:
    course_id, first = await _course_and_session(engine, choices)
    second = (await sessions.create_session(engine, course_id, SESSION, actor=ACTOR)).id
    for session_id in (first, second):
        result = await delegates.import_delegates(engine, session_id, parse_attendees(CSV, SECTORS), actor=ACTOR)
        assert result.imported == 2
    found = await sessions.course_sessions(engine, course_id)
    assert (found.course.sessions, found.course.delegates, found.course.attendees) == (2, 4, 2)


async def test_preview_then_confirm_imports_what_was_previewed(
    engine: AsyncEngine, settings: Settings, choices: list[SurveyChoice]
) -> None:
    _course_id, session_id = await _course_and_session(engine, choices)
    preview = await preview_upload(engine, session_id, CSV, SECTORS)
    assert (len(preview.plan.new), len(preview.plan.changed), len(preview.plan.unchanged)) == (2, 0, 0)
    assert await delegate_count(settings.database_url) == 0
    # Someone adds Ann by hand between the preview and the confirmation: the plan differs, nothing is imported.
    await delegates.add_delegate(
        engine,
        session_id,
        {
            "name": "Ann Able",
            "email": "ann@example.org",
            "organisation": "Clifton Primary",
            "sector": "schools",
            "attended": "yes",
        },
        SECTORS,
        actor=ACTOR,
    )
    with pytest.raises(PreviewAgain) as again:
        await confirm_upload(engine, session_id, preview.carried, preview.plan.fingerprint, SECTORS, actor=ACTOR)
    assert again.value.preview.again
    assert (len(again.value.preview.plan.new), len(again.value.preview.plan.unchanged)) == (1, 1)
    assert await delegate_count(settings.database_url) == 1
    fresh = again.value.preview
    result = await confirm_upload(engine, session_id, fresh.carried, fresh.plan.fingerprint, SECTORS, actor=ACTOR)
    assert (result.imported, result.unchanged) == (1, 1)
    # A tampered carried file is re-checked, not trusted.
    with pytest.raises(PreviewAgain):
        await confirm_upload(engine, session_id, "!!!not base64", fresh.plan.fingerprint, SECTORS, actor=ACTOR)
    with pytest.raises(ListChanged):
        await delegates.import_delegates(
            engine, session_id, parse_attendees(CSV, SECTORS), actor=ACTOR, expected="0" * 64
        )


async def test_api_bodies_json_and_csv(engine: AsyncEngine, choices: list[SurveyChoice]) -> None:
    _course_id, session_id = await _course_and_session(engine, choices)
    items = (
        b'[{"name": "Ann Able", "email": "ANN@example.org", "organisation": "O", "sector": "Schools", '
        b'"attended": true}]'
    )
    result = await import_body(engine, session_id, "application/json", items, SECTORS, actor=ACTOR)
    assert (result.imported, result.unchanged) == (1, 0)
    result = await import_body(engine, session_id, "text/csv; charset=utf-8", CSV, SECTORS, actor=ACTOR)
    assert (result.imported, result.unchanged) == (2, 0)  # Ann's organisation differs: updated
    with pytest.raises(ImportRefused) as refused:
        await import_body(
            engine, session_id, "application/json", b'[{"name": 1}, 2, {"name": "x"}]', SECTORS, actor=ACTOR
        )
    lines = [(e.line, e.field) for e in refused.value.errors]
    assert lines[:2] == [(1, "name"), (1, "email")]
    assert (2, "item") in lines
    with pytest.raises(NotFound):
        await import_body(engine, uuid.uuid4(), "text/csv", b"nonsense", SECTORS, actor=ACTOR)


async def test_one_delegate_by_form(engine: AsyncEngine, settings: Settings, choices: list[SurveyChoice]) -> None:
    _course_id, session_id = await _course_and_session(engine, choices)
    values = {"name": "Dee Day", "email": "Dee@Example.org", "organisation": "O", "sector": "police", "attended": "no"}
    delegate_id = await delegates.add_delegate(engine, session_id, values, SECTORS, actor=ACTOR)
    with pytest.raises(Invalid) as taken:
        await delegates.add_delegate(engine, session_id, values, SECTORS, actor=ACTOR)
    assert set(taken.value.errors) == {"email"}
    assert (
        await delegates.change_delegate(engine, delegate_id, {**values, "attended": "yes"}, SECTORS, actor=ACTOR)
        == session_id
    )
    found = await delegates.get_delegate(engine, delegate_id, actor=ACTOR)
    assert (found.email, found.attended) == ("dee@example.org", True)
    with pytest.raises(Invalid) as refused:
        await delegates.change_delegate(engine, delegate_id, {**values, "attended": ""}, SECTORS, actor=ACTOR)
    assert refused.value.errors == {"attended": "Enter yes or no for attended"}
    with pytest.raises(NotFound):
        await delegates.change_delegate(engine, uuid.uuid4(), values, SECTORS, actor=ACTOR)
    assert [a[0] for a in await audit_rows_async(settings.database_url, "training.delegate")] == [
        "training.delegate.create",
        "training.delegate.change",
        "training.delegate.view",
    ]


async def test_viewing_a_delegate_list_is_audited(
    engine: AsyncEngine, settings: Settings, choices: list[SurveyChoice]
) -> None:
    _course_id, session_id = await _course_and_session(engine, choices)
    await delegates.import_delegates(engine, session_id, parse_attendees(CSV, SECTORS), actor=ACTOR)
    found = await sessions.view_delegates(engine, session_id, actor=ACTOR, address="192.0.2.9")
    assert [d.name for d in found.delegates] == ["Ann Able", "Bob Baker"]
    assert await audit_rows_async(settings.database_url, "training.delegates.view") == [
        ("training.delegates.view", ACTOR.label, "training_session", str(session_id))
    ]
