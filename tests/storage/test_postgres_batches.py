"""PostgreSQL batches: one statement per batch where it can, kept connections, and queue order between batches."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from forms import Survey, validate_answers
from forms.engine import is_shown, to_cells
from tests.conftest import FORMS_DIR
from tests.support import database
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.pending import (
    DraftSave,
    DraftStart,
    PendingSubmission,
    Write,
    WriteBatch,
    delegate,
    response_values,
)
from voice_service.surveys.postgres_batches import (
    PostgresBatchWriter,
    _one_statement,
    _write_one_statement,
    write_postgres,
)
from voice_service.surveys.submissions import SubmissionWriter, new_response_id, submit_response

SURVEYS = ("make-your-mark", "young-people-voice", "sexual-health-young-people")
# Why only PostgreSQL: SQLite has its own writer (sqlite_batches); a SQLite run here would only skip,
# and a skip must not stand in for a test.
ON_POSTGRESQL = pytest.mark.parametrize(
    "migrated_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def answers_for(survey: Survey, i: int) -> dict[str, Any]:
    """Valid answers touching every question type the survey has, varied by `i` (typed text needs escaping)."""
    answers: dict[str, Any] = {}
    for q in survey.questions:
        if not is_shown(q, answers):
            continue
        kind = q.type_code
        if kind in ("single", "scale"):
            answers[q.id] = q.options.values[i % len(q.options.values)]
        elif kind == "multiple":
            others = [v for v in q.options.values if v not in q.options.exclusive]
            answers[q.id] = others[: max(q.min_choices or 1, 1 + i % 2)]
        elif kind == "ranking":
            answers[q.id] = list(q.options.values)[: q.max_choices or None]
        elif kind == "matrix":
            answers[q.id] = {row: q.options.values[i % len(q.options.values)] for row in q.rows.values}
        elif kind == "number":
            answers[q.id] = int(q.min if q.min is not None else 1) + i % 3
        else:
            answers[q.id] = f"typed {i} <b>&amp;</b> \u00e9t\u00e9"[: q.max_length]
    result = validate_answers(survey, answers)
    assert result.ok, result.errors
    return dict(result.answers)


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[tuple[AsyncEngine, SurveyCatalog]]:
    """The PostgreSQL database with the shipped surveys synced."""
    assert settings.database_url.startswith("postgresql")
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    engine = create_engine(settings)
    await catalog.sync(engine)
    yield engine, catalog
    await engine.dispose()


def pending(catalog: SurveyCatalog, slug: str, i: int, key: str, draft_id: str | None = None) -> PendingSubmission:
    survey = catalog.surveys[slug]
    return PendingSubmission(survey, catalog.version_id(survey), answers_for(survey, i), key, draft_id=draft_id)


def batch_of(items: list[Write]) -> WriteBatch:
    fresh: dict[str, tuple[uuid.UUID, PendingSubmission]] = {}
    for item in items:
        if isinstance(item, PendingSubmission) and item.submission_key not in fresh:
            fresh[item.submission_key] = (new_response_id(item), item)
    return WriteBatch.gather(items, fresh, datetime.now(UTC))


async def stored(settings: Settings, prefix: str) -> dict[str, Any]:
    """What is stored under keys `prefix`-N: the response row (no id) and its answers, by N."""
    rows = await database.query_async(
        settings.database_url,
        "SELECT r.submission_key, r.survey_slug, r.survey_version_id, r.submitted_at, r.respondent, "
        "a.question_id, a.row_key, a.position, a.value_text, a.value_number "
        "FROM response r LEFT JOIN answer a ON a.response_id = r.id WHERE r.submission_key LIKE :p",
        p=f"{prefix}-%",
    )
    out: dict[str, Any] = {}
    for key, *response, question, row_key, position, text, number in rows:
        entry = out.setdefault(key.removeprefix(f"{prefix}-"), (tuple(response), []))
        entry[1].append((question, row_key, position, text, number))
    return {key: (response, sorted(cells, key=repr)) for key, (response, cells) in out.items()}


@ON_POSTGRESQL
async def test_one_statement_stores_what_the_transaction_of_several_statements_stores(
    engine: tuple[AsyncEngine, SurveyCatalog], settings: Settings
) -> None:
    eng, catalog = engine
    items = [pending(catalog, SURVEYS[i % 3], i, f"one-{i}") for i in range(12)]
    twins = [pending(catalog, SURVEYS[i % 3], i, f"many-{i}") for i in range(12)]
    batch, twin_batch = batch_of(list(items)), batch_of(list(twins))
    twin_batch = WriteBatch(twin_batch.fresh, [], [], [], batch.now)
    assert _one_statement(batch, None)
    async with eng.connect() as conn:
        assert await _write_one_statement(conn, batch) == {}
        assert await write_postgres(conn, twin_batch) == {}
    one, many = await stored(settings, "one"), await stored(settings, "many")
    assert len(one) == 12
    assert one == many
    assert all(cells for _, cells in one.values())


@ON_POSTGRESQL
async def test_a_taken_key_is_reported_with_what_is_stored_and_gets_no_second_answers(
    engine: tuple[AsyncEngine, SurveyCatalog], settings: Settings
) -> None:
    eng, catalog = engine
    writer = PostgresBatchWriter(eng)
    first = batch_of([pending(catalog, "make-your-mark", 0, "taken-1")])
    assert await writer.write(first) == {}
    rid = first.fresh["taken-1"][0]
    again = batch_of(
        [pending(catalog, "young-people-voice", 1, "taken-1"), pending(catalog, "make-your-mark", 2, "taken-2")]
    )
    result = await writer.write(again)
    survey = catalog.surveys["make-your-mark"]
    assert result == {"taken-1": (rid, "make-your-mark", survey.version)}
    await writer.close()
    rows = await stored(settings, "taken")
    assert set(rows) == {"1", "2"}
    assert {cell[0] for cell in rows["1"][1]} == set(answers_for(survey, 0))  # the first answers, not the second


@ON_POSTGRESQL
async def test_drafts_started_saved_and_finished_in_one_statement(
    engine: tuple[AsyncEngine, SurveyCatalog], settings: Settings
) -> None:
    eng, catalog = engine
    survey = catalog.surveys["make-your-mark"]
    vid = catalog.version_id(survey)
    writer = PostgresBatchWriter(eng)
    await writer.write(batch_of([DraftStart("draft-a", vid, "key-a"), DraftStart("draft-b", vid, "key-b")]))
    mixed = batch_of(
        [
            DraftStart("draft-c", vid, "key-c"),
            DraftSave("draft-a", {"vote": "transport"}, (1, 1)),
            pending(catalog, "make-your-mark", 0, "key-b", draft_id="draft-b"),
        ]
    )
    assert _one_statement(mixed, None)
    assert await writer.write(mixed) == {}
    # A start and a save of one draft in one batch take the transaction of several statements.
    both = batch_of([DraftStart("draft-d", vid, "key-d"), DraftSave("draft-d", {"vote": "health_and_wellbeing"}, (1,))])
    assert not _one_statement(both, None)
    await writer.write(both)
    await writer.close()
    drafts = await database.query_async(settings.database_url, "SELECT id, answers, visited FROM draft ORDER BY id")
    assert [(row[0], row[1], row[2]) for row in drafts] == [
        ("draft-a", {"vote": "transport"}, [1]),
        ("draft-c", {}, []),
        ("draft-d", {"vote": "health_and_wellbeing"}, [1]),
    ]
    assert set(await stored(settings, "key")) == {"b"}


def test_extras_or_a_draft_in_two_parts_take_the_transaction() -> None:
    catalog = SurveyCatalog.from_folder(FORMS_DIR)
    survey = catalog.surveys["make-your-mark"]
    flagged = PendingSubmission(survey, 1, {"vote": "transport"}, "flagged-1", extras=("alert",))
    plain = PendingSubmission(survey, 1, {"vote": "transport"}, "plain-1", draft_id="d1")
    extras: Any = object()
    assert not _one_statement(batch_of([flagged]), extras)
    assert _one_statement(batch_of([flagged]), None)  # no extras configured: nothing to add
    assert _one_statement(batch_of([plain]), extras)
    assert not _one_statement(batch_of([plain, DraftSave("d1", {}, ())]), None)
    assert not _one_statement(batch_of([DraftStart("d1", 1, "k"), plain]), None)


@ON_POSTGRESQL
async def test_a_later_batch_on_the_same_draft_waits_and_others_overlap(
    engine: tuple[AsyncEngine, SurveyCatalog], settings: Settings
) -> None:
    eng, catalog = engine
    vid = catalog.version_id(catalog.surveys["make-your-mark"])
    writer = PostgresBatchWriter(eng)
    await writer.write(batch_of([DraftStart("held", vid, "key-held"), DraftStart("free", vid, "key-free")]))
    # Another session holds the draft's row, so the first save cannot finish until it lets go.
    blocker = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg", "postgresql"))
    try:
        lock = blocker.transaction()
        await lock.start()
        await blocker.execute("SELECT 1 FROM draft WHERE id = 'held' FOR UPDATE")
        ordered: list[str] = []
        first = asyncio.create_task(
            writer.write(batch_of([DraftSave("held", {"vote": "transport"}, (1,))]), lambda: ordered.append("first"))
        )
        await asyncio.sleep(0.3)
        second = asyncio.create_task(
            writer.write(batch_of([DraftSave("held", {"vote": "environment"}, (1,))]), lambda: ordered.append("second"))
        )
        other = writer.write(
            batch_of([DraftSave("free", {"vote": "crime_and_safety"}, (1,))]), lambda: ordered.append("other")
        )
        await asyncio.wait_for(other, 10)  # a batch on another draft commits meanwhile
        await asyncio.sleep(0.3)
        assert not first.done()
        assert not second.done()
        assert ordered == ["first", "other"]  # the second is not even under way
        await lock.rollback()
        await asyncio.wait_for(asyncio.gather(first, second), 10)
        assert ordered == ["first", "other", "second"]
    finally:
        await blocker.close()
        await writer.close()
    drafts = await database.query_async(settings.database_url, "SELECT id, answers FROM draft ORDER BY id")
    assert [(row[0], row[1]) for row in drafts] == [
        ("free", {"vote": "crime_and_safety"}),
        ("held", {"vote": "environment"}),
    ]


@ON_POSTGRESQL
async def test_connections_are_kept_between_batches_dropped_after_a_failure_and_returned_on_close(
    engine: tuple[AsyncEngine, SurveyCatalog], settings: Settings
) -> None:
    eng, catalog = engine
    checkouts: list[int] = []
    event.listen(eng.sync_engine.pool, "checkout", lambda *_args: checkouts.append(1))
    writer = PostgresBatchWriter(eng)
    for i in range(10):
        await writer.write(batch_of([pending(catalog, "make-your-mark", i, f"kept-{i}")]))
    assert len(checkouts) == 1  # no checkout (and no ping) per batch
    assert eng.sync_engine.pool.checkedout() == 1  # type: ignore[attr-defined]
    # A draft of a version that does not exist fails its batch; its connection is not reused.
    with pytest.raises(IntegrityError):
        await writer.write(batch_of([DraftStart("orphan", 999_999, "key-orphan")]))
    assert eng.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    await writer.write(batch_of([pending(catalog, "make-your-mark", 10, "kept-10")]))
    assert len(checkouts) == 2
    await writer.close()
    assert eng.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    assert len(await stored(settings, "kept")) == 11
    assert await database.query_async(settings.database_url, "SELECT id FROM draft") == []


@ON_POSTGRESQL
async def test_the_writer_commits_concurrent_submissions_in_few_batches_and_acknowledges_each(
    engine: tuple[AsyncEngine, SurveyCatalog], settings: Settings
) -> None:
    eng, catalog = engine
    writer = SubmissionWriter(eng)
    await writer.start()
    try:
        acks = await asyncio.gather(
            *(
                submit_response(
                    writer,
                    catalog,
                    catalog.surveys[SURVEYS[i % 3]],
                    answers_for(catalog.surveys[SURVEYS[i % 3]], i),
                    f"w-{i}",
                )
                for i in range(90)
            )
        )
    finally:
        await writer.stop()
    assert eng.sync_engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    rows = await database.query_async(
        settings.database_url, "SELECT submission_key, id FROM response WHERE submission_key LIKE 'w-%'"
    )
    assert {key: rid for key, rid in rows} == {f"w-{i}": ack.id for i, ack in enumerate(acks)}


#: Typed text that JSON must escape, and text that looks like JSON or SQL.
TRICKY_TEXTS = (
    'a "quote", a back\\slash and a / slash',
    "line one\nline two\r\n\ttabbed",
    "emoji \U0001f600, \u00e9t\u00e9, \u4f60\u597d and a literal \\u00e9",
    '{"answers": [1, 2]} ]}\' OR 1=1; --',
)


def tricky_answers(survey: Survey, i: int) -> dict[str, Any]:
    """Valid answers with every typed answer a text JSON must escape, then every number a fraction to keep exactly."""
    answers = answers_for(survey, i)
    for q in survey.questions:
        if q.id not in answers:
            continue
        if q.type_code in ("text", "textarea"):
            answers[q.id] = TRICKY_TEXTS[i % len(TRICKY_TEXTS)][: q.max_length]
    result = validate_answers(survey, answers)
    assert result.ok, result.errors
    checked = dict(result.answers)
    for q in survey.questions:
        if q.id in checked and q.type_code == "number":
            # Why after the check: the shipped number questions take whole numbers, and the writer stores
            # whatever cells it is given, so a fraction JSON might round is put in here.
            checked[q.id] = (1 / 3, 0.1, 123456.789, -2.5e-7)[i % 4]
    return checked


@ON_POSTGRESQL
async def test_the_one_statement_keeps_every_column_and_cell_exactly(
    engine: tuple[AsyncEngine, SurveyCatalog], settings: Settings
) -> None:
    """The batch's JSON document: escaped text, exact numbers, a delegate's columns and the time to the microsecond."""
    eng, catalog = engine
    evaluation = catalog.surveys["working-together-a-evaluation"]
    follow_up = catalog.surveys["training-follow-up"]
    invitation = uuid.uuid4()
    answers = tricky_answers(evaluation, 0)
    first = PendingSubmission(
        evaluation, catalog.version_id(evaluation), answers, "exact-eval", delegate(invitation, "p-1")
    )
    first_batch = batch_of([first])
    evaluation_id = first_batch.fresh["exact-eval"][0]
    items = [
        PendingSubmission(
            follow_up,
            catalog.version_id(follow_up),
            tricky_answers(follow_up, i),
            f"exact-follow-{i}",
            delegate(invitation, "p-1", follows=evaluation_id),
        )
        for i in range(4)
    ]
    young = catalog.surveys["sexual-health-young-people"]
    items += [
        PendingSubmission(young, catalog.version_id(young), tricky_answers(young, i), f"exact-young-{i}")
        for i in range(4)
    ]
    batch = batch_of(items)
    assert _one_statement(first_batch, None)
    assert _one_statement(batch, None)
    async with eng.connect() as conn:
        assert await _write_one_statement(conn, first_batch) == {}
        assert await _write_one_statement(conn, batch) == {}
    for done in (first_batch, batch):
        for key, (rid, item) in done.fresh.items():
            rows = await database.query_async(
                settings.database_url,
                "SELECT id, survey_version_id, survey_slug, submission_key, submitted_at, respondent, invitation_id, "
                "respondent_key, linked_response_id FROM response WHERE submission_key = :k",
                k=key,
            )
            assert [tuple(row) for row in rows] == [response_values(rid, item, done.now)]
            cells = await database.query_async(
                settings.database_url,
                "SELECT question_id, row_key, position, value_text, value_number FROM answer WHERE response_id = :r",
                r=rid,
            )
            expected = [(qid, *cell) for qid, cell in to_cells(item.survey, item.answers)]
            assert sorted(map(tuple, cells), key=repr) == sorted(expected, key=repr)
    typed = await database.query_async(
        settings.database_url,
        "SELECT value_text FROM answer WHERE value_text LIKE '%quote%' OR value_text LIKE 'emoji%'",
    )
    assert typed  # the tricky texts were among the answers stored
