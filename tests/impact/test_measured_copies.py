"""The report's copies of measured cells (`response_measures`): the same answers as the live read, always current.

On SQLite and PostgreSQL: responses stored after the copy count, deleted responses and answers
deleted by retention are never read from a copy, older versions keep their label, and copies in an
old layout are ignored and replaced.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pandas as pd
import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.frames import VERSION_COLUMN
from analysis.training import RESPONDENT_COLUMN
from voice_service.app import JOB_HANDLERS, RECURRING_JOBS, build_job_runner
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.impact.jobs import REFRESH_MEASURES
from voice_service.impact.service import training_report
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.measured import MeasuredCell, encoded, layout_of
from voice_service.surveys.respondents import refresh_measures, survey_answers
from voice_service.surveys.retention import delete_typed_answers
from voice_service.surveys.tables import ANSWERS, MEASURED_SLOTS, RESPONSE_MEASURES, RESPONSES, SURVEY_VERSIONS

EVALUATION = "working-together-a-evaluation"
FOLLOW_UP = "training-follow-up"
T = TypeVar("T")

RATED = [
    ("course_elements", "quality", "good"),
    ("course_elements", "content", "poor"),
    ("change_intent", "", "likely"),
]


def run(settings: Settings, work: Callable[[AsyncEngine, SurveyCatalog], Awaitable[T]]) -> T:
    """`work` with a fresh engine and a synced catalog."""

    async def go() -> T:
        engine = create_engine(settings)
        catalog = SurveyCatalog.from_folder(settings.forms_dir)
        await catalog.sync(engine)
        try:
            return await work(engine, catalog)
        finally:
            await engine.dispose()

    return asyncio.run(go())


async def store(
    engine: AsyncEngine, version_id: int, slug: str, key: str | None, cells: list[tuple[str, str, str]]
) -> uuid.UUID:
    """A response as the write path keeps it: the response row and one answer row per cell."""
    rid = uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(
            insert(RESPONSES).values(
                id=rid, survey_version_id=version_id, survey_slug=slug, submission_key=uuid.uuid4().hex,
                submitted_at=datetime.now(UTC), respondent="delegate" if key else "anonymous", respondent_key=key,
            )
        )  # fmt: skip
        rows: list[dict[str, Any]] = [
            {"response_id": rid, "question_id": q, "row_key": r, "position": 0, "value_text": v} for q, r, v in cells
        ]
        if rows:
            await conn.execute(insert(ANSWERS), rows)
    return rid


async def current_version(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> int:
    survey = catalog.current(slug)
    assert survey is not None
    return catalog.version_id(survey)


async def frame_of(engine: AsyncEngine, catalog: SurveyCatalog, slug: str) -> pd.DataFrame:
    """The report's frame of `slug`, by respondent key, columns sorted (the order reads do not promise)."""
    frame = (await survey_answers(engine, catalog, slug)).frame
    return frame.set_index(RESPONDENT_COLUMN).sort_index().sort_index(axis=1)


async def copies(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(RESPONSE_MEASURES))).scalar_one())


def test_copies_read_the_same_as_live_and_a_late_response_counts_at_once(settings: Settings) -> None:
    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> None:
        version = await current_version(engine, catalog, EVALUATION)
        await store(engine, version, EVALUATION, "early", RATED)
        await store(engine, version, EVALUATION, "nothing", [])
        await store(engine, version, EVALUATION, None, [("change_intent", "", "very_likely")])
        live = await frame_of(engine, catalog, EVALUATION)

        assert await refresh_measures(engine, catalog) == 2, "the two keyed responses are copied, not the anonymous one"
        assert await copies(engine) == 2
        assert await refresh_measures(engine, catalog) == 0, "a second run finds nothing new"
        pd.testing.assert_frame_equal(await frame_of(engine, catalog, EVALUATION), live)

        # Stored after the copy: read live, in the same frame, straight away.
        await store(engine, version, EVALUATION, "late", [("change_intent", "", "unlikely")])
        late = await frame_of(engine, catalog, EVALUATION)
        assert sorted(late.index) == ["early", "late", "nothing"]
        assert late.loc["late", "change_intent"] == "unlikely"
        assert late.loc["early", "course_elements.quality"] == "good"
        assert pd.isna(late.loc["nothing", "change_intent"])
        assert await copies(engine) == 2, "nothing copied it yet"

    run(settings, work)


