"""The report's reads on SQLite and PostgreSQL: delegates by index or by scan, measured cells as categories."""

from __future__ import annotations

import gc
import uuid
from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis import measures
from analysis.training import RESPONDENT_COLUMN
from tests.impact.test_measured_copies import EVALUATION, current_version, run, store
from voice_service.core.settings import Settings
from voice_service.impact import service
from voice_service.impact.service import load_facts
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.respondents import refresh_measures, survey_answers
from voice_service.training.reporting import id_text, training_frames
from voice_service.training.reporting import training_rows as training_frames_read
from voice_service.training.tables import COURSES, DELEGATES, SESSIONS

FIRST = date(2022, 4, 4)


async def eight_sessions(engine: AsyncEngine) -> dict[str, set[str]]:
    """A course with eight weekly sessions of three delegates each; the delegates' pseudonyms by session date."""
    now = datetime.now(UTC)
    course = uuid.uuid4()
    by_date: dict[str, set[str]] = {}
    async with engine.begin() as conn:
        await conn.execute(
            insert(COURSES).values(
                id=course, name="Reads", name_key="reads", evaluation_survey=EVALUATION,
                follow_up_survey="training-follow-up", follow_up_days=182, created_at=now,
            )
        )  # fmt: skip
        for week in range(8):
            session, day = uuid.uuid4(), FIRST + timedelta(days=7 * week)
            await conn.execute(
                insert(SESSIONS).values(
                    id=session, course_id=course, date=day, mode="online", trainer="T", capacity=9, created_at=now
                )
            )
            keys = {f"w{week}-{n}" for n in range(3)}
            by_date[day.isoformat()] = keys
            await conn.execute(
                insert(DELEGATES),
                [
                    {"id": uuid.uuid4(), "session_id": session, "organisation": None, "sector": "health",
                     "attended": True, "pseudonym": key, "created_at": now, "updated_at": now}
                    for key in sorted(keys)
                ],
            )  # fmt: skip
    return by_date


def test_the_delegates_of_a_few_sessions_or_of_most_are_exactly_theirs(settings: Settings) -> None:
    # One session of eight is read through the index; six of eight by reading the table through (SQLite).
    async def work(engine: AsyncEngine, _catalog: SurveyCatalog) -> None:
        by_date = await eight_sessions(engine)
        days = sorted(by_date)
        for first, last in ((days[2], days[2]), (days[1], days[6]), (days[0], days[7])):
            frames = await training_frames(engine, date.fromisoformat(first), date.fromisoformat(last))
            wanted = set().union(*(keys for day, keys in by_date.items() if first <= day <= last))
            assert sorted(frames.delegates["pseudonym"]) == sorted(wanted)
            session_ids = {id_text(s) for s in frames.sessions["session_id"]}
            assert {id_text(s) for s in frames.delegates["session_id"]} == session_ids
            assert len(frames.sessions) == len([d for d in days if first <= d <= last])

    run(settings, work)


def test_measured_choices_read_as_their_options_and_a_stray_value_is_kept(settings: Settings) -> None:
    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> None:
        version = await current_version(engine, catalog, EVALUATION)
        await store(engine, version, EVALUATION, "likely", [("change_intent", "", "likely")])
        await store(engine, version, EVALUATION, "stray", [("change_intent", "", "perhaps")])
        await store(engine, version, EVALUATION, "none", [("course_elements", "quality", "good")])
        live = (await survey_answers(engine, catalog, EVALUATION)).frame
        await refresh_measures(engine, catalog)
        copied = await survey_answers(engine, catalog, EVALUATION)
        pd.testing.assert_frame_equal(
            copied.frame.set_index(RESPONDENT_COLUMN).sort_index(), live.set_index(RESPONDENT_COLUMN).sort_index()
        )
        frame = copied.frame.set_index(RESPONDENT_COLUMN)
        intent = frame["change_intent"]
        assert isinstance(intent.dtype, pd.CategoricalDtype)
        survey = catalog.current(EVALUATION)
        assert survey is not None
        question = survey.by_measure("change_intent")
        assert question is not None
        options = question.analysis_columns()[0].categories
        assert list(intent.cat.categories) == [*options, "perhaps"], "the options, then a value outside them"
        assert intent["likely"] == "likely"
        assert intent["stray"] == "perhaps"
        assert pd.isna(intent["none"])
        favourable = measures.favourable(copied.frame, copied.versions, "change_intent")
        by_key = dict(zip(copied.frame[RESPONDENT_COLUMN], favourable, strict=True))
        assert by_key["likely"] == True  # noqa: E712 - a numpy bool
        assert by_key["stray"] == False, "answered, not at the good end"  # noqa: E712
        assert by_key["none"] is pd.NA
        ordinals = dict(
            zip(
                copied.frame[RESPONDENT_COLUMN],
                measures.ordinals(copied.frame, copied.versions, "change_intent"),
                strict=True,
            )
        )
        assert ordinals["likely"] == options.index("likely") + 1
        assert ordinals["stray"] is pd.NA

    run(settings, work)


def test_the_report_leaves_the_cycle_collector_as_it_found_it(settings: Settings) -> None:
    # The report pauses cyclic garbage collection while it reads; on, off, or after a failed read,
    # the collector must be as it was (a report must never leave a service without it).
    async def work(engine: AsyncEngine, catalog: SurveyCatalog) -> None:
        await eight_sessions(engine)
        start, end = FIRST, FIRST + timedelta(days=60)
        seen: list[bool] = []

        async def watched(*args: object) -> object:
            seen.append(gc.isenabled())
            return await training_frames_read(*args)

        gc.enable()
        facts = await load_facts(engine, catalog, start, end)
        assert len(facts.delegates) == 24
        assert gc.isenabled()
        gc.disable()
        try:
            await load_facts(engine, catalog, start, end)
            assert not gc.isenabled(), "off before, so off after"
        finally:
            gc.enable()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(service, "training_rows", watched)
            await load_facts(engine, catalog, start, end)
            assert seen == [False], "paused while reading"
            assert gc.isenabled()

            async def failing(*_args: object) -> object:
                raise RuntimeError("the database went away")

            patch.setattr(service, "training_rows", failing)
            with pytest.raises(RuntimeError):
                await load_facts(engine, catalog, start, end)
        assert gc.isenabled(), "on again after a failed read"

    run(settings, work)
