"""Through the real API and database: accepted answers come back identical; rejected ones store nothing."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar.testing import TestClient

from forms import load_surveys
from forms.engine import from_cells
from forms.questions import Cell
from tests.properties.strategies import JSON_JUNK, valid_answers
from tests.support.database import counts, query
from tests.support.open_forms import OPEN_FORMS
from voice_service.app import create_app
from voice_service.core.settings import Settings

#: Course surveys are answered only through delegates' links: here they are opened to the API.
SURVEYS = load_surveys(OPEN_FORMS)
SLUGS = sorted(SURVEYS)
RUN = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
KEYS = itertools.count()


def stored_answers(url: str, submission_key: str, slug: str) -> dict[str, Any]:
    """Answers rebuilt from the answer rows of one response."""
    rows = query(
        url,
        "SELECT a.question_id, a.row_key, a.position, a.value_text, a.value_number"
        " FROM answer a JOIN response r ON r.id = a.response_id WHERE r.submission_key = :key",
        key=submission_key,
    )
    return from_cells(SURVEYS[slug], [(r[0], Cell(r[1], r[2], r[3], r[4])) for r in rows])


def test_accepted_answers_are_stored_identically(settings: Settings) -> None:
    with TestClient(app=create_app(dataclasses.replace(settings, forms_dir=OPEN_FORMS))) as client:

        @RUN
        @given(st.data())
        def check(data: st.DataObject) -> None:
            slug = data.draw(st.sampled_from(SLUGS))
            answers = data.draw(valid_answers(SURVEYS[slug]))
            key = f"prop-{next(KEYS):08d}"
            reply = client.post(f"/api/surveys/{slug}/responses", json={"answers": answers, "submission_key": key})
            assert reply.status_code == 201, reply.text
            assert stored_answers(settings.database_url, key, slug) == answers

        check()


def test_rejected_answers_leave_the_database_unchanged(settings: Settings) -> None:
    with TestClient(app=create_app(dataclasses.replace(settings, forms_dir=OPEN_FORMS))) as client:

        @RUN
        @given(st.sampled_from(SLUGS), st.dictionaries(st.text(max_size=12), JSON_JUNK, max_size=4))
        def check(slug: str, answers: dict[str, Any]) -> None:
            before = counts(settings.database_url)
            reply = client.post(
                f"/api/surveys/{slug}/responses",
                json={"answers": answers, "submission_key": f"junk-{next(KEYS):08d}"},
            )
            assert reply.status_code in (201, 422), reply.text
            if reply.status_code == 422:
                assert reply.json()["errors"]
                assert counts(settings.database_url) == before

        check()