def test_a_deleted_response_is_gone_from_the_report_and_its_copy_with_it(settings: Settings) -> None:
    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> None:
        version = await current_version(engine, catalog, EVALUATION)
        await store(engine, version, EVALUATION, "kept", RATED)
        gone = await store(engine, version, EVALUATION, "gone", RATED)
        await refresh_measures(engine, catalog)
        async with engine.begin() as conn:
            await conn.execute(delete(RESPONSES).where(RESPONSES.c.id == gone))
        assert list((await frame_of(engine, catalog, EVALUATION)).index) == ["kept"]
        assert await copies(engine) == 1

    run(settings, work)


def test_text_deleted_by_retention_does_not_come_back_from_a_copy(settings: Settings) -> None:
    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> None:
        version = await current_version(engine, catalog, FOLLOW_UP)
        example = [("changed_practice", "", "yes"), ("practice_example", "", "I now ring the school nurse first.")]
        await store(engine, version, FOLLOW_UP, "delegate-1", example)
        await refresh_measures(engine, catalog)
        assert (await frame_of(engine, catalog, FOLLOW_UP)).loc["delegate-1", "practice_example"].startswith("I now")

        future = datetime.now(UTC) + timedelta(days=1)
        assert await delete_typed_answers(engine, {}, future) >= 1
        assert await copies(engine) == 0, "deleting an answer drops the response's copy"
        after = await frame_of(engine, catalog, FOLLOW_UP)
        assert after.loc["delegate-1", "changed_practice"] == "yes"
        assert "practice_example" not in after.columns or pd.isna(after.loc["delegate-1", "practice_example"])

        # Copied again after retention: the text stays gone.
        assert await refresh_measures(engine, catalog) == 1
        again = await frame_of(engine, catalog, FOLLOW_UP)
        assert "practice_example" not in again.columns or pd.isna(again.loc["delegate-1", "practice_example"])

    run(settings, work)


def test_a_response_to_an_older_version_keeps_its_version_whether_copied_or_not(settings: Settings) -> None:
    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> None:
        survey = catalog.current(EVALUATION)
        assert survey is not None
        async with engine.begin() as conn:
            old = (
                await conn.execute(
                    insert(SURVEY_VERSIONS)
                    .values(
                        slug=EVALUATION, version="2021-old", title=survey.title, definition=survey.to_json(),
                        first_seen_at=datetime(2021, 4, 1, tzinfo=UTC),
                    )
                    .returning(SURVEY_VERSIONS.c.id)
                )
            ).scalar_one()  # fmt: skip
        await store(engine, old, EVALUATION, "old", [("change_intent", "", "very_likely")])
        await store(engine, await current_version(engine, catalog, EVALUATION), EVALUATION, "new", RATED)
        live = await frame_of(engine, catalog, EVALUATION)
        assert live.loc["old", VERSION_COLUMN] == "2021-old"
        assert live.loc["new", VERSION_COLUMN] == survey.version
        await refresh_measures(engine, catalog)
        pd.testing.assert_frame_equal(await frame_of(engine, catalog, EVALUATION), live)

    run(settings, work)


def test_copies_in_an_old_layout_are_ignored_then_replaced(settings: Settings) -> None:
    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> None:
        version = await current_version(engine, catalog, EVALUATION)
        await store(engine, version, EVALUATION, "rated", RATED)
        await refresh_measures(engine, catalog)
        live = await frame_of(engine, catalog, EVALUATION)
        # As if the definition's measured questions had changed since: the copy's slots mean something else.
        async with engine.begin() as conn:
            await conn.execute(update(RESPONSE_MEASURES).values(layout="an-older-layout", codes="wrong"))
        pd.testing.assert_frame_equal(await frame_of(engine, catalog, EVALUATION), live)
        assert await refresh_measures(engine, catalog) == 1
        assert await copies(engine) == 1
        pd.testing.assert_frame_equal(await frame_of(engine, catalog, EVALUATION), live)

    run(settings, work)


