"""The demo records: the annual report's five rows, published once, without the report's stray tags."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.voice import public, records
from voice_service.voice.demo import load_voice_demo, report_rows, without_stray_tags


async def test_the_five_report_rows_are_published_once(engine: AsyncEngine) -> None:
    assert await load_voice_demo(engine) == 5
    assert await load_voice_demo(engine) == 0
    published = await records.published_records(engine)
    assert len(published) == 5
    assert {r.source for r in published} == {
        "Care Experienced Young People",
        "Sexual Health Young People Survey",
        "Access 4 All Young Persons Group",
    }
    assert {r.year for r in published} == {"2022/23"}
    assert all("<p>" not in r.said and "</p>" not in r.done for r in published)
    assert all(r.easy_read for r in published)
    counts = await public.feedback_counts(engine)
    assert all(counts[r.id] == {"yes": 7, "a_bit": 5, "no": 6} for r in published)
    history = await records.history(engine, published[0].id)
    assert [e.to_state for e in history] == ["draft", "submitted", "approved", "published"]


def test_the_report_rows_carry_the_tags_the_loader_drops() -> None:
    said = [row["said"] for row in report_rows()]
    assert sum(text.startswith("<p>") for text in said) == 2
    assert without_stray_tags("<p>A&E is scary</p>") == "A&E is scary"
