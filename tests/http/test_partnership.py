"""Any partnership, not only York: names, contacts and help lines come from PARTNERSHIP_* settings."""

from __future__ import annotations

import pytest

from tests.http.helpers import answer_pages, submission_key, submit
from tests.support.apps import ClientFactory
from tests.support.html import Html
from voice_service.core.partnership import Partnership, PartnershipError
from voice_service.core.settings import Settings

LEEDS = {
    "PARTNERSHIP_NAME": "Leeds Safeguarding Children Partnership",
    "PARTNERSHIP_LOGO_TEXT": "Leeds SCP",
    "PARTNERSHIP_SERVICE_NAME": "Your voice counts",
    "PARTNERSHIP_CONTACT_EMAIL": "voice@leeds.example",
    "PARTNERSHIP_CONTACT_PHONE": "0113 000 0000",
    "PARTNERSHIP_HELPLINE_NAME": "Kooth",
    "PARTNERSHIP_HELPLINE_NUMBER": "0800 555 0000",
    "PARTNERSHIP_EMERGENCY_NUMBER": "112",
}


def test_york_is_the_default_and_nothing_is_needed() -> None:
    partnership = Settings.from_env({}).partnership
    assert partnership == Partnership()
    assert partnership.name == "City of York Safeguarding Children Partnership"
    assert (partnership.helpline_name, partnership.helpline_number, partnership.emergency_number) == (
        "Childline",
        "0800 1111",
        "999",
    )


def test_every_public_page_shows_another_partnership_and_nothing_of_york(make_client: ClientFactory) -> None:
    partnership = Settings.from_env(LEEDS).partnership
    with make_client(partnership=partnership) as client:
        home = client.get("/")
        assert Html(home.text).title == "Your voice counts \u2013 Leeds Safeguarding Children Partnership"
        header = Html(home.text).one(cls="vs-header").text
        assert header == "Leeds SCP Your voice counts"
        footer = Html(home.text).one(cls="govuk-footer").text
        assert "Leeds Safeguarding Children Partnership" in footer
        assert "voice@leeds.example" in footer
        assert "0113 000 0000" in footer
        assert "Kooth free on 0800 555 0000" in footer
        assert "call 112 in an emergency" in footer
        start = client.get("/s/make-your-mark/").text
        assert 'href="tel:08005550000"' in start
        walk = answer_pages(client, "make-your-mark", {1: {"vote": "environment"}})
        submit(client, "make-your-mark", submission_key(walk.check))
        done = client.get("/s/make-your-mark/done").text
        for page in (home.text, start, done):
            chrome = "".join(e.text for e in Html(page).all(cls="govuk-footer")) + Html(page).one(cls="vs-header").text
            assert "York" not in chrome
            assert "Childline" not in page


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PARTNERSHIP_NAME": "  "}, "PARTNERSHIP_NAME must not be empty"),
        ({"PARTNERSHIP_HELPLINE_NUMBER": "call us"}, "PARTNERSHIP_HELPLINE_NUMBER must be a phone number"),
        ({"PARTNERSHIP_EMERGENCY_NUMBER": "9-9-9"}, "PARTNERSHIP_EMERGENCY_NUMBER must be a phone number"),
        ({"PARTNERSHIP_CONTACT_EMAIL": "not an email"}, "PARTNERSHIP_CONTACT_EMAIL must be an email address"),
        ({"PARTNERSHIP_LOGO_TEXT": "two\nlines"}, "PARTNERSHIP_LOGO_TEXT must be one line"),
        ({"PARTNERSHIP_SERVICE_NAME": "x" * 121}, "PARTNERSHIP_SERVICE_NAME must be one line of at most 120"),
    ],
)
def test_unusable_partnership_settings_stop_the_start_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(PartnershipError) as caught:
        Settings.from_env(env)
    assert str(caught.value).startswith(message)


def test_names_are_escaped_on_every_page(make_client: ClientFactory) -> None:
    partnership = Partnership(name="<b>Bold</b> & Co", logo_text="<i>Logo</i>")
    with make_client(partnership=partnership) as client:
        home = client.get("/").text
    assert "<b>Bold</b>" not in home
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in home
    assert "<i>Logo</i>" not in home
