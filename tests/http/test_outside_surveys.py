"""A survey written outside the team (Welsh, emoji, a one-character box, CRLF typing), driven through its pages."""

from __future__ import annotations

from pathlib import Path

from tests.http.helpers import answer_pages, submission_key, submit
from tests.support import database
from tests.support.apps import ClientFactory
from voice_service.core.settings import Settings

DEFINITION = """\
slug: llais
title: "Llais pobl ifanc \u2013 \u201cBeth sy\u2019n bwysig?\u201d 🌈"
audience: young_people
purpose: voice
description: "Dywedwch wrthym <b>beth</b> sy'n bwysig i chi."
sections:
  - title: Tudalen 1
    questions:
      - id: dweud
        type: textarea
        label: Dweud mwy
        max_length: 10
      - id: llythyren
        type: text
        label: Un llythyren
        max_length: 1
"""


def test_a_browsers_crlf_typing_fits_the_limit_and_is_stored_with_newlines(
    make_client: ClientFactory, settings: Settings, tmp_path: Path
) -> None:
    # Found driving my own surveys' pages: browsers post textarea line breaks as CRLF, so 10 characters by the
    # page's count were refused against max_length 10, and stored answers depended on the sender.
    folder = tmp_path / "surveys"
    folder.mkdir()
    (folder / "llais.yaml").write_text(DEFINITION, encoding="utf-8")
    with make_client(forms_dir=folder) as client:
        start = client.get("/s/llais")
        assert start.status_code == 200
        assert "&lt;b&gt;beth&lt;/b&gt;" in start.text
        assert "\u201cBeth sy\u2019n bwysig?\u201d 🌈" in start.text
        walk = answer_pages(client, "llais", {1: {"dweud": "Ŵyl\r\nhwyl 😀", "llythyren": "ŷ"}})
        assert walk.pages == [1]
        sent = submit(client, "llais", submission_key(walk.check))
        assert sent.status_code == 303, sent.text
    rows = database.query(settings.database_url, "SELECT question_id, value_text FROM answer ORDER BY question_id")
    assert [tuple(row) for row in rows] == [("dweud", "Ŵyl\nhwyl 😀"), ("llythyren", "ŷ")]
