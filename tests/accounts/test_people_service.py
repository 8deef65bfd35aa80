"""The people service's rules: no admin locks themselves out, and there is always an active admin."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support import database
from voice_service.accounts import people
from voice_service.accounts.people import LastAdmin, SelfLockout
from voice_service.accounts.service import UserNotFound, create_user
from voice_service.core.audit import CLI, SYSTEM, Actor
from voice_service.core.settings import Settings


async def _admin(engine: AsyncEngine, email: str) -> Actor:
    person = await create_user(engine, email, "", ["admin"], actor=SYSTEM)
    return Actor(person.id, person.email)


async def test_the_last_admin_cannot_lose_the_role_or_be_disabled(engine: AsyncEngine, settings: Settings) -> None:
    only = await _admin(engine, "only@example.org")
    assert only.id is not None
    with pytest.raises(LastAdmin):
        await people.change_roles(engine, only.id, ["voice_editor"], actor=CLI)
    with pytest.raises(LastAdmin):
        await people.disable_person(engine, only.id, actor=CLI)
    person = await people.person_details(engine, only.id)
    assert (person.roles, person.active) == (("admin",), True)
    rows = await database.query_async(
        settings.database_url, "SELECT action FROM audit_event WHERE action <> 'user.create'"
    )
    assert rows == []


async def test_self_lockout_is_refused_before_anything_is_written(engine: AsyncEngine) -> None:
    me = await _admin(engine, "me@example.org")
    await _admin(engine, "other@example.org")
    assert me.id is not None
    with pytest.raises(SelfLockout):
        await people.change_roles(engine, me.id, [], actor=me)
    with pytest.raises(SelfLockout):
        await people.disable_person(engine, me.id, actor=me)
    # Another admin may do either.
    other = Actor((await people.list_people(engine))[1].id, "other@example.org")
    assert (await people.change_roles(engine, me.id, ["voice_editor"], actor=other)).roles == ("voice_editor",)


async def test_two_admins_disabling_each_other_at_once_leave_one_admin(engine: AsyncEngine) -> None:
    first, second = await _admin(engine, "first@example.org"), await _admin(engine, "second@example.org")
    assert first.id is not None
    assert second.id is not None
    outcomes = await asyncio.gather(
        people.disable_person(engine, second.id, actor=first),
        people.disable_person(engine, first.id, actor=second),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["LastAdmin", "PersonSummary"]
    assert [p.active for p in await people.list_people(engine)].count(True) == 1


async def test_two_admins_dropping_each_others_role_at_once_leave_one_admin(engine: AsyncEngine) -> None:
    first, second = await _admin(engine, "first@example.org"), await _admin(engine, "second@example.org")
    assert first.id is not None
    assert second.id is not None
    outcomes = await asyncio.gather(
        people.change_roles(engine, second.id, [], actor=first),
        people.change_roles(engine, first.id, [], actor=second),
        return_exceptions=True,
    )
    assert sorted(type(o).__name__ for o in outcomes) == ["LastAdmin", "PersonSummary"]
    assert sum("admin" in p.roles for p in await people.list_people(engine)) == 1


async def test_unknown_ids(engine: AsyncEngine) -> None:
    nobody = uuid.uuid4()
    actor = await _admin(engine, "ada@example.org")
    for call in (
        people.person_details(engine, nobody),
        people.change_roles(engine, nobody, ["admin"], actor=actor),
        people.disable_person(engine, nobody, actor=actor),
    ):
        with pytest.raises(UserNotFound):
            await call
