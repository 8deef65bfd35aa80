"""The public pages as a young person meets them: honest, said once, in plain words."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient

from tests.conftest import FORMS_DIR
from tests.http.helpers import answer_pages, begin, post_page, submission_key, submit
from tests.support import database
from tests.support.html import Html
from voice_service.core.settings import Settings
from voice_service.core.web.templating import build_environment
from voice_service.surveys.catalog import SurveyCatalog

CATALOG = SurveyCatalog.from_folder(FORMS_DIR)
ENV = build_environment(Path(__file__).parents[2] / "templates")
YPV, MYM = "young-people-voice", "make-your-mark"


def send_a_vote(client: TestClient) -> None:
    walk = answer_pages(client, MYM, {1: {"vote": "environment"}})
    assert submit(client, MYM, submission_key(walk.check)).status_code == 303


def paragraphs(text: str) -> list[str]:
    return [p.text for p in Html(text).all("p")]


# -- things that must be true ----------------------------------------------------------------


def test_after_sending_every_page_of_that_survey_says_the_answers_were_sent(
    client: TestClient, settings: Settings
) -> None:
    send_a_vote(client)
    marker = next(c for c in client.cookies.jar if c.name == "vs_sent")
    assert marker.value == "1"
    assert marker.expires is not None  # kept for weeks, not ten minutes: a ballot stays open that long
    # Reloading "Check your answers", or any question page, goes to the confirmation, never "not saved".
    for path in ("check", "page/1", "page/2"):
        response = client.get(f"/s/{MYM}/{path}", follow_redirects=False)
        assert response.headers["location"] == f"/s/{MYM}/done", path
    assert client.get(f"/s/{MYM}/done").status_code == 200
    # Every dead end lands on the start page, which says the vote was sent and never that it was lost.
    for path in (f"/s/{MYM}/", f"/s/{MYM}/?expired=1"):
        start = client.get(path)
        assert "have been sent from this device" in start.text
        assert "were not saved" not in start.text
        html = Html(start.text)
        assert html.one("button").text == "Start a new vote"
        assert "govuk-button--start" not in html.one("button").classes
    stale = post_page(client, MYM, 1, {"vote": "transport"})
    assert stale.headers["location"].startswith(f"/s/{MYM}")
    assert "were not saved" not in client.get(stale.headers["location"]).text
    assert database.count(settings.database_url, "response") == 1


def test_a_browser_that_sent_nothing_still_hears_its_answers_were_lost(client: TestClient) -> None:
    start = client.get(f"/s/{MYM}/?expired=1")
    assert "were not saved" in start.text
    assert "have been sent" not in start.text


def test_page_counts_are_right_or_not_shown(client: TestClient) -> None:
    # Make Your Mark has no page that depends on an answer: the total is always right.
    start = client.get(f"/s/{MYM}/")
    assert any(p.startswith("There are 2 short pages of questions.") for p in paragraphs(start.text))
    begin(client, MYM)
    page = Html(client.get(f"/s/{MYM}/page/1").text)
    assert page.one(cls="vs-caption__step").text == "Page 1 of 2"
    # The voice survey's 4th page shows only for some answers: the start says "up to", pages give no total.
    walk = answer_pages(client, YPV, {3: {"talk_to": ["no_one"]}})
    assert walk.pages == [1, 2, 3, 4, 5]
    for number in walk.pages:
        step = Html(client.get(f"/s/{YPV}/page/{number}").text).one(cls="vs-caption__step").text
        assert step == f"Page {walk.pages.index(number) + 1}"


def test_the_survey_title_and_the_page_count_are_separate_lines(client: TestClient) -> None:
    begin(client, YPV)
    caption = Html(client.get(f"/s/{YPV}/page/1").text).one(cls="vs-caption")
    assert caption.tag == "p"
    assert Html(client.get(f"/s/{YPV}/page/1").text).one(cls="vs-caption__survey").text == CATALOG.surveys[YPV].title


def test_working_together_start_pages_do_not_promise_required_markers() -> None:
    for slug in ("working-together-a-evaluation", "working-together-b-evaluation"):
        description = CATALOG.surveys[slug].description or ""
        assert "marked as required" not in description
        assert "(optional)" in description


def test_delegate_pages_carry_no_childline_footer() -> None:
    survey = CATALOG.surveys["working-together-a-evaluation"]
    for template in ("survey/start.html", "survey/done.html", "survey/closed.html", "survey/link_only.html"):
        page = ENV.get_template(template).render(survey=survey, csrf_input="")
        assert "Childline" not in page, template


# -- said once ---------------------------------------------------------------------------------


def test_the_home_page_title_says_the_service_name_once(client: TestClient) -> None:
    title = Html(client.get("/").text).title
    assert title == "Have your say \u2013 City of York Safeguarding Children Partnership"


def test_a_checkbox_question_says_how_to_answer_once(client: TestClient) -> None:
    walk_to_page_3 = answer_pages(client, YPV, {})
    assert walk_to_page_3.pages[:3] == [1, 2, 3]
    page = Html(client.get(f"/s/{YPV}/page/3").text)
    hint = next(e for e in page.all(cls="govuk-hint") if e.attrs.get("id") == "talk_to-hint")
    assert hint.text == "Tick all that apply."


def test_the_confirmation_says_each_thing_once(client: TestClient) -> None:
    walk = answer_pages(client, YPV, {2: {"views_difference": "yes"}})
    submit(client, YPV, submission_key(walk.check))
    done = client.get(f"/s/{YPV}/done").text
    html = Html(done)
    assert [h.text for h in html.all("h2")].count("What happens next") == 1
    assert not any(p.startswith("What happens next") for p in paragraphs(done))
    assert done.count("Childline") == 1
    assert sum("name" in p and ("anonymous" in p or "nobody" in p) for p in paragraphs(done)) == 1
    assert "vs-help-first" not in done


@pytest.mark.parametrize("slug", [YPV, MYM, "sexual-health-young-people"])
def test_flagged_answers_put_help_first_and_only_once(slug: str) -> None:
    survey = CATALOG.surveys[slug]
    page = ENV.get_template("survey/done.html").render(survey=survey, flagged=True, csrf_input="")
    html = Html(page)
    headings = [h.text for h in html.all("h2")]
    assert headings.index("If you need help now") < headings.index("What happens next")
    assert page.count("Childline") == 1
    assert "0800 1111" in html.one(cls="vs-help-first").text
    assert "999" in html.one(cls="vs-help-first").text
    assert "adult you trust" in html.one(cls="vs-help-first").text
    assert "cannot get in touch with you" in html.one(cls="vs-help-first").text


def test_an_all_optional_survey_says_so_once_instead_of_on_every_question(client: TestClient) -> None:
    begin(client, YPV)
    for number in (1, 2, 3, 5):
        page = client.get(f"/s/{YPV}/page/{number}").text
        assert "(optional)" not in page, number
    # A survey with a required question still marks the optional ones.
    begin(client, MYM)
    legends_and_labels = [e.text for e in Html(client.get(f"/s/{MYM}/page/1").text).all("label")]
    assert "Why did you choose this issue? (optional)" in legends_and_labels


def test_a_young_peoples_start_page_says_what_happens_if_they_are_not_safe(client: TestClient) -> None:
    for slug in (YPV, MYM, "sexual-health-young-people"):
        html = Html(client.get(f"/s/{slug}/").text)
        assert "If you tell us you are not safe" in [h.text for h in html.all("h2")]
        text = " ".join(paragraphs(client.get(f"/s/{slug}/").text))
        assert "we do not know who you are, so we cannot find you or get in touch with you" in text
        assert client.get(f"/s/{slug}/").text.count("Childline") == 1


# -- child-friendly errors -------------------------------------------------------------------


def test_errors_speak_to_a_child_and_use_the_surveys_own_words(client: TestClient) -> None:
    begin(client, MYM)
    html = Html(post_page(client, MYM, 1, {"vote": ""}).text)
    assert html.error_summary == [("#vote", "Choose the issue that matters most to you")]
    begin(client, YPV)
    html = Html(post_page(client, YPV, 1, {"what_matters-2": "school"}).text)
    assert html.error_summary == [("#what_matters-1", "Pick your 1st choice before your 2nd")]


def test_choosing_an_exclusive_option_with_another_is_an_error_that_keeps_the_ticks(
    client: TestClient, settings: Settings
) -> None:
    answer_pages(client, YPV, {})
    response = post_page(client, YPV, 3, {"talk_to": ["friend", "no_one"]})
    assert response.status_code == 200
    html = Html(response.text)
    assert html.error_summary == [
        ("#talk_to", "You ticked 'I wouldn't talk to anyone' and someone else. Untick one of them")
    ]
    assert html.field_values()["talk_to"] == ["friend", "no_one"]
    # The "none" checkbox is marked for GOV.UK Frontend's behaviour, after an "or" divider.
    box = next(e for e in html.all("input") if e.attrs.get("value") == "no_one")
    assert box.attrs.get("data-behaviour") == "exclusive"
    assert "or" in [e.text for e in html.all(cls="govuk-checkboxes__divider")]
    assert database.count(settings.database_url, "response") == 0


def test_header_and_footer_are_plain_landmarks(client: TestClient) -> None:
    page = client.get(f"/s/{YPV}/").text
    assert 'role="banner"' not in page
    assert page.count("<footer") == 1
    assert page.count("<header") == 1


def test_head_of_the_home_page_answers_like_get_without_a_body(client: TestClient) -> None:
    response = client.head("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.content == b""


@pytest.mark.parametrize("url", [f"/s/{YPV}", f"/s/{YPV}/", "/you-said-we-did"])
def test_head_of_a_shared_page_answers_like_get_without_a_body(client: TestClient, url: str) -> None:
    # Found checking my surveys' links as a link checker does: HEAD of a survey's address and of the public
    # "You said, we did" page (both printed on posters and in QR codes) answered 405.
    response = client.head(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.content == b""


def test_every_page_names_a_favicon_that_is_served(client: TestClient) -> None:
    html = Html(client.get("/").text)
    icons = [e.attrs["href"] for e in html.all("link") if e.attrs.get("rel") == "icon"]
    assert icons == ["/assets/favicon.svg"]
    icon = client.get(icons[0])
    assert icon.status_code == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")


def test_the_faces_scale_posts_and_shows_the_ordinary_scale_values(client: TestClient, settings: Settings) -> None:
    answer_pages(client, YPV, {})
    page = Html(client.get(f"/s/{YPV}/page/2").text)
    faces = [e for e in page.all("input") if e.attrs.get("name") == "listened_to"]
    assert [e.attrs["value"] for e in faces] == ["never", "hardly_ever", "sometimes", "mostly", "always"]
    assert faces[0].attrs["id"] == "listened_to"  # where the error summary would link
    assert [e.text for e in page.all(cls="vs-faces__text")] == [
        "Never",
        "Hardly ever",
        "Sometimes",
        "Most of the time",
        "Always",
    ]
    assert post_page(client, YPV, 2, {"listened_to": "mostly"}).status_code == 303
    again = Html(client.get(f"/s/{YPV}/page/2").text)
    assert [e.attrs["value"] for e in again.all("input") if "checked" in e.attrs] == ["mostly"]
    refused = Html(post_page(client, YPV, 2, {"listened_to": "very_much"}).text)
    assert refused.error_summary == [("#listened_to", "Choose one of the answers shown")]
    assert database.count(settings.database_url, "response") == 0


def test_the_start_page_reads_the_easy_read_introduction(client: TestClient) -> None:
    html = Html(client.get(f"/s/{YPV}/").text)
    items = [e.text for e in html.all("li") if "vs-easy-read" in (e.ancestors[-1].classes if e.ancestors else set())]
    assert items == list(CATALOG.surveys[YPV].easy_read)
