"""The public page: published records only, grouped and filtered without JavaScript, escaped, small numbers hidden."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from litestar.testing import TestClient

from tests.support import database
from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.voice.conftest import EDITOR, RECORD, REVIEWER
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.voice import records
from voice_service.voice.public import feedback_figures, people_figure

PAGE = "/you-said-we-did"


def publish(settings: Settings, **fields: Any) -> str:
    """A record drafted, approved and published through the service; its id."""

    async def run() -> str:
        engine = create_engine(settings)
        try:
            record = await records.create_record(engine, {**RECORD, **fields}, EDITOR)
            for to in ("submitted", "approved", "published"):
                await records.move_record(engine, record.id, to, "", EDITOR if to == "submitted" else REVIEWER)
            return str(record.id)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def draft_only(settings: Settings, **fields: Any) -> str:
    """A record left as a draft; its id."""

    async def run() -> str:
        engine = create_engine(settings)
        try:
            return str((await records.create_record(engine, {**RECORD, **fields}, EDITOR)).id)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def answer(client: TestClient, record_id: str, value: str) -> httpx.Response:
    """Answer "Did this make a difference?" under a record as the page's form does."""
    data = with_csrf(client, {"answer": value}, page=PAGE)
    return client.post(f"{PAGE}/{record_id}/difference", data=data, follow_redirects=False)


def test_only_published_records_show_grouped_with_the_easy_read_line_first(
    client: TestClient, settings: Settings
) -> None:
    publish(settings, source="Access 4 All Young Persons Group", theme="Transport")
    publish(settings, source="Care Experienced Young People", theme="Housing", easy_read="We made housing rules.")
    draft_only(settings, theme="Secret draft")
    page = Html(client.get(PAGE).text)
    assert page.h1 == "You said, we did"
    assert [h.text for h in page.all("h2", cls="govuk-heading-l")] == [
        "Access 4 All Young Persons Group",
        "Care Experienced Young People",
    ]
    assert [h.text for h in page.all("h3")] == ["Transport", "Housing"]
    assert "Secret draft" not in page.source
    card = page.all(cls="govuk-summary-card__content")[1]
    first = next(e for e in page.all("p") if e.within("govuk-summary-card__content") is card)
    assert first.text == "We made housing rules."


def test_typed_markup_shows_as_text(client: TestClient, settings: Settings) -> None:
    publish(settings, said="<p>Buses are <b>scary</b></p><script>alert(1)</script>", easy_read="<i>hi</i>")
    body = client.get(PAGE).text
    assert "&lt;p&gt;Buses are &lt;b&gt;scary&lt;/b&gt;&lt;/p&gt;&lt;script&gt;" in body
    assert "<script>alert(1)" not in body
    assert "&lt;i&gt;hi&lt;/i&gt;" in body


def test_a_bidi_override_typed_by_staff_does_not_reach_the_public_page(client: TestClient, settings: Settings) -> None:
    publish(settings, said="Buses are \u202escary\u202c at night", easy_read="\u2067More buses\u2069")
    body = client.get(PAGE).text
    assert "Buses are scary at night" in body
    assert "More buses" in body
    assert not any(chr(c) in body for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def test_filters_work_with_a_plain_get_form(client: TestClient, settings: Settings) -> None:
    publish(settings, source="Group A", theme="Transport")
    publish(settings, source="Group B", theme="Housing")
    page = Html(client.get(PAGE, params={"group": "Group B"}).text)
    assert [h.text for h in page.all("h3")] == ["Housing"]
    form = page.one("form", cls="govuk-!-margin-bottom-6")
    assert form.attrs["method"] == "get"
    assert [h.text for h in Html(client.get(PAGE, params={"theme": "Transport"}).text).all("h3")] == ["Transport"]
    nothing = Html(client.get(PAGE, params={"year": "1999/00"}).text)
    assert nothing.all("h3") == []
    assert "There is nothing to show for what you chose" in nothing.source


@pytest.mark.parametrize(
    ("count", "shown"), [(None, None), (3, "fewer than 5"), (4, "fewer than 5"), (5, "5"), (1200, "1,200")]
)
def test_how_many_young_people_is_hidden_under_5(count: int | None, shown: str | None) -> None:
    figure = people_figure(count)
    assert (figure.text if figure else None) == shown


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"yes": 6, "a_bit": 7, "no": 8}, ("6", "7", "8", "21")),
        # One small cell is hidden, and the next smallest too, so it cannot be worked out from the total.
        ({"yes": 6, "a_bit": 2, "no": 9}, ("not shown", "fewer than 5", "9", "17")),
        ({"yes": 3}, ("fewer than 5", "0", "0", "fewer than 5")),
        ({}, ("0", "0", "0", "0")),
    ],
)
def test_feedback_counts_are_suppressed_with_complements(counts: dict[str, int], expected: tuple[str, ...]) -> None:
    answers, total = feedback_figures(counts)
    assert (answers["yes"].text, answers["a_bit"].text, answers["no"].text, total.text) == expected


