"""The record service on SQLite and PostgreSQL: every state change, refusal, history step and audit row."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from tests.voice.conftest import EDITOR, EDITOR_AND_REVIEWER, OTHER_EDITOR, RECORD, REVIEWER
from voice_service.core.settings import Settings
from voice_service.voice import records
from voice_service.voice.workflow import Invalid, MoveNotAllowed, NotPermitted


async def test_a_record_goes_the_whole_way_with_its_history(engine: AsyncEngine, settings: Settings) -> None:
    record = await records.create_record(engine, RECORD, EDITOR)
    assert (record.state, record.drafted_by, record.published_at) == ("draft", EDITOR.id, None)
    await records.move_record(engine, record.id, "submitted", "", EDITOR)
    await records.move_record(engine, record.id, "returned", "Say who owns it", REVIEWER)
    await records.change_record(engine, record.id, {"owner_officer": "Maxine"}, OTHER_EDITOR)
    await records.move_record(engine, record.id, "submitted", "Owner added", OTHER_EDITOR)
    await records.move_record(engine, record.id, "approved", "", REVIEWER)
    published = await records.move_record(engine, record.id, "published", "", REVIEWER)
    assert published.state == "published"
    assert published.published_at is not None
    assert published.owner_officer == "Maxine"
    closed = await records.move_record(engine, record.id, "closed", "Done", REVIEWER)
    steps = [(e.actor_label, e.from_state, e.to_state, e.comment) for e in await records.history(engine, record.id)]
    assert steps == [
        (EDITOR.label, "", "draft", ""),
        (EDITOR.label, "draft", "submitted", ""),
        (REVIEWER.label, "submitted", "returned", "Say who owns it"),
        (OTHER_EDITOR.label, "returned", "submitted", "Owner added"),
        (REVIEWER.label, "submitted", "approved", ""),
        (REVIEWER.label, "approved", "published", ""),
        (REVIEWER.label, "published", "closed", "Done"),
    ]
    assert closed.state == "closed"
    actions = [
        r[0] for r in await database.query_async(settings.database_url, "SELECT action FROM audit_event ORDER BY id")
    ]
    assert actions == [
        "voice.record.create",
        "voice.record.submitted",
        "voice.record.returned",
        "voice.record.change",
        "voice.record.submitted",
        "voice.record.approved",
        "voice.record.published",
        "voice.record.closed",
    ]


async def test_approving_ones_own_record_is_refused_and_audited(engine: AsyncEngine, settings: Settings) -> None:
    record = await records.create_record(engine, RECORD, EDITOR_AND_REVIEWER)
    await records.move_record(engine, record.id, "submitted", "", EDITOR_AND_REVIEWER)
    with pytest.raises(NotPermitted, match="someone else must approve"):
        await records.move_record(engine, record.id, "approved", "", EDITOR_AND_REVIEWER)
    assert (await records.get_record(engine, record.id)).state == "submitted"
    rows = await database.query_async(settings.database_url, "SELECT action, target_id FROM audit_event ORDER BY id")
    assert tuple(rows[-1]) == ("voice.record.refused", str(record.id))
    await records.move_record(engine, record.id, "approved", "", REVIEWER)
    with pytest.raises(NotPermitted, match="someone else must publish"):
        await records.move_record(engine, record.id, "published", "", EDITOR_AND_REVIEWER)


async def test_a_move_the_workflow_does_not_allow_changes_nothing(engine: AsyncEngine) -> None:
    record = await records.create_record(engine, RECORD, EDITOR)
    with pytest.raises(MoveNotAllowed, match="A record that is draft cannot become published"):
        await records.move_record(engine, record.id, "published", "", REVIEWER)
    assert (await records.get_record(engine, record.id)).state == "draft"
    assert len(await records.history(engine, record.id)) == 1


async def test_a_record_cannot_go_for_review_half_written(engine: AsyncEngine) -> None:
    record = await records.create_record(engine, {**RECORD, "done": "", "easy_read": ""}, EDITOR)
    with pytest.raises(Invalid) as refused:
        await records.move_record(engine, record.id, "submitted", "", EDITOR)
    assert set(refused.value.errors) == {"done", "easy_read"}
    assert (await records.get_record(engine, record.id)).state == "draft"


async def test_only_drafts_and_returned_records_change(engine: AsyncEngine) -> None:
    record = await records.create_record(engine, RECORD, EDITOR)
    await records.move_record(engine, record.id, "submitted", "", EDITOR)
    with pytest.raises(MoveNotAllowed, match="only drafts and returned records"):
        await records.change_record(engine, record.id, {"theme": "Buses"}, EDITOR)
    assert (await records.get_record(engine, record.id)).theme == "Transport"


async def test_a_reviewer_cannot_draft_or_change(engine: AsyncEngine) -> None:
    with pytest.raises(NotPermitted):
        await records.create_record(engine, RECORD, REVIEWER)
    record = await records.create_record(engine, RECORD, EDITOR)
    with pytest.raises(NotPermitted):
        await records.change_record(engine, record.id, {"theme": "Buses"}, REVIEWER)


async def test_a_bad_change_changes_nothing(engine: AsyncEngine) -> None:
    record = await records.create_record(engine, RECORD, EDITOR)
    with pytest.raises(Invalid) as refused:
        await records.change_record(engine, record.id, {"theme": "", "due_on": "2023-13-01"}, EDITOR)
    assert set(refused.value.errors) == {"theme", "due_on"}
    assert await records.get_record(engine, record.id) == record


async def test_two_reviewers_at_once_move_a_record_once(engine: AsyncEngine) -> None:
    import asyncio

    record = await records.create_record(engine, RECORD, EDITOR)
    await records.move_record(engine, record.id, "submitted", "", EDITOR)
    other = REVIEWER.__class__(uuid.UUID(int=5), "ria.reviewer@example.org", REVIEWER.roles)
    results = await asyncio.gather(
        records.move_record(engine, record.id, "approved", "", REVIEWER),
        records.move_record(engine, record.id, "returned", "No", other),
        return_exceptions=True,
    )
    assert sum(isinstance(r, MoveNotAllowed) for r in results) == 1
    assert len(await records.history(engine, record.id)) == 3


async def test_unknown_ids_are_not_found(engine: AsyncEngine) -> None:
    with pytest.raises(records.NotFound):
        await records.get_record(engine, uuid.uuid4())
    with pytest.raises(records.NotFound):
        await records.move_record(engine, uuid.uuid4(), "submitted", "", EDITOR)


async def test_the_queue_and_overdue_records(engine: AsyncEngine) -> None:
    late = await records.create_record(engine, {**RECORD, "due_on": "2020-01-01"}, EDITOR)
    await records.create_record(engine, RECORD, EDITOR)
    await records.move_record(engine, late.id, "submitted", "", EDITOR)
    queue = await records.review_queue(engine)
    assert [r.id for r in queue] == [late.id]
    assert queue[0].overdue(datetime.now(UTC).date())
