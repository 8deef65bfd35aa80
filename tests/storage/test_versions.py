"""Survey versions: editing a YAML file makes a new version; older responses and drafts keep theirs."""

from __future__ import annotations

import uuid
from pathlib import Path

from forms.engine import from_cells
from forms.questions import Cell
from tests.http.helpers import begin, draft_cookie, post_page, submission_key, submit
from tests.support import database
from tests.support.apps import ClientFactory, edit_definition
from tests.support.html import Html
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog

SLUG = "make-your-mark"
LABEL = "Which issue matters most to you?"


def versions(settings: Settings) -> dict[str, int]:
    rows = database.query(settings.database_url, "SELECT version, id FROM survey_version WHERE slug = :s", s=SLUG)
    return {version: vid for version, vid in rows}


def response_versions(settings: Settings) -> dict[str, str]:
    """Each stored response's vote, and the version it was stored against."""
    rows = database.query(
        settings.database_url,
        "SELECT a.value_text, v.version FROM answer a JOIN response r ON r.id = a.response_id "
        "JOIN survey_version v ON v.id = r.survey_version_id WHERE a.question_id = 'vote'",
    )
    return {vote: version for vote, version in rows}


def edited(forms_copy: Path) -> tuple[Path, str]:
    """The survey with a new label (unique to this test) and without the 'International' option."""
    label = f"Which issue matters most to you? ({uuid.uuid4().hex[:6]})"
    edit_definition(forms_copy, SLUG, f"label: {LABEL}", f"label: {label}")
    edit_definition(forms_copy, SLUG, "          international: International\n", "")
    return forms_copy, label


def vote(client: object, choice: str) -> str:
    response = client.post(f"/api/surveys/{SLUG}/responses", json={"answers": {"vote": choice}})  # type: ignore[attr-defined]
    assert response.status_code == 201, response.text
    return str(response.json()["version"])


def test_editing_a_definition_adds_a_version_and_keeps_the_old(
    make_client: ClientFactory, settings: Settings, forms_copy: Path
) -> None:
    with make_client() as client:
        old_version = vote(client, "international")
    before = versions(settings)
    assert old_version in before
    folder, label = edited(forms_copy)
    with make_client(forms_dir=folder) as client:
        new_version = vote(client, "environment")
        assert client.get(f"/api/surveys/{SLUG}").json()["version"] == new_version
        refused = client.post(f"/api/surveys/{SLUG}/responses", json={"answers": {"vote": "international"}})
        assert refused.status_code == 422
    after = versions(settings)
    assert new_version != old_version
    assert set(after) == set(before) | {new_version}
    assert after[old_version] == before[old_version], "the old version keeps its row and its id"
    assert response_versions(settings) == {"international": old_version, "environment": new_version}
    definition = database.query(
        settings.database_url, "SELECT definition FROM survey_version WHERE id = :i", i=after[new_version]
    )[0][0]
    assert label in str(definition)


def test_layout_and_comments_do_not_make_a_new_version(
    make_client: ClientFactory, settings: Settings, forms_copy: Path
) -> None:
    path = forms_copy / f"{SLUG}.yaml"
    source = path.read_text(encoding="utf-8")
    source = source.replace("\nsections:\n", "\n\n# The questions\nsections:    # one page each\n")
    source = source.replace("slug: make-your-mark", "slug:   'make-your-mark'")
    path.write_text("# a comment added by an editor\n\n" + source)
    with make_client() as client:
        original = vote(client, "transport")
    count_before = len(versions(settings))
    with make_client(forms_dir=forms_copy) as client:
        assert vote(client, "transport") == original
    assert len(versions(settings)) == count_before


async def test_old_responses_rebuild_against_their_own_version(
    make_client: ClientFactory, settings: Settings, forms_copy: Path
) -> None:
    with make_client() as client:
        old_version = vote(client, "international")
    folder, label = edited(forms_copy)
    with make_client(forms_dir=folder) as client:
        vote(client, "environment")

    catalog = SurveyCatalog.from_folder(folder)  # what a restarted service knows: only the new file
    engine = create_engine(settings)
    try:
        await catalog.sync(engine)
        rows = await database.query_async(
            settings.database_url,
            "SELECT r.survey_version_id, a.question_id, a.row_key, a.position, a.value_text, a.value_number "
            "FROM response r JOIN answer a ON a.response_id = r.id",
        )
        rebuilt = {}
        for version_id in {row[0] for row in rows}:
            survey = await catalog.by_version_id(engine, version_id)
            assert survey is not None
            cells = [(q, Cell(rk, p, t, n)) for vid, q, rk, p, t, n in rows if vid == version_id]
            rebuilt[survey.version] = (survey.by_id["vote"].label, from_cells(survey, cells))
    finally:
        await engine.dispose()
    current = catalog.current(SLUG)
    assert current is not None
    assert rebuilt == {
        old_version: (LABEL, {"vote": "international"}),
        current.version: (label, {"vote": "environment"}),
    }
    assert await _unknown_version_is_none(catalog, settings)


async def _unknown_version_is_none(catalog: SurveyCatalog, settings: Settings) -> bool:
    engine = create_engine(settings)
    try:
        return await catalog.by_version_id(engine, 987654321) is None
    finally:
        await engine.dispose()


def test_a_draft_started_before_an_edit_finishes_on_its_version(
    make_client: ClientFactory, settings: Settings, forms_copy: Path
) -> None:
    with make_client() as client:
        begin(client, SLUG)
        cookie = draft_cookie(client)
        old_version = client.get(f"/api/surveys/{SLUG}").json()["version"]
    folder, label = edited(forms_copy)
    with make_client(forms_dir=folder) as client:
        client.cookies.set("vs_draft", cookie, path=f"/s/{SLUG}")
        page = Html(client.get(f"/s/{SLUG}/page/1").text)
        assert LABEL in [e.text for e in page.all("legend")], "the page shows the version the draft started on"
        assert "international" in {e.attrs.get("value") for e in page.all("input")}
        assert post_page(client, SLUG, 1, {"vote": "international"}).status_code == 303
        assert post_page(client, SLUG, 2, {}).status_code == 303
        check = Html(client.get(f"/s/{SLUG}/check").text)
        assert check.summary_rows()[LABEL][0] == "International"
        done = submit(client, SLUG, submission_key(check))
        assert done.headers["location"] == f"/s/{SLUG}/done"

        # Someone starting now gets the edited survey.
        client.cookies.clear()
        begin(client, SLUG)
        fresh = Html(client.get(f"/s/{SLUG}/page/1").text)
        assert label in [e.text for e in fresh.all("legend")]
        assert "international" not in {e.attrs.get("value") for e in fresh.all("input")}
    assert response_versions(settings) == {"international": old_version}
