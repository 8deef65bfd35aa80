"""The response-level export's rows: labels, several answers in order, numbers, formula-like text made safe."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.impact.response_export import response_export
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.pending import delegate
from voice_service.surveys.respondents import refresh_measures
from voice_service.surveys.submissions import SubmissionWriter, submit_response
from voice_service.surveys.tables import ANSWERS as ANSWER_ROWS

ANSWERS: list[dict[str, Any]] = [
    {
        "changed_practice": "yes_significantly",
        "practice_example": "-1 referral made sooner",
        "happy_to_share": "yes",
        "actions_since": ["shared_learning", "made_referral"],
        "colleagues_told": 3,
        "confidence_before": "low",
        "confidence_after": "high",
        "impact_on_children": "@mention\tand a tab",
        "further_support": ["supervision", "refresher"],
        "further_support_other": "\r=cmd|' /C calc'!A0",
    },
    {"changed_practice": "no", "barriers": "+ time", "confidence_before": "high", "confidence_after": "high"},
]


async def store_follow_ups(engine: AsyncEngine, catalog: SurveyCatalog, answer_sets: list[dict[str, Any]]) -> None:
    """Submit each set of answers to the training follow-up through the write path, for a new delegate."""
    writer = SubmissionWriter(engine)
    await writer.start()
    try:
        survey = catalog.current("training-follow-up")
        assert survey is not None
        for n, answers in enumerate(answer_sets):
            key = f"rows-{n}-{uuid.uuid4().hex}"
            await submit_response(writer, catalog, survey, answers, key, respondent=delegate(uuid.uuid4(), "k"))
    finally:
        await writer.stop()


def export_rows(settings: Settings, chunk_size: int) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Store the answers above through the write path, then read the follow-up's export rows."""

    async def run() -> tuple[list[str], list[tuple[Any, ...]]]:
        engine = create_engine(settings)
        catalog = SurveyCatalog.from_folder(settings.forms_dir)
        await catalog.sync(engine)
        await store_follow_ups(engine, catalog, ANSWERS)
        try:
            export = await response_export(engine, catalog, "training-follow-up")
            export.chunk_size = chunk_size
            rows = [row async for chunk in export.rows() for row in chunk]
            return export.header, rows
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_cells_are_labelled_joined_in_the_options_order_and_safe(settings: Settings) -> None:
    header, rows = export_rows(settings, chunk_size=1)
    assert len(rows) == 2
    by_column = [dict(zip(header, row, strict=True)) for row in rows]
    first = next(r for r in by_column if r["Has the training changed the way you work?"] == "Yes, significantly")
    second = next(r for r in by_column if r["Has the training changed the way you work?"] == "No")
    assert first["Since the training, have you done any of these?"] == (
        "Made or supported a referral; Shared what I learned with colleagues"
    )
    assert first["What further support would help you?"] == (
        "A refresher or the next course in the programme; Time to talk it through in supervision"
    )
    assert first["About how many colleagues have you shared the learning with?"] == 3
    assert first["Thinking back, how confident did you feel before the training?"] == "Low"
    assert first["Please give an example of something you now do differently."] == "'-1 referral made sooner"
    children = "What difference has this made for the children, young people and families you work with?"
    assert first[children] == "'@mention\tand a tab"
    other = "Is there anything else that would help, or any other comments?"
    # The write path trims the leading carriage return; the formula under it is still made safe.
    assert first[other] == "'=cmd|' /C calc'!A0"
    assert second["What has made it hard to use what you learned?"] == "'+ time"
    assert second["Since the training, have you done any of these?"] is None
    for row in by_column:
        assert len(row["Response"]) == 36
        assert row["Response"].count("-") == 4
        assert row["Submitted (UTC)"][:2] == "20"
        assert len(row["Submitted (UTC)"]) == 19
        assert row["Survey version"]
        # These delegates' keys belong to no session: no course is made up for them.
        assert row["Course"] is None
        assert row["Session date"] is None
    assert [r["Response"] for r in by_column] == sorted(r["Response"] for r in by_column)


def test_chunking_does_not_change_the_rows(settings: Settings) -> None:
    _, one_at_a_time = export_rows(settings, chunk_size=1)
    header, together = export_rows(settings, chunk_size=5_000)
    # The second call stored the two answers again: four responses, the first two as before.
    assert len(together) == 4
    assert set(one_at_a_time) <= set(together)
    assert len(header) == len(together[0])


