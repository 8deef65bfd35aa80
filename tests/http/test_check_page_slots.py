"""Check your answers from a kept layout: each browser sees its own answers and key, and nothing typed is kept."""

from __future__ import annotations

from litestar.testing import TestClient
from markupsafe import escape

from tests.http.helpers import answer_pages, submission_key, submit
from tests.http.test_kept_pages import kept_pages
from voice_service.surveys.page_slots import fill_slots, slot, summary_value

SLUG = "young-people-voice"


def test_slots_are_filled_in_order_and_a_value_is_never_read_as_a_marker() -> None:
    html = f"<p>{slot(0)}</p><input value={slot(1)}><p>{slot(0)}</p>"
    assert fill_slots(html, ["a", "b"]) == "<p>a</p><input value=b><p>a</p>"
    assert fill_slots(html, [str(slot(1)), "b"]) == f"<p>{slot(1)}</p><input value=b><p>{slot(1)}</p>"
    assert fill_slots("no markers", []) == "no markers"


def test_a_summary_value_is_escaped_joined_and_indented_as_the_govuk_macro_shows_it() -> None:
    assert summary_value(["<b>", "two\nlines "]) == "&lt;b&gt;<br>two\n      lines"
    assert "Not answered" in summary_value([])


def test_each_browser_sees_its_own_answers_and_key_and_the_kept_layout_holds_neither(client: TestClient) -> None:
    seen = []
    for canary in ("first <canary> & one", "second canary two"):
        client.cookies.clear()
        walk = answer_pages(client, SLUG, {3: {"make_better": canary}})
        html = walk.check.source
        key = submission_key(walk.check)
        assert str(escape(canary)) in html, "the browser's own answer, escaped"
        assert "<!--slot" not in client.get(f"/s/{SLUG}/check").text
        seen.append((canary, key, client.get(f"/s/{SLUG}/check").text))
        assert submit(client, SLUG, key).headers["location"].endswith("/done")
    (first, first_key, first_page), (second, second_key, second_page) = seen
    assert first_key != second_key
    assert "&lt;canary&gt; &amp; one" in first_page
    assert str(escape(first)) not in second_page
    assert first_key not in second_page
    assert str(escape(second)) in second_page
    assert second_key in second_page
    kept = "".join("".join(parts) for _, parts in kept_pages(client)._kept.values())
    for typed in ("canary", first_key, second_key):
        assert typed not in kept, "a kept page holds nothing typed and no key"
