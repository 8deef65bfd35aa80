"""The training dashboard and the annual report page, on the 2022/23 data stored for real."""

from __future__ import annotations

import re
from collections.abc import Callable

from litestar.testing import TestClient

from tests.support import database
from voice_service.core.settings import Settings

WTA = "Safeguarding Children: Working Together A"


def text_of(html: str) -> str:
    """The page's text with tags removed and spacing collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_annual_report_page_shows_the_published_figures_and_sentences(
    staff_client: Callable[[str], TestClient], annual_report: int
) -> None:
    client = staff_client("training_admin")
    page = client.get("/staff/reports/training/annual", params={"year": "2022/23"})
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Multi-agency training in 2022/23" in text
    for row in [
        f"{WTA} 8 160",
        "Safeguarding Children: Shared Responsibilities and Procedures - Working Together B 8 159",
        "Developing an Understanding of Harmful Sexual Behaviour 10 63",
        "The Child Death Review: Advanced Training for Professionals 3 28",
        "Total 29 410",
    ]:
        assert row in text
    assert "Out of 160 delegates who attended the training 126 completed the evaluation survey." in text
    assert "Out of 159 delegates who attended the training 117 completed the evaluation survey." in text
    assert "76% of delegates who answered said they were likely or very likely to change" in text
    assert "79% of delegates who answered said they were likely or very likely to change" in text
    # Charts are SVG images drawn on the server, each with a text alternative and its data table.
    chart = r'<img class="vs-chart__image" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" alt="([^"]+)"'
    images = re.findall(chart, page.text)
    assert len(images) == 5
    assert all(alt.strip() for alt in images)
    assert "Incomplete: no follow-ups have come back yet" in text


def test_the_dashboard_shows_every_session_by_default(
    staff_client: Callable[[str], TestClient], annual_report: int
) -> None:
    client = staff_client("admin")
    page = client.get("/staff/reports/training")
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "29 sessions, 410 attendees and 313 evaluations." in text
    assert "Training in 2022/23" in text
    # The per-course table: sessions, attendees, evaluations, response rate, likely to change.
    assert f"{WTA} 8 160 126 79% (126 of 160) 76% (96 of 126)" in text
    assert "Course Impact Score by financial year" in text
    assert "/staff/reports/responses/working-together-a-evaluation?format=xlsx" in page.text


def test_the_dashboard_shows_trends_by_quarter_when_asked(
    staff_client: Callable[[str], TestClient], annual_report: int
) -> None:
    client = staff_client("training_admin")
    page = client.get("/staff/reports/training", params={"period": "quarter"})
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "Course Impact Score by quarter, with its 95% interval" in text
    assert "By quarter" in text
    assert "By financial year" not in text
    # The 2022/23 sessions fall in its quarters; the chart's table names each one.
    assert re.search(r"2022/23 Q[1-4]", text)
    assert 'value="quarter" checked' in page.text
    assert "table=quarters" in page.text
    by_year = text_of(client.get("/staff/reports/training", params={"period": "year"}).text)
    assert "Course Impact Score by financial year" in by_year
    assert "By financial year" in by_year


def test_an_unknown_period_gets_the_error_summary(staff_client: Callable[[str], TestClient]) -> None:
    client = staff_client("training_admin")
    page = client.get("/staff/reports/training", params={"period": "<i>decade</i>", "from": "bad"})
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert 'href="#period"' in page.text
    assert "Choose trends by financial year or by quarter" in page.text
    assert 'href="#from"' in page.text
    assert "<i>decade</i>" not in page.text


def test_a_range_with_no_sessions(staff_client: Callable[[str], TestClient], annual_report: int) -> None:
    client = staff_client("training_admin")
    page = client.get("/staff/reports/training", params={"from": "2030-01-01", "to": "2030-12-31"})
    assert page.status_code == 200
    assert "No sessions were held between these dates." in page.text


def test_bad_dates_and_years_get_the_error_summary_and_are_escaped(
    staff_client: Callable[[str], TestClient], settings: Settings
) -> None:
    client = staff_client("training_admin")
    page = client.get("/staff/reports/training", params={"from": "<b>x</b>", "to": "2023-03-31"})
    assert page.status_code == 400
    assert "There is a problem" in page.text
    assert 'href="#from"' in page.text
    assert "<b>x</b>" not in page.text
    assert "&lt;b&gt;x&lt;/b&gt;" in page.text
    page = client.get("/staff/reports/training", params={"from": "2023-04-01", "to": "2022-04-01"})
    assert page.status_code == 400
    assert "must be the same as or after" in page.text
    page = client.get("/staff/reports/training/annual", params={"year": "2022/24"})
    assert page.status_code == 400
    assert "Choose a financial year written like 2022/23" in page.text
    assert database.query(settings.database_url, "SELECT count(*) FROM audit_event WHERE action LIKE 'report.%'") == [
        (0,)
    ]


def test_only_training_administrators_and_admins(staff_client: Callable[[str], TestClient]) -> None:
    for role, status in [("voice_editor", 403), ("safeguarding_lead", 403), ("training_admin", 200), ("admin", 200)]:
        client = staff_client(role)
        assert client.get("/staff/reports/training").status_code == status, role
        assert client.get("/staff/reports/training/annual").status_code == status, role
