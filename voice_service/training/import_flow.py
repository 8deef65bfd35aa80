"""The two ways delegates arrive in bulk: the upload -> preview -> confirm pages, and the API body.

The preview page carries the uploaded file back in a hidden field with the fingerprint of the
plan it showed; the confirmation re-reads and re-checks the file, and imports only when the plan
is still the one previewed (otherwise it shows the new preview). Nothing is kept on the server
between the two requests, so any worker can answer either.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from voice_service.core.audit import Actor
from voice_service.training.courses import CourseInfo
from voice_service.training.csv_import import MAX_FILE_BYTES, parse_attendees
from voice_service.training.delegates import (
    ImportPlan,
    ImportRefused,
    ImportResult,
    ListChanged,
    import_delegates,
    plan_import,
)
from voice_service.training.rows import RowError, Rows, rows_from_json
from voice_service.training.sessions import SessionInfo, session_with_course


@dataclass(frozen=True)
class Preview:
    """What an uploaded file would do to a session, and the file to carry to the confirmation."""

    course: CourseInfo
    session: SessionInfo
    plan: ImportPlan
    carried: str
    #: True when the list changed after an earlier preview of the same file.
    again: bool = False


class PreviewAgain(RuntimeError):
    """The confirmation no longer matches its preview: show this new one instead."""

    def __init__(self, preview: Preview) -> None:
        super().__init__("preview again")
        self.preview = preview


class UnsupportedBody(ValueError):
    """An API body that is neither JSON nor CSV."""


def carry(data: bytes) -> str:
    """A file as hidden-field text (URL-safe base64)."""
    return base64.urlsafe_b64encode(data).decode("ascii")


def uncarry(text: str) -> bytes:
    """The file back from the hidden field (empty when it was tampered into something unreadable)."""
    if len(text) > MAX_FILE_BYTES * 4 // 3 + 8:
        return b""
    try:
        return base64.urlsafe_b64decode(text.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        return b""


async def preview_upload(engine: AsyncEngine, session_id: uuid.UUID, data: bytes, sectors: Sequence[str]) -> Preview:
    """Check an uploaded file and plan its import (NotFound for an unknown session); nothing is stored."""
    course, session = await session_with_course(engine, session_id)
    if not data:
        parsed = Rows([], [RowError(0, "file", "Choose a CSV file of the delegates")])
    else:
        parsed = parse_attendees(data, sectors)
    plan = await plan_import(engine, session_id, parsed)
    return Preview(course, session, plan, carry(data))


async def confirm_upload(
    engine: AsyncEngine,
    session_id: uuid.UUID,
    carried: str,
    fingerprint: str,
    sectors: Sequence[str],
    *,
    actor: Actor,
    address: str = "",
) -> ImportResult:
    """Import the previewed file if it still does what the preview said; else PreviewAgain."""
    data = uncarry(carried)
    parsed = parse_attendees(data, sectors) if data else Rows([], [RowError(0, "file", "Upload the file again")])
    try:
        return await import_delegates(engine, session_id, parsed, actor=actor, address=address, expected=fingerprint)
    except (ListChanged, ImportRefused):
        preview = await preview_upload(engine, session_id, data, sectors)
        raise PreviewAgain(Preview(preview.course, preview.session, preview.plan, preview.carried, True)) from None


def parse_body(content_type: str, body: bytes, sectors: Sequence[str]) -> Rows:
    """An API body: a JSON list of delegates or a text/csv file (UnsupportedBody for anything else)."""
    media = content_type.split(";")[0].strip().lower()
    if media in ("text/csv", "application/csv"):
        return parse_attendees(body, sectors)
    if media == "application/json" or media.endswith("+json"):
        try:
            items = json.loads(body)
        except (ValueError, RecursionError):
            return Rows([], [RowError(0, "body", "The body is not valid JSON")])
        return rows_from_json(items, sectors)
    raise UnsupportedBody("Send application/json (a list of delegates) or text/csv")


async def import_body(
    engine: AsyncEngine,
    session_id: uuid.UUID,
    content_type: str,
    body: bytes,
    sectors: Sequence[str],
    *,
    actor: Actor,
    address: str = "",
) -> ImportResult:
    """Import an API body at once or not at all (UnsupportedBody, ImportRefused, NotFound, ListChanged)."""
    parsed = parse_body(content_type, body, sectors)
    if parsed.errors:
        # Why: an unknown session is a 404 even when the body is bad too.
        await session_with_course(engine, session_id)
    return await import_delegates(engine, session_id, parsed, actor=actor, address=address)
