"""Demo "You Said / We Did" records: the five rows of the 2022/23 annual report's table, published.

The report's own words are kept; the stray `<p>` tags its published table carries are dropped
(they are markup, not what anyone said). The easy-read lines, themes and owners are ours.
Loading twice adds nothing: a record with the same group and words is skipped.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.voice import public, records
from voice_service.voice.tables import RECORDS
from voice_service.voice.workflow import Mover

#: Who the demo records are drafted and published by (no account: nothing to approve one's own with).
DEMO_EDITOR = Mover(None, "demo data: 2022/23 annual report", frozenset({"voice_editor"}))
DEMO_REVIEWER = Mover(None, "demo data: 2022/23 annual report", frozenset({"voice_reviewer"}))
PUBLISHED_ON = datetime(2023, 3, 31, 12, 0, tzinfo=UTC)
STRAY_TAGS = re.compile(r"</?p\s*>", re.IGNORECASE)
#: Invented answers to "Did this make a difference?" under each demo record (yes, a bit, no), so the
#: dashboard has the public page's row; the report has no such figures.
DEMO_FEEDBACK = {"yes": 7, "a_bit": 5, "no": 6}

#: The report's rows, as published (see the file's header).
REPORT_FILE = Path(__file__).with_name("demo-records.yaml")


def report_rows() -> list[dict[str, Any]]:
    """The report's five rows as the demo file holds them."""
    rows: list[dict[str, Any]] = yaml.safe_load(REPORT_FILE.read_text(encoding="utf-8"))
    return rows


def without_stray_tags(text: str) -> str:
    """The report's text without the `<p>` tags its published table carries."""
    return STRAY_TAGS.sub("", text).strip()


async def load_voice_demo(engine: AsyncEngine) -> int:
    """Store and publish the report's five records (skipping any already there); how many were added."""
    async with engine.connect() as conn:
        existing = {(r.source, r.said) for r in (await conn.execute(select(RECORDS.c.source, RECORDS.c.said))).all()}
    added = 0
    for row in report_rows():
        values = {k: without_stray_tags(v) if isinstance(v, str) else v for k, v in row.items()}
        values["evidence_period"] = "2022/23"
        if (values["source"], values["said"]) in existing:
            continue
        record = await records.create_record(engine, values, DEMO_EDITOR, now=PUBLISHED_ON)
        for to, mover in (("submitted", DEMO_EDITOR), ("approved", DEMO_REVIEWER), ("published", DEMO_REVIEWER)):
            await records.move_record(engine, record.id, to, "From the 2022/23 annual report", mover, now=PUBLISHED_ON)
        for answer, times in DEMO_FEEDBACK.items():
            for _ in range(times):
                await public.answer_difference(engine, record.id, answer, today=PUBLISHED_ON.date())
        added += 1
    return added