def test_a_young_person_answers_anonymously_and_is_thanked(client: TestClient, settings: Settings) -> None:
    rid = publish(settings)
    response = answer(client, rid, "yes")
    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}?answered={rid}#record-{rid}"
    assert "set-cookie" not in {k.lower() for k in response.headers}
    page = Html(client.get(response.headers["location"]).text)
    assert "Your answer has been counted" in page.one(cls="govuk-notification-banner").text
    assert "So far, fewer than 5 people have answered" in page.source
    rows = database.query(settings.database_url, "SELECT * FROM voice_feedback")
    assert [r.answer for r in rows] == ["yes"]
    assert set(rows[0]._mapping) == {"id", "record_id", "answer", "answered_on"}


def test_a_total_is_shown_when_no_hidden_figure_can_be_worked_out_from_it(
    client: TestClient, settings: Settings
) -> None:
    rid = publish(settings)
    for value in ["yes"] * 10 + ["no"] * 6 + ["a_bit"]:
        assert answer(client, rid, value).status_code == 303
    text = " ".join(Html(client.get(PAGE).text).source.split())
    # "a bit" and "no" make 7: 1 to 4 and 5 to 10 (no more than the 10 shown) could be 1 + 6 or 2 + 5.
    assert "So far, 17 people have answered: yes 10, a bit fewer than 5, no not shown." in text


def test_a_total_that_would_give_a_small_figure_away_is_hidden_too(client: TestClient, settings: Settings) -> None:
    rid = publish(settings)
    for value in ("yes", "yes", "yes", "yes", "yes", "no", "no", "no", "no", "no", "a_bit"):
        assert answer(client, rid, value).status_code == 303
    text = Html(client.get(PAGE).text).source
    # 5 yes, 1 a bit, 5 no. Showing "no 5" and 11 would give "a bit" away: the page says which figure is
    # the small one, and the other hidden one is at least 5 and at most the 5 shown, so 11 - 5 - 5 = 1.
    # Every figure hides, the total too (all three hidden still make 5 + 1 + 5 with the total shown).
    assert "So far, 5 or more people have answered." in " ".join(text.split())
    assert "a bit fewer than 5" not in text


def test_no_answer_is_explained_and_nothing_stored(client: TestClient, settings: Settings) -> None:
    rid = publish(settings)
    response = answer(client, rid, "")
    assert response.status_code == 400
    page = Html(response.text)
    assert page.error_summary == [(f"#answer-{rid}", "Choose yes, a bit or no")]
    assert f"answer-{rid}" in page.ids
    assert answer(client, rid, "maybe").status_code == 400
    assert database.query(settings.database_url, "SELECT COUNT(*) FROM voice_feedback")[0][0] == 0


def test_answers_under_unpublished_or_unknown_records_are_404(client: TestClient, settings: Settings) -> None:
    assert answer(client, draft_only(settings), "yes").status_code == 404
    assert answer(client, str(uuid.uuid4()), "yes").status_code == 404
    assert database.query(settings.database_url, "SELECT COUNT(*) FROM voice_feedback")[0][0] == 0


def test_answers_are_rate_limited_like_survey_answers(settings: Settings) -> None:
    import dataclasses

    from voice_service.app import create_app

    limited = dataclasses.replace(settings, submissions_per_minute=2)
    rid = publish(settings)
    with TestClient(app=create_app(limited), base_url="http://testserver.local") as client:
        assert [answer(client, rid, "yes").status_code for _ in range(3)] == [303, 303, 429]