AWKWARD: list[dict[str, Any]] = [
    {
        "changed_practice": "yes_a_little",
        "practice_example": 'I ask "who else knows?", then\nwrite it down, on the form',
        "colleagues_told": 12,
        "confidence_before": "low",
        "confidence_after": "moderate",
        "impact_on_children": "  spaces at both ends, a comma  ",
        "actions_since": ["made_referral", "shared_learning"],
    },
    {
        "changed_practice": "no",
        "barriers": '=1+1, and "quotes"',
        "colleagues_told": 0,
        "confidence_before": "high",
        "confidence_after": "high",
    },
    {"changed_practice": "not_yet", "confidence_before": "very_low", "confidence_after": "low"},
]


def export_csv(settings: Settings, chunk_size: int) -> tuple[bytes, list[tuple[Any, ...]], list[str]]:
    """Store the awkward answers, then the follow-up's CSV export, its rows and its header."""

    async def run() -> tuple[bytes, list[tuple[Any, ...]], list[str]]:
        engine = create_engine(settings)
        catalog = SurveyCatalog.from_folder(settings.forms_dir)
        await catalog.sync(engine)
        await store_follow_ups(engine, catalog, AWKWARD)
        try:
            export = await response_export(engine, catalog, "training-follow-up")
            export.chunk_size = chunk_size
            content = b"".join([piece async for piece in export.csv()])
            rows = [row async for chunk in export.rows() for row in chunk]
            return content, rows, export.header
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_the_csv_lines_from_the_database_are_what_the_csv_module_writes(settings: Settings) -> None:
    for chunk_size in (1, 5_000):
        content, rows, header = export_csv(settings, chunk_size)
        expected = io.StringIO()
        expected.write("\ufeff")
        csv.writer(expected, lineterminator="\r\n").writerows([header, *rows])
        assert content == expected.getvalue().encode("utf-8")
    by_column = [dict(zip(header, row, strict=True)) for row in rows]
    example = "Please give an example of something you now do differently."
    assert 'I ask "who else knows?", then\nwrite it down, on the form' in [r[example] for r in by_column]
    assert {r["About how many colleagues have you shared the learning with?"] for r in by_column} == {12, None}
    assert '\'=1+1, and "quotes"' in [r["What has made it hard to use what you learned?"] for r in by_column]
    parsed = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert parsed[0] == header
    assert len(parsed) == len(rows) + 1


def export_csv_before_and_after_copying(settings: Settings) -> tuple[bytes, bytes, int]:
    """The follow-up's CSV read live, then again once due work has copied the measured cells: (live, copied, copies)."""

    async def run() -> tuple[bytes, bytes, int]:
        engine = create_engine(settings)
        catalog = SurveyCatalog.from_folder(settings.forms_dir)
        await catalog.sync(engine)
        await store_follow_ups(engine, catalog, [*AWKWARD, *ANSWERS])
        async with engine.begin() as conn:
            # A stored value outside today's options (as an older version's would be), awkward for a CSV.
            stray = ANSWER_ROWS.c.question_id == "changed_practice"
            await conn.execute(
                update(ANSWER_ROWS).where(stray, ANSWER_ROWS.c.value_text == "no").values(value_text='=old, "no"')
            )
        try:
            export = await response_export(engine, catalog, "training-follow-up")
            live = b"".join([piece async for piece in export.csv()])
            copied = await refresh_measures(engine, catalog)
            export = await response_export(engine, catalog, "training-follow-up")
            from_copies = b"".join([piece async for piece in export.csv()])
            return live, from_copies, copied
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_the_csv_reads_choices_from_the_copies_as_it_reads_them_live(settings: Settings) -> None:
    live, from_copies, copied = export_csv_before_and_after_copying(settings)
    assert copied == 5
    assert from_copies == live
    text = from_copies.decode("utf-8-sig")
    assert "Yes, a little" in text
    assert "Not yet" in text
    assert ",Very low," in text
    # A stored value outside the options is kept as text in the copy and read live, neutralised and quoted.
    assert ',"\'=old, ""no""",' in text
