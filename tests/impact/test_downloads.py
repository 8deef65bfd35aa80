"""Downloads: report tables as CSV and XLSX (and for publication), and a training survey's responses; all audited."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import Callable

import openpyxl
from litestar.testing import TestClient

from tests.support import database
from voice_service.core.audit import Actor
from voice_service.core.db.engine import create_engine
from voice_service.core.settings import Settings
from voice_service.surveys.catalog import SurveyCatalog
from voice_service.surveys.pending import delegate
from voice_service.surveys.submissions import SubmissionWriter, submit_response
from voice_service.training import courses, delegates, sessions
from voice_service.training.rows import DelegateIn, Rows

YEAR = {"from": "2022-04-01", "to": "2023-03-31"}
WTA = "Safeguarding Children: Working Together A"
ACTOR = Actor(uuid.UUID(int=1), "tom.training@example.org")


def rows_of(body: bytes) -> list[list[str]]:
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def audited(settings: Settings, action: str) -> list[tuple[str, str]]:
    query = f"SELECT actor_label, target_id FROM audit_event WHERE action = '{action}' ORDER BY id"
    return [tuple(row) for row in database.query(settings.database_url, query)]


def add_small_course(settings: Settings, name: str, attendees: int) -> None:
    """A course with one 2022 session and a few attendees, through the training services."""

    async def run() -> None:
        engine = create_engine(settings)
        try:
            catalog = SurveyCatalog.from_folder(settings.forms_dir)
            values = {
                "name": name,
                "evaluation_survey": "hsb-evaluation",
                "follow_up_survey": "training-follow-up",
                "follow_up_days": 182,
            }
            course = await courses.create_course(engine, values, courses.survey_choices(catalog), actor=ACTOR)
            session = {"date": "2022-10-10", "mode": "face_to_face", "trainer": "Pat", "capacity": 10}
            made = await sessions.create_session(engine, course.id, session, actor=ACTOR)
            people = [
                DelegateIn(n + 2, f"Person {n}", f"p{n}@example.org", "Org", "schools", True) for n in range(attendees)
            ]
            await delegates.import_delegates(engine, made.id, Rows(people, []), actor=ACTOR)
        finally:
            await engine.dispose()

    asyncio.run(run())


def submit_with_formula(settings: Settings) -> None:
    """A Working Together A evaluation whose free text looks like a spreadsheet formula."""

    async def run() -> None:
        engine = create_engine(settings)
        catalog = SurveyCatalog.from_folder(settings.forms_dir)
        await catalog.sync(engine)
        writer = SubmissionWriter(engine)
        await writer.start()
        try:
            survey = catalog.current("working-together-a-evaluation")
            assert survey is not None
            answers = {
                "course_elements": {
                    "quality": "good",
                    "content": "good",
                    "trainer_knowledge": "good",
                    "relevance": "fair",
                },
                "most_useful": '=HYPERLINK("http://example.org")',
                "confidence_before": "low",
                "confidence_after": "high",
                "change_intent": "likely",
            }
            key = f"formula-{uuid.uuid4().hex}"
            await submit_response(writer, catalog, survey, answers, key, respondent=delegate(uuid.uuid4(), "nobody"))
        finally:
            await writer.stop()
            await engine.dispose()

    asyncio.run(run())


def test_tables_download_as_csv_and_xlsx_and_each_download_is_audited(
    staff_client: Callable[[str], TestClient], settings: Settings, annual_report: int
) -> None:
    add_small_course(settings, "=SUM(A1:A2) course", 3)
    client = staff_client("training_admin")
    response = client.get("/staff/reports/training/download", params={**YEAR, "table": "courses", "format": "csv"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert 'filename="training-courses-2022-04-01-to-2023-03-31.csv"' in response.headers["content-disposition"]
    rows = rows_of(response.content)
    assert rows[0][:4] == ["Course", "Sessions", "Attendees", "Evaluations"]
    table = {row[0]: row for row in rows[1:]}
    assert table[WTA][1:6] == ["8", "160", "126", "79% (126 of 160)", "76% (96 of 126)"]
    assert table["Total"][1:3] == ["30", "413"]
    # A name a spreadsheet would run is neutralised.
    assert "'=SUM(A1:A2) course" in table
    assert "=SUM(A1:A2) course" not in table

    response = client.get("/staff/reports/training/download", params={**YEAR, "table": "sectors", "format": "xlsx"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    cells = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert cells[0][0] == "By sector: Sessions from 2022-04-01 to 2023-03-31"
    assert cells[2][:3] == ["Sector", "Sessions", "Attendees"]
    total = next(row for row in cells if row[0] == "Total")
    assert total[2] == 413
    assert audited(settings, "report.training.export") == [
        ("tom.training@example.org", "training-courses.csv 2022-04-01..2023-03-31 staff"),
        ("tom.training@example.org", "training-sectors.xlsx 2022-04-01..2023-03-31 staff"),
    ]


def test_a_table_for_publication_hides_counts_under_five_and_what_would_reveal_them(
    staff_client: Callable[[str], TestClient], settings: Settings, annual_report: int
) -> None:
    add_small_course(settings, "A small course", 3)
    client = staff_client("admin")
    params = {**YEAR, "table": "courses", "format": "csv", "publication": "yes"}
    response = client.get("/staff/reports/training/download", params=params)
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('-for-publication.csv"')
    table = {row[0]: row for row in rows_of(response.content)[1:]}
    small = table["A small course"]
    # 3 attendees: hidden; the total would give it away, so the next smallest attendees figure (28) goes too.
    assert small[2] == "suppressed"
    assert table["The Child Death Review: Advanced Training for Professionals"][2] == "suppressed"
    assert table[WTA][2] == "160"
    assert table["Total"][2] == "413"
    # The small course's evaluations are 0 (nobody) and stay shown; its shares rest on nobody and are hidden.
    assert small[4] == "suppressed"


def test_the_publication_xlsx_hides_the_same_cells_neutralises_text_and_is_audited(
    staff_client: Callable[[str], TestClient], settings: Settings, annual_report: int
) -> None:
    add_small_course(settings, "=SUM(A1:A2) small", 3)
    client = staff_client("training_admin")
    params = {**YEAR, "table": "courses", "format": "xlsx", "publication": "yes"}
    response = client.get("/staff/reports/training/download", params=params)
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('-for-publication.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=4)]
    table = {row[0]: row for row in rows}
    small = table["'=SUM(A1:A2) small"]
    assert small[2] == "suppressed"
    assert small[4] == "suppressed"
    assert table["The Child Death Review: Advanced Training for Professionals"][2] == "suppressed"
    assert table[WTA][2] == 160
    assert table["Total"][2] == 413
    # Every cell is a value: no formula survives into the workbook.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    params = {**YEAR, "table": "quarters", "format": "csv", "publication": "yes"}
    quarters = client.get("/staff/reports/training/download", params=params)
    assert quarters.status_code == 200
    assert rows_of(quarters.content)[0][0] == "Quarter"
    assert audited(settings, "report.training.export") == [
        ("tom.training@example.org", "training-courses.xlsx 2022-04-01..2023-03-31 publication"),
        ("tom.training@example.org", "training-quarters.csv 2022-04-01..2023-03-31 publication"),
    ]


def test_bad_download_requests_get_the_error_summary_and_nothing_is_audited(
    staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    client = staff_client("training_admin")
    response = client.get("/staff/reports/training/download", params={"table": "secrets", "format": "pdf"})
    assert response.status_code == 400
    assert (
        "Choose one of the report&#39;s tables" in response.text or "Choose one of the report's tables" in response.text
    )
    assert "Choose CSV or XLSX" in response.text
    assert audited(settings, "report.training.export") == []


def test_the_response_export_has_one_row_per_response_with_labels(
    staff_client: Callable[[str], TestClient], settings: Settings, annual_report: int
) -> None:
    submit_with_formula(settings)
    client = staff_client("training_admin")
    response = client.get("/staff/reports/responses/working-together-a-evaluation", params={"format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = rows_of(response.content)
    header, body = rows[0], rows[1:]
    assert len(body) == 127
    assert header[:5] == ["Response", "Submitted (UTC)", "Survey version", "Course", "Session date"]
    quality = header.index("How would you rate these parts of the course?: Overall quality of the training")
    intent = header.index("How likely are you to change the way you do things as a result of this training?")
    assert {row[quality] for row in body} <= {"Poor", "Fair", "Good", "Very good"}
    assert {row[intent] for row in body} <= {
        "Very unlikely",
        "Unlikely",
        "Neither likely nor unlikely",
        "Likely",
        "Very likely",
    }
    assert sum(row[3] == WTA for row in body) == 126
    assert all(row[4].startswith(("2022-", "2023-")) for row in body if row[3])
    useful = header.index("What was the most useful part of the course?")
    assert '\'=HYPERLINK("http://example.org")' in [row[useful] for row in body]
    assert audited(settings, "report.responses.export") == [
        ("tom.training@example.org", "working-together-a-evaluation.csv")
    ]


def test_the_xlsx_response_export_opens_in_a_spreadsheet(
    staff_client: Callable[[str], TestClient], settings: Settings, annual_report: int
) -> None:
    submit_with_formula(settings)
    client = staff_client("admin")
    response = client.get("/staff/reports/responses/working-together-a-evaluation", params={"format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    sheet = book["Responses"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 128
    assert rows[0][3] == "Course"
    useful = rows[0].index("What was the most useful part of the course?")
    assert '\'=HYPERLINK("http://example.org")' in [row[useful] for row in rows[1:]]
    assert audited(settings, "report.responses.export") == [
        ("ada.admin@example.org", "working-together-a-evaluation.xlsx")
    ]


def test_only_training_surveys_can_be_exported(staff_client: Callable[[str], TestClient], settings: Settings) -> None:
    client = staff_client("training_admin")
    assert client.get("/staff/reports/responses/young-people-voice", params={"format": "csv"}).status_code == 404
    assert client.get("/staff/reports/responses/no-such-survey").status_code == 404
    assert client.get("/staff/reports/responses/training-follow-up", params={"format": "pdf"}).status_code == 404
    assert audited(settings, "report.responses.export") == []
    assert staff_client("voice_editor").get("/staff/reports/responses/training-follow-up").status_code == 403