def test_the_report_is_identical_before_after_and_half_way_through_copying(
    settings: Settings, annual_report: int
) -> None:
    start, end = datetime(2022, 4, 1).date(), datetime(2023, 3, 31).date()
    weights = dict(settings.impact_weights)

    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> None:
        live = (await training_report(engine, catalog, weights, start, end)).as_json()
        copied = await refresh_measures(engine, catalog)
        assert copied > 0
        assert (await training_report(engine, catalog, weights, start, end)).as_json() == live
        async with engine.begin() as conn:
            half = select(RESPONSE_MEASURES.c.response_id).limit(copied // 2).scalar_subquery()
            await conn.execute(delete(RESPONSE_MEASURES).where(RESPONSE_MEASURES.c.response_id.in_(half)))
        assert 0 < await copies(engine) < copied
        assert (await training_report(engine, catalog, weights, start, end)).as_json() == live

    run(settings, work)


def test_due_work_copies_them(settings: Settings) -> None:
    assert REFRESH_MEASURES in JOB_HANDLERS
    assert any(job.kind == REFRESH_MEASURES for job in RECURRING_JOBS)

    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> None:
        await store(engine, await current_version(engine, catalog, EVALUATION), EVALUATION, "rated", RATED)
        runner, now = build_job_runner(settings, engine), datetime.now(UTC)
        await runner.arm_recurring(now)
        summary = await runner.run_due(now, kinds=[REFRESH_MEASURES])
        assert summary.done[REFRESH_MEASURES] == 1
        assert await copies(engine) == 1

    run(settings, work)


def test_a_layout_names_its_cells_and_too_many_cells_have_none() -> None:
    cells = [MeasuredCell(f"q{n}", f"q{n}", "") for n in range(MEASURED_SLOTS)]
    assert layout_of(cells) == layout_of(list(cells))
    assert layout_of(cells) != layout_of([*cells[:-1], MeasuredCell("other", "other", "")])
    assert layout_of([*cells, MeasuredCell("one_more", "one_more", "")]) is None, "read live, never cut short"
    assert layout_of([]) is None


def test_a_survey_measuring_more_cells_than_the_slots_is_read_live(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> tuple[pd.DataFrame, int, pd.DataFrame]:
        version = await current_version(engine, catalog, EVALUATION)
        await store(engine, version, EVALUATION, "rated", RATED)
        await store(engine, version, EVALUATION, "nothing", [])
        with monkeypatch.context() as patched:
            # As if the survey measured more cells than a copy holds (the evaluation measures 7).
            patched.setattr("voice_service.surveys.measured.MEASURED_SLOTS", 6)
            # And read live in JSON arrays of at most 3 values (as more than 50 cells would be).
            patched.setattr("voice_service.surveys.measured.JSON_CHUNK", 3)
            copied = await refresh_measures(engine, catalog)
            live = await frame_of(engine, catalog, EVALUATION)
        await refresh_measures(engine, catalog)
        return live, copied, await frame_of(engine, catalog, EVALUATION)

    live, copied, from_copies = run(settings, work)
    assert copied == 0
    assert live.loc["rated", "course_elements.quality"] == "good"
    pd.testing.assert_frame_equal(from_copies, live)


def test_a_value_outside_the_options_and_typed_text_come_back_from_a_copy_as_stored(settings: Settings) -> None:
    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> None:
        version = await current_version(engine, catalog, EVALUATION)
        await store(
            engine, version, EVALUATION, "stray", [("change_intent", "", "a value no version offers"), *RATED[:2]]
        )
        await store(engine, version, EVALUATION, "rated", RATED)
        typed = 'He said "no" & left; ü\n=1+1'
        follow_up = await current_version(engine, catalog, FOLLOW_UP)
        await store(
            engine, follow_up, FOLLOW_UP, "typed", [("changed_practice", "", "yes"), ("practice_example", "", typed)]
        )
        live = await frame_of(engine, catalog, EVALUATION)
        live_follow_up = await frame_of(engine, catalog, FOLLOW_UP)
        assert await refresh_measures(engine, catalog) == 3
        copied = await frame_of(engine, catalog, EVALUATION)
        pd.testing.assert_frame_equal(copied, live)
        pd.testing.assert_frame_equal(await frame_of(engine, catalog, FOLLOW_UP), live_follow_up)
        assert copied.loc["stray", "change_intent"] == "a value no version offers"
        assert copied.loc["rated", "change_intent"] == "likely"
        assert (await frame_of(engine, catalog, FOLLOW_UP)).loc["typed", "practice_example"] == typed

    run(settings, work)


def test_a_copy_codes_each_choice_by_its_place_and_keeps_anything_else_as_text() -> None:
    cells = [
        MeasuredCell("rating", "rating", "", ("poor", "good")),
        MeasuredCell("example", "example", "", None),
        MeasuredCell("many", "many", "", tuple(f"o{n}" for n in range(100))),
    ]
    coders = [cell.coded() for cell in cells]
    assert encoded(coders, ["good", None, None]) == ("1--", None)
    assert encoded(coders, ["poor", "typed", "o99"]) == ("0~~", '[null,"typed","o99"]')
    assert encoded(coders, ["unheard of", None, None]) == ("~--", '["unheard of",null,null]')
    assert layout_of(cells) != layout_of([cells[0], cells[1], MeasuredCell("many", "many", "", ("o1",))]), (
        "a layout changes with the options, so codes of other options are never read"
    )
