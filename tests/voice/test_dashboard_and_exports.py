"""The made-a-difference dashboard (survey answers and public-page answers) and the year's table as exports."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from collections.abc import Callable

import openpyxl
from litestar.testing import TestClient

from tests.support.csrf import with_csrf
from tests.support.html import Html
from tests.voice.conftest import audit_actions
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.voice.demo import load_voice_demo

StaffClient = Callable[[str], TestClient]
HOME = "/staff/you-said-we-did"


def demo(settings: Settings) -> None:
    """The annual report's five published records."""

    async def run() -> None:
        engine = create_engine(settings)
        try:
            await load_voice_demo(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())


def test_the_dashboard_counts_survey_and_public_page_answers(staff_client: StaffClient, settings: Settings) -> None:
    client = staff_client("voice_editor")
    for answer in ("yes", "yes", "no", "not_sure"):
        body = {"answers": {"views_difference": answer}, "submission_key": uuid.uuid4().hex}
        assert client.post("/api/surveys/young-people-voice/responses", json=body).status_code == 201
    demo(settings)
    page = Html(client.get("/you-said-we-did").text)
    record_id = page.all(cls="govuk-summary-card")[0].attrs["id"].removeprefix("record-")
    sent = client.post(
        f"/you-said-we-did/{record_id}/difference",
        data=with_csrf(client, {"answer": "yes"}, page="/you-said-we-did"),
        follow_redirects=False,
    )
    assert sent.status_code == 303
    dashboard = Html(client.get(f"{HOME}/dashboard").text)
    cells = {
        (row[0], row[1]): row[2:]
        for row in (
            [c.text for c in dashboard.all() if c.tag in ("th", "td") and c.within("govuk-table__row") is tr]
            for tr in dashboard.all("tr", cls="govuk-table__row")
        )
        if len(row) == 6
    }
    assert cells[("Have your say - what matters to you?", "All years")] == ["2", "4", "50%", "15% to 85%"]
    # The demo's 35 yes of 90 under its five records, and this young person's yes.
    assert cells[("\u201cYou said, we did\u201d page", "All years")] == ["36", "91", "40%", "30% to 50%"]
    assert cells[("All sources", "All years")] == ["38", "95", "40%", "31% to 50%"]
    assert cells[("Public-health survey of over 4,000 young people (baseline)", "Before 2023")][2] == "21%"
    image = dashboard.one("img")
    assert image.attrs["src"].startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(image.attrs["src"].split(",", 1)[1]).decode()
    assert "21% baseline" in svg
    assert "50% answered yes (2 of 4" in image.attrs["alt"]


def test_an_empty_dashboard_says_so(staff_client: StaffClient) -> None:
    page = Html(staff_client("voice_reviewer").get(f"{HOME}/dashboard").text)
    assert "No answers yet" in page.source
    assert page.all("img") == []


def test_the_year_table_prints_and_downloads_with_formulas_defused(
    staff_client: StaffClient, settings: Settings
) -> None:
    demo(settings)
    client = staff_client("voice_editor")
    page = Html(client.get(f"{HOME}/report").text)
    assert page.h1 == "You Said / We Did 2022/23"
    assert len([r for r in page.all("tr") if r.within("govuk-table__body")]) == 5
    csv = client.get(f"{HOME}/report.csv", params={"year": "2022/23"})
    assert csv.headers["content-disposition"] == 'attachment; filename="you-said-we-did-2022-23.csv"'
    # Found downloading my survey's table: the type read "text/csv; charset=utf-8; charset=utf-8".
    assert csv.headers["content-type"] == "text/csv; charset=utf-8"
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Group or source,Theme,Easy-read summary,You said,We did")
    assert "<p>" not in text
    assert text.count("Access 4 All Young Persons Group") == 2
    xlsx = client.get(f"{HOME}/report.xlsx", params={"year": "2022/23"})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert sheet.max_row == 6
    assert audit_actions(settings.database_url)[-2:] == ["voice.export", "voice.export"]


def test_cells_a_spreadsheet_would_run_are_neutralised(staff_client: StaffClient, settings: Settings) -> None:
    from voice_service.voice.exports import CsvExporter, XlsxExporter, year_records

    demo(settings)

    async def records() -> list[object]:
        engine = create_engine(settings)
        try:
            return list(await year_records(engine, "2022/23"))
        finally:
            await engine.dispose()

    import dataclasses

    found = asyncio.run(records())
    evil = [dataclasses.replace(found[0], said='=HYPERLINK("http://x")', theme="+1", owner_officer="@me")]  # type: ignore[type-var]
    _name, _type, body = CsvExporter("2022/23", evil).render()  # type: ignore[arg-type]
    assert "'=HYPERLINK" in body.decode("utf-8-sig")
    assert ",'+1," in body.decode("utf-8-sig")
    _name, _type, book = XlsxExporter("2022/23", evil).render()  # type: ignore[arg-type]
    sheet = openpyxl.load_workbook(io.BytesIO(book)).active
    assert sheet is not None
    assert sheet.cell(2, 4).value == '\'=HYPERLINK("http://x")'
    assert sheet.cell(2, 4).data_type == "s"
