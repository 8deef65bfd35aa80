"""The public "You Said / We Did" page: published records, grouped and filtered, and anonymous feedback on them."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from analysis.suppression import THRESHOLD, suppress_list
from voice_service.voice import records, workflow
from voice_service.voice.records import NotFound, Record
from voice_service.voice.tables import FEEDBACK, RECORDS
from voice_service.voice.workflow import Invalid

#: The answers to "Did this make a difference?", as stored and as shown.
ANSWERS: dict[str, str] = {"yes": "Yes", "a_bit": "A bit", "no": "No"}


@dataclass(frozen=True)
class Filters:
    """What the page is narrowed to ("" shows everything)."""

    group: str = ""
    theme: str = ""
    year: str = ""


@dataclass(frozen=True)
class Figure:
    """A count fit to publish: the number, or None when hidden (under 5, or so a hidden one cannot be worked out)."""

    value: int | None
    #: Hidden because it is under 5 itself (not only to protect another figure).
    small: bool = False

    @property
    def text(self) -> str:
        """The figure in words a child reads."""
        if self.value is not None:
            return f"{self.value:,}"
        return "fewer than 5" if self.small else "not shown"


@dataclass(frozen=True)
class PublicRecord:
    """A published record as the public page shows it, with its feedback counts suppressed."""

    record: Record
    people: Figure | None
    answers: dict[str, Figure]
    answered: Figure


@dataclass(frozen=True)
class PublicPage:
    """The records shown, grouped by group or source, and the choices each filter offers."""

    groups: list[tuple[str, list[PublicRecord]]]
    filters: Filters
    sources: list[str]
    themes: list[str]
    years: list[str]

    @property
    def shown(self) -> int:
        """How many records are shown."""
        return sum(len(items) for _group, items in self.groups)


def people_figure(count: int | None) -> Figure | None:
    """How many young people a record rests on, fit to publish (None when not known)."""
    if count is None:
        return None
    return Figure(count, False) if count >= THRESHOLD else Figure(None, True)


def feedback_figures(counts: Mapping[str, int]) -> tuple[dict[str, Figure], Figure]:
    """Each answer's count and the total, with small numbers hidden so none can be worked out from the total."""
    shown = [int(counts.get(key, 0)) for key in ANSWERS]
    raw = [*shown, sum(shown)]
    figures = [
        Figure(None, 0 < raw[i] < THRESHOLD) if v is None else Figure(v) for i, v in enumerate(suppress_list(shown))
    ]
    return dict(zip(ANSWERS, figures[:-1], strict=True)), figures[-1]


async def feedback_counts(engine: AsyncEngine) -> dict[uuid.UUID, dict[str, int]]:
    """Each record's answers to "Did this make a difference?" by answer."""
    query = select(FEEDBACK.c.record_id, FEEDBACK.c.answer, func.count()).group_by(
        FEEDBACK.c.record_id, FEEDBACK.c.answer
    )
    counts: dict[uuid.UUID, dict[str, int]] = {}
    async with engine.connect() as conn:
        for record_id, answer, number in (await conn.execute(query)).all():
            counts.setdefault(record_id, {})[answer] = int(number)
    return counts


async def public_page(engine: AsyncEngine, filters: Filters) -> PublicPage:
    """Published records matching the filters, grouped by group or source in the order they were first published."""
    published = await records.published_records(engine)
    counts = await feedback_counts(engine)
    chosen = [
        r
        for r in published
        if (not filters.group or r.source == filters.group)
        and (not filters.theme or r.theme == filters.theme)
        and (not filters.year or r.year == filters.year)
    ]
    groups: dict[str, list[PublicRecord]] = {}
    for record in sorted(chosen, key=lambda r: (r.source.casefold(), r.published_at or r.created_at)):
        answers, answered = feedback_figures(counts.get(record.id, {}))
        groups.setdefault(record.source, []).append(
            PublicRecord(record, people_figure(record.people_count), answers, answered)
        )
    return PublicPage(
        groups=list(groups.items()),
        filters=filters,
        sources=sorted({r.source for r in published}, key=str.casefold),
        themes=sorted({r.theme for r in published}, key=str.casefold),
        years=sorted({r.year for r in published if r.year}, reverse=True),
    )


async def answer_difference(engine: AsyncEngine, record_id: uuid.UUID, answer: str, today: date | None = None) -> None:
    """Store one anonymous answer under a published record (NotFound for any other record; Invalid for no answer).

    Only the answer and the day are stored: no address, cookie or time of day.
    """
    async with engine.begin() as conn:
        state = (await conn.execute(select(RECORDS.c.state).where(RECORDS.c.id == record_id))).scalar()
        if state != workflow.PUBLISHED:
            raise NotFound("No published record with that id")
        if answer not in ANSWERS:
            raise Invalid({"answer": "Choose yes, a bit or no"})
        day = today or datetime.now(UTC).date()
        await conn.execute(
            insert(FEEDBACK).values(id=uuid.uuid4(), record_id=record_id, answer=answer, answered_on=day)
        )
